package logging

import (
	"context"
	"io"
	"log/slog"
	"sync"
)

// journalHandler writes text records without a timestamp (the journal adds
// its own) and with a "<N>" syslog priority prefix, which journald reads to
// set the entry's priority (SyslogLevelPrefix=yes, systemd's default).
type journalHandler struct {
	inner slog.Handler
	out   *prefixWriter
}

// prefixWriter is shared by a journalHandler and every handler derived from
// it, so one lock orders all their writes.
type prefixWriter struct {
	mu     sync.Mutex // guards w and prefix during one record's write
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	// slog's TextHandler writes one whole record per Write call.
	buf := make([]byte, 0, len(p.prefix)+len(b))
	buf = append(append(buf, p.prefix...), b...)
	if _, err := p.w.Write(buf); err != nil {
		return 0, err
	}
	return len(b), nil
}

func newJournalHandler(w io.Writer, level slog.Leveler) *journalHandler {
	out := &prefixWriter{w: w}
	inner := slog.NewTextHandler(out, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	return &journalHandler{inner: inner, out: out}
}

// priority maps a slog level to a syslog priority (sd-daemon.h SD_*).
func priority(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "<3>"
	case l >= slog.LevelWarn:
		return "<4>"
	case l >= slog.LevelInfo:
		return "<6>"
	}
	return "<7>"
}

func (h *journalHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *journalHandler) Handle(ctx context.Context, r slog.Record) error {
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	h.out.prefix = priority(r.Level)
	return h.inner.Handle(ctx, r)
}

func (h *journalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &journalHandler{inner: h.inner.WithAttrs(as), out: h.out}
}

func (h *journalHandler) WithGroup(name string) slog.Handler {
	return &journalHandler{inner: h.inner.WithGroup(name), out: h.out}
}
