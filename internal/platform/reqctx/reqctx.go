// Package reqctx holds the one record of a request that every layer reads:
// its id, matched route, caller, client address and the error envelope it is
// answered in. The HTTP layer creates it first thing; inner layers (router,
// auth, the error writer) fill it in and outer ones (access log, metrics,
// audit) read it after the handler returned. Domain services read only the
// request id (forwarded upstream for tracing).
package reqctx

import (
	"context"
	"log/slog"
)

// Record is what is known of one request. A request is served by one
// goroutine at a time, so its fields need no lock; stream handlers that spawn
// readers set them from the handler's goroutine.
type Record struct {
	// ID is the request id: the caller's X-Request-ID when well formed, else a new one.
	ID string
	// Method is the request's HTTP method.
	Method string
	// Route is the matched route pattern ("POST /api/v1/auth/login"); empty
	// while unrouted or when no route matched.
	Route string
	// UserID is the authenticated user, empty when anonymous.
	UserID string
	// TokenID is the personal API token the caller used, empty otherwise.
	TokenID string
	// ClientIP is the caller's address (X-Forwarded-For believed only from
	// trusted proxies), and Secure whether it reached parley over TLS.
	ClientIP string
	Secure   bool
	// OpenAI says errors are answered in OpenAI's envelope (the /v1 API)
	// rather than as problem+json.
	OpenAI bool
	// ErrorID is set when the request failed unexpectedly: the id the client
	// and the log line both carry.
	ErrorID string
	// ClientGone records a client that hung up before its answer ended.
	ClientGone bool
	// Log is the request's logger, carrying request_id.
	Log *slog.Logger
}

type key struct{}

// With returns ctx carrying rec.
func With(ctx context.Context, rec *Record) context.Context {
	return context.WithValue(ctx, key{}, rec)
}

// From returns the record of the request ctx belongs to, or nil outside one.
func From(ctx context.Context) *Record {
	r, _ := ctx.Value(key{}).(*Record)
	return r
}

// RequestID returns the request id of ctx, or "" outside a request.
func RequestID(ctx context.Context) string {
	if r := From(ctx); r != nil {
		return r.ID
	}
	return ""
}

// Logger returns the request's logger, or slog.Default() outside a request.
func Logger(ctx context.Context) *slog.Logger {
	if r := From(ctx); r != nil && r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

// LogAttrs are the request's log attributes (request_id) for loggers
// outside the HTTP layer; see logging.WithContext.
func LogAttrs(ctx context.Context) []slog.Attr {
	if r := From(ctx); r != nil {
		return []slog.Attr{slog.String("request_id", r.ID)}
	}
	return nil
}
