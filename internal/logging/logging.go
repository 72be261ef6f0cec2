// Package logging builds the daemon's structured logger: log/slog records to
// stderr (the journal, when run by systemd) and, when configured, to a log
// file that logrotate can rotate (Reopen on SIGHUP). Every record carries
// time, level, component and message, and attributes named like secrets are
// redacted before any handler sees them.
package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// DefaultFile is the original tool's log file, used when log_file asks for it.
const DefaultFile = "/var/log/pi-netconfig.log"

// Options configures New.
type Options struct {
	// Level is the lowest level logged.
	Level slog.Level
	// File, when not empty, also appends every record to this file (created
	// 0640). Reopen opens it again after logrotate moved it away.
	File string
	// Stderr receives text records; nil means os.Stderr. When the
	// JOURNAL_STREAM environment variable is set (systemd connected stderr
	// to the journal) records carry no timestamp of their own, since the
	// journal adds one, and start with a <N> syslog priority prefix.
	Stderr io.Writer
}

// Logger owns the log file and the slog.Logger that writes to it.
type Logger struct {
	slog *slog.Logger
	file *reopenFile // nil when no file is configured
}

// New builds the logger. It fails only when the log file cannot be opened;
// the error names the file and what to do.
func New(opts Options) (*Logger, error) {
	w := opts.Stderr
	if w == nil {
		w = os.Stderr
	}
	level := new(slog.LevelVar)
	level.Set(opts.Level)

	var handlers []slog.Handler
	if os.Getenv("JOURNAL_STREAM") != "" {
		handlers = append(handlers, newJournalHandler(w, level))
	} else {
		handlers = append(handlers, slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	}
	l := &Logger{}
	if opts.File != "" {
		f, err := openReopenable(opts.File)
		if err != nil {
			return nil, err
		}
		l.file = f
		handlers = append(handlers, slog.NewTextHandler(f, &slog.HandlerOptions{Level: level}))
	}
	var h slog.Handler = handlers[0]
	if len(handlers) > 1 {
		h = fanout(handlers)
	}
	l.slog = slog.New(Redact(h))
	return l, nil
}

// Slog returns the logger to inject; narrow it with .With("component", ...).
func (l *Logger) Slog() *slog.Logger { return l.slog }

// Reopen opens the log file again at its path, so that records go to the new
// file after logrotate renamed the old one. Call it on SIGHUP. Without a log
// file it does nothing.
func (l *Logger) Reopen() error {
	if l.file == nil {
		return nil
	}
	return l.file.reopen()
}

// Close closes the log file, if any. Records logged afterwards still go to
// stderr; writes to the closed file are dropped.
func (l *Logger) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.close()
}

// ParseLevel turns the config's log_level (debug, info, warn, error; any
// case) into a slog.Level.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return slog.LevelInfo, fmt.Errorf("%w: %q; use debug, info, warn or error", ErrLevel, s)
}

// ErrLevel is wrapped by ParseLevel for an unknown level name.
var ErrLevel = errors.New("logging: unknown log level")

// reopenFile is an append-only file that can be reopened at the same path.
type reopenFile struct {
	path string

	mu     sync.Mutex // guards f and closed
	f      *os.File
	closed bool
}

func openFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open log file %s: %w (check that its directory exists and is writable, or set \"log_file\" to \"\" in the config)", path, err)
	}
	return f, nil
}

func openReopenable(path string) (*reopenFile, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	return &reopenFile{path: path, f: f}, nil
}

func (r *reopenFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return len(p), nil
	}
	return r.f.Write(p)
}

func (r *reopenFile) reopen() error {
	f, err := openFile(r.path)
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	r.mu.Lock()
	old := r.f
	r.f, r.closed = f, false
	r.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (r *reopenFile) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("close log file %s: %w", r.path, err)
	}
	return nil
}

// fanout sends each record to every handler.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}
