// Package httpapi is parley's HTTP edge: one route table on http.ServeMux,
// middleware in a fixed order, strict JSON decoding and RFC 9457 problems.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// HandlerFunc is an HTTP handler that returns its error instead of writing
// it: the route wrapper answers a non-nil error with WriteProblem. A
// handler that has started a response (a stream) must return nil.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Access says who may call a route.
type Access int

// Access levels, checked before the handler runs.
const (
	Public Access = iota // anyone
	User                 // a valid access token of an enabled user
	Admin                // as User, with the admin role (else 403)
)

// Route is one line of the route table.
type Route struct {
	Pattern string // ServeMux pattern with method, e.g. "POST /api/v1/auth/login"
	Access  Access
	Handler HandlerFunc
	// MaxBody caps the request body in bytes: 0 means BodySmall, BodyMax
	// the server's MaxBodyBytes, which also caps every other value.
	MaxBody int64
}

// ReadyCheck is one dependency /readyz checks.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Deps are what the server needs; Accounts, Tokens and Chat are required.
type Deps struct {
	Logger   *slog.Logger
	Accounts *account.Service
	Tokens   *auth.Tokens
	Chat     chat.Store
	// Metrics receives the HTTP metrics; nil registers nothing.
	Metrics prometheus.Registerer
	// Ready are the checks of /readyz (database, migrations, …).
	Ready []ReadyCheck
	// MaxBodyBytes is PARLEY_MAX_BODY_BYTES: the cap of BodyMax routes
	// and the ceiling of every route's own cap; 1 MiB when zero.
	MaxBodyBytes   int64
	TrustedProxies []netip.Prefix
	DefaultModel   string
	// Routes are added to the route table (chat streaming, /v1, tokens…).
	Routes []Route
	// Hooks let other packages join the fixed middleware chain.
	Hooks Hooks
	// Audit, when set, receives one entry per administrator action
	// (admin.user.update, admin.invite.create); *audit.Writer is one.
	Audit AuditRecorder
}

// AuditRecorder queues audit entries.
type AuditRecorder interface {
	Record(e audit.Entry)
}

// Hooks are optional middleware at fixed places of the chain:
//
//	requestID → recoverer → Capture → accessLog → metrics → securityHeaders → Edge → router → body cap → auth → PerRoute → handler
type Hooks struct {
	// Capture sees every request inside recovery, before logging (error
	// tracking: it observes panics and re-panics).
	Capture func(http.Handler) http.Handler
	// Edge wraps the router (CORS, per-address rate limits, audit): its
	// refusals are logged, counted and carry a request id.
	Edge func(http.Handler) http.Handler
	// PerRoute, when set, returns the middleware for one route pattern,
	// applied after authentication (per-user limits, stream caps).
	PerRoute func(pattern string, authenticated bool) func(http.Handler) http.Handler
}

// Server is the API's http.Handler factory and readiness switch.
type Server struct {
	log            *slog.Logger
	accounts       *account.Service
	tokens         *auth.Tokens
	chat           chat.Store
	ready          []ReadyCheck
	maxBody        int64
	trustedProxies []netip.Prefix
	defaultModel   string
	metrics        *httpMetrics
	routes         []Route
	hooks          Hooks
	audit          AuditRecorder
	shuttingDown   atomic.Bool
	mux            *http.ServeMux
	handler        http.Handler
}

// New builds the server and its route table. It panics on a malformed or
// duplicate route pattern, a programming error caught by any test.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.DefaultModel == "" {
		d.DefaultModel = "openai/gpt-oss-120b"
	}
	s := &Server{
		log: d.Logger, accounts: d.Accounts, tokens: d.Tokens, chat: d.Chat, ready: d.Ready,
		maxBody: d.MaxBodyBytes, trustedProxies: d.TrustedProxies, defaultModel: d.DefaultModel,
		metrics: newHTTPMetrics(d.Metrics), hooks: d.Hooks, audit: d.Audit,
	}
	s.routes = append(s.routeTable(), d.Routes...)
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Pattern, s.wrap(rt))
	}
	chain := []middleware{s.requestID, s.recoverer, optional(d.Hooks.Capture), s.accessLog, s.measure,
		securityHeaders, optional(d.Hooks.Edge)}
	var h http.Handler = http.HandlerFunc(s.route)
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
	}
	s.handler = h
	return s
}

// Handler is the complete API with every middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the route table (for docs and tests).
func (s *Server) Routes() []Route { return s.routes }

// SetShuttingDown makes /readyz answer 503 so load balancers drain this
// replica before the listener closes.
func (s *Server) SetShuttingDown() { s.shuttingDown.Store(true) }

func optional(mw func(http.Handler) http.Handler) middleware {
	if mw == nil {
		return func(h http.Handler) http.Handler { return h }
	}
	return mw
}

// wrap applies a route's body cap, the read and write deadline rules of
// deadline.go, the access rule and PerRoute hook, and turns the handler's
// error into a problem.
func (s *Server) wrap(rt Route) http.Handler {
	limit := s.BodyLimit(rt)
	var inner http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.Handler(w, r); err != nil {
			WriteProblem(w, r, err)
		}
	})
	if s.hooks.PerRoute != nil {
		inner = s.hooks.PerRoute(rt.Pattern, rt.Access != Public)(inner)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = rt.Pattern
		limitBody(w, r, limit)
		w = withDeadlines(w, r) // deadline.go
		if rt.Access != Public {
			u, err := s.authenticate(r)
			if err == nil && rt.Access == Admin && !u.IsAdmin() {
				err = errs.E(errs.Forbidden, "administrators only")
			}
			if err != nil {
				WriteProblem(w, r, err)
				return
			}
			r = r.WithContext(WithUser(r.Context(), u, ""))
		}
		inner.ServeHTTP(w, r)
	})
}

// route dispatches to the mux, answering unknown paths and wrong methods
// with problems (ServeMux itself answers them in plain text).
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &captureWriter{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.code {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		WriteProblem(w, r, &httpError{code: CodeMethodNotAllowed, msg: "method " + r.Method + " is not allowed here"})
	case http.StatusNotFound:
		WriteProblem(w, r, errs.E(errs.NotFound, "no such endpoint"))
	default: // redirects to the cleaned path
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.code)
		_, _ = w.Write(rec.body)
	}
}

// captureWriter records what ServeMux's own 404/405/redirect handlers write.
type captureWriter struct {
	header http.Header
	code   int
	body   []byte
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}
func (c *captureWriter) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	c.body = append(c.body, b...)
	return len(b), nil
}
