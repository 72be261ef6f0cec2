package logging

import (
	"context"
	"log/slog"
	"strings"
)

// Redacted replaces the value of an attribute whose key names a secret.
const Redacted = "[REDACTED]"

// DefaultComponent is the component of records logged through a logger that
// was never narrowed with .With("component", ...).
const DefaultComponent = "main"

// secretKeys are attribute keys whose values never reach a log, compared
// without regard to case. Callers must not log secrets at all; this is the
// second line of defence.
var secretKeys = map[string]bool{"password": true, "psk": true, "secret": true}

func isSecret(key string) bool { return secretKeys[strings.ToLower(key)] }

// Redact wraps h so that any attribute keyed password, psk or secret (in any
// group, after resolving LogValuers) reaches h as "[REDACTED]", and so that
// every record carries a component (DefaultComponent unless one was given).
func Redact(h slog.Handler) slog.Handler { return &redactHandler{inner: h} }

type redactHandler struct {
	inner        slog.Handler
	hasComponent bool // a top-level "component" attribute was added by WithAttrs
	grouped      bool // WithGroup was called: later attrs are not top-level
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	hasComponent := h.hasComponent
	r.Attrs(func(a slog.Attr) bool {
		if !h.grouped && a.Key == "component" {
			hasComponent = true
		}
		out.AddAttrs(redactAttr(a))
		return true
	})
	// Once a group is open a component added here would land inside it, so
	// only ungrouped loggers get the default.
	if !hasComponent && !h.grouped {
		out.AddAttrs(slog.String("component", DefaultComponent))
	}
	return h.inner.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	has := h.hasComponent
	for i, a := range as {
		if !h.grouped && a.Key == "component" {
			has = true
		}
		clean[i] = redactAttr(a)
	}
	return &redactHandler{inner: h.inner.WithAttrs(clean), hasComponent: has, grouped: h.grouped}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &redactHandler{inner: h.inner.WithGroup(name), hasComponent: h.hasComponent, grouped: true}
}

func redactAttr(a slog.Attr) slog.Attr {
	if isSecret(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	if v.Kind() != slog.KindGroup {
		return slog.Attr{Key: a.Key, Value: v}
	}
	group := v.Group()
	clean := make([]slog.Attr, len(group))
	for i, g := range group {
		clean[i] = redactAttr(g)
	}
	return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
}
