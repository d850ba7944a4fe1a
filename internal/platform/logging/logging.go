// Package logging builds parley's structured logger (log/slog) from the
// configured level and format.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// New returns a logger writing to w in format "json" or "text" at level
// "debug", "info", "warn" or "error".
func New(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", format)
}

// Discard is a logger that drops everything (tests, quiet subcommands).
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// WithContext returns a handler that adds attrs(ctx) to every record logged
// with a context (InfoContext …), so domain services log the request id
// without knowing about HTTP.
func WithContext(h slog.Handler, attrs func(ctx context.Context) []slog.Attr) slog.Handler {
	return &ctxHandler{Handler: h, attrs: attrs}
}

type ctxHandler struct {
	slog.Handler
	attrs func(ctx context.Context) []slog.Attr
}

// Handle implements slog.Handler.
func (h *ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		r.AddAttrs(h.attrs(ctx)...)
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *ctxHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &ctxHandler{Handler: h.Handler.WithAttrs(as), attrs: h.attrs}
}

// WithGroup implements slog.Handler.
func (h *ctxHandler) WithGroup(name string) slog.Handler {
	return &ctxHandler{Handler: h.Handler.WithGroup(name), attrs: h.attrs}
}
