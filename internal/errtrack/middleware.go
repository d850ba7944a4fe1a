package errtrack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/parley-chat/parley/internal/platform/httprec"

	"github.com/getsentry/sentry-go"

	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// captured marks requests whose error was already reported with
// CaptureError, so their 500 is not reported twice.
type capturedKey struct{}

// Middleware captures panics (and re-panics, so the recover middleware
// outside still answers and logs) and 500 answers that no one reported with
// CaptureError. It describes a request by its record (platform/reqctx):
// method, route pattern, request id and opaque user id, read when the event
// is sent so they include what the router and auth learned. Place it inside
// the record and recover middlewares.
func (t *Tracker) Middleware(next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		captured := new(atomic.Bool)
		r = r.WithContext(context.WithValue(r.Context(), capturedKey{}, captured))
		sw := httprec.Wrap(w)
		defer func() {
			if v := recover(); v != nil {
				if v != http.ErrAbortHandler {
					t.capturePanic(r, v)
				}
				panic(v)
			}
			if sw.Status() == http.StatusInternalServerError && !captured.Load() {
				t.captureStatus(r)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func (t *Tracker) capturePanic(r *http.Request, v any) {
	err, ok := v.(error)
	if !ok {
		err = fmt.Errorf("panic: %v", v)
	}
	t.hub.WithScope(func(s *sentry.Scope) {
		describe(s, r.Context(), r.Method)
		s.SetRequest(safeRequest(r))
		s.SetLevel(sentry.LevelFatal)
		t.hub.Recover(err)
	})
}

func (t *Tracker) captureStatus(r *http.Request) {
	t.hub.WithScope(func(s *sentry.Scope) {
		describe(s, r.Context(), r.Method)
		s.SetRequest(safeRequest(r))
		route := r.Method + " (unmatched route)"
		if rec := reqctx.From(r.Context()); rec != nil && rec.Route != "" {
			route = rec.Route
		}
		t.hub.CaptureException(errors.New("HTTP 500 on " + route))
	})
}

// describe puts the request's identifiers on the scope as tags: method
// (when known), route pattern, request id and the opaque user id.
func describe(s *sentry.Scope, ctx context.Context, method string) {
	rec := reqctx.From(ctx)
	if rec != nil && method == "" {
		method = rec.Method
	}
	if method != "" {
		s.SetTag("http.method", method)
	}
	if rec == nil {
		return
	}
	if rec.Route != "" {
		s.SetTag("http.route", rec.Route)
	}
	if rec.ID != "" {
		s.SetTag("request_id", rec.ID)
	}
	if rec.UserID != "" {
		s.SetUser(sentry.User{ID: rec.UserID})
	}
}

// safeHeaders are the only request headers an event may carry.
var safeHeaders = []string{"User-Agent", "Content-Type", "Accept", "Content-Length", "X-Request-Id"}

// safeRequest describes r without body, query, cookies or credentials: the
// URL is replaced by the route pattern when known (paths carry ids only, but
// a pattern groups events better).
func safeRequest(r *http.Request) *http.Request {
	c := r.Clone(r.Context())
	c.Header = http.Header{}
	for _, h := range safeHeaders {
		if v := r.Header.Get(h); v != "" {
			c.Header.Set(h, v)
		}
	}
	c.URL.RawQuery = ""
	c.URL.User = nil
	c.Body = http.NoBody
	c.RemoteAddr = ""
	return c
}
