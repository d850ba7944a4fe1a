package errtrack

import (
	"context"
	"errors"
	"fmt"
	"github.com/parley-chat/parley/internal/platform/httprec"
	"net/http"
	"sync"

	"github.com/getsentry/sentry-go"
)

// RequestInfo is the context an event carries about its request: only
// identifiers, never content.
type RequestInfo struct {
	Method    string
	Route     string // the route pattern, e.g. "POST /api/v1/conversations/{id}/messages"
	RequestID string
	UserID    string // opaque id, never an email
}

type infoKey struct{}

// info is the mutable holder the Middleware puts in the context, so inner
// layers (the router, auth) can fill in what they learn.
type info struct {
	mu       sync.Mutex
	ri       RequestInfo
	captured bool
}

func infoFrom(ctx context.Context) *info {
	i, _ := ctx.Value(infoKey{}).(*info)
	return i
}

func (i *info) markCaptured() { i.mu.Lock(); i.captured = true; i.mu.Unlock() }

func (i *info) snapshot() (RequestInfo, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.ri, i.captured
}

func (i *info) merge(d RequestInfo) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if d.Route != "" {
		i.ri.Route = d.Route
	}
	if d.UserID != "" {
		i.ri.UserID = d.UserID
	}
	if d.RequestID != "" {
		i.ri.RequestID = d.RequestID
	}
}

// SetRoute records the matched route pattern for events of this request.
func SetRoute(ctx context.Context, route string) {
	if i := infoFrom(ctx); i != nil {
		i.mu.Lock()
		i.ri.Route = route
		i.mu.Unlock()
	}
}

// SetUser records the authenticated user's opaque id for events of this request.
func SetUser(ctx context.Context, userID string) {
	if i := infoFrom(ctx); i != nil {
		i.mu.Lock()
		i.ri.UserID = userID
		i.mu.Unlock()
	}
}

// MiddlewareOptions configure Middleware.
type MiddlewareOptions struct {
	// RequestID reads the request id an outer middleware assigned.
	RequestID func(ctx context.Context) string
	// Describe, when set, is asked at capture time for what inner layers
	// learned (route pattern, user id) through state that outer middleware
	// shares by pointer; its non-empty fields win over SetRoute/SetUser.
	Describe func(r *http.Request) RequestInfo
}

// Middleware captures panics (and re-panics, so the recover middleware
// outside still answers and logs) and 500 answers that no one reported with
// CaptureError. Place it inside the request-id and recover middlewares.
func (t *Tracker) Middleware(opts MiddlewareOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if t == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			in := &info{ri: RequestInfo{Method: r.Method}}
			if opts.RequestID != nil {
				in.ri.RequestID = opts.RequestID(r.Context())
			}
			r = r.WithContext(context.WithValue(r.Context(), infoKey{}, in))
			sw := httprec.Wrap(w)
			defer func() {
				if opts.Describe != nil {
					in.merge(opts.Describe(r))
				}
				if v := recover(); v != nil {
					if v != http.ErrAbortHandler {
						t.capturePanic(r, in, v)
					}
					panic(v)
				}
				if sw.Status() == http.StatusInternalServerError {
					if ri, captured := in.snapshot(); !captured {
						t.captureStatus(r, in, ri)
					}
				}
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

func (t *Tracker) capturePanic(r *http.Request, in *info, v any) {
	err, ok := v.(error)
	if !ok {
		err = fmt.Errorf("panic: %v", v)
	}
	t.hub.WithScope(func(s *sentry.Scope) {
		applyInfo(s, in)
		s.SetRequest(safeRequest(r, in))
		s.SetLevel(sentry.LevelFatal)
		t.hub.Recover(err)
	})
}

func (t *Tracker) captureStatus(r *http.Request, in *info, ri RequestInfo) {
	t.hub.WithScope(func(s *sentry.Scope) {
		applyInfo(s, in)
		s.SetRequest(safeRequest(r, in))
		t.hub.CaptureException(errors.New("HTTP 500 on " + routeOr(ri)))
	})
}

func routeOr(ri RequestInfo) string {
	if ri.Route != "" {
		return ri.Route
	}
	return ri.Method + " (unmatched route)"
}

// applyInfo puts the request identifiers on the scope as tags.
func applyInfo(s *sentry.Scope, in *info) {
	if in == nil {
		return
	}
	ri, _ := in.snapshot()
	s.SetTag("http.method", ri.Method)
	if ri.Route != "" {
		s.SetTag("http.route", ri.Route)
	}
	if ri.RequestID != "" {
		s.SetTag("request_id", ri.RequestID)
	}
	if ri.UserID != "" {
		s.SetUser(sentry.User{ID: ri.UserID})
	}
}

// safeHeaders are the only request headers an event may carry.
var safeHeaders = []string{"User-Agent", "Content-Type", "Accept", "Content-Length", "X-Request-Id"}

// safeRequest describes r without body, query, cookies or credentials: the
// URL is replaced by the route pattern when known (paths carry ids only, but
// a pattern groups events better).
func safeRequest(r *http.Request, in *info) *http.Request {
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
