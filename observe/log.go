package observe

import (
	"context"
	"io"
	"log/slog"
)

// NewLogger writes records at level and above to w: one JSON object a
// line when asJSON (for log collectors), else slog's key=value text.
func NewLogger(w io.Writer, asJSON bool, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if asJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

type loggerKey struct{}

// WithLogger returns ctx carrying l, the logger of the request (or other
// unit of work) ctx belongs to.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger is the logger ctx carries, or fallback when it carries none.
func Logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return fallback
}
