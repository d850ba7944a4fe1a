package middleware

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// RecordOptions configure the Record middleware.
type RecordOptions struct {
	// Logger is the base of every request's logger (request_id added).
	Logger *slog.Logger
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (PARLEY_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// OpenAIPrefixes are the path prefixes whose errors are answered in
	// OpenAI's envelope before a route matched (the route table's /v1).
	OpenAIPrefixes []string
	// Draining, when it reads true, makes every answer end its connection
	// (Connection: close), so clients and balancers that pin keep-alive
	// connections move to a replica that is staying.
	Draining *atomic.Bool
}

// Record starts each request's record (reqctx): a request id (the caller's
// X-Request-ID when well formed, else a new UUIDv7) echoed in the answer,
// the client address and whether it came over TLS, a logger carrying the id,
// and the error envelope its path asks for. It runs first, so every later
// layer can log and refuse with the id.
func Record(o RecordOptions) func(http.Handler) http.Handler {
	trusted := trustOf(o.TrustedProxies)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-ID")
			if !validRequestID(id) {
				id = uuid.Must(uuid.NewV7()).String()
			}
			c := resolve(r, trusted)
			rec := &reqctx.Record{ID: id, Method: r.Method, ClientIP: c.ip, Secure: c.secure, Log: o.Logger.With(slog.String("request_id", id))}
			for _, p := range o.OpenAIPrefixes {
				if strings.HasPrefix(r.URL.Path, p) {
					rec.OpenAI = true
				}
			}
			if o.Draining != nil && o.Draining.Load() {
				// Closing idle connections instead would race requests
				// already on their way.
				w.Header().Set("Connection", "close")
			}
			w.Header().Set("X-Request-ID", id)
			next.ServeHTTP(w, r.WithContext(reqctx.With(r.Context(), rec)))
		})
	}
}

func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// record returns r's record; a blank one when Record did not run (tests of
// a single layer), so layers never need a nil check.
func record(r *http.Request) *reqctx.Record {
	if rec := reqctx.From(r.Context()); rec != nil {
		return rec
	}
	return &reqctx.Record{Log: slog.Default()}
}
