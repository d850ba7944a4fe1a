// Package httpapi is parley's HTTP API: one route table whose rows carry
// their policy (routes.go), handlers grouped by resource, and the fixed
// middleware chain that applies each row's policy. Handlers decode, call a
// domain service and encode; every rule lives in the services.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/errtrack"
	"github.com/parley-chat/parley/internal/httpapi/middleware"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/ratelimit"
	"github.com/parley-chat/parley/internal/usage"
	"github.com/parley-chat/parley/internal/waf"
)

// ReadyCheck is one dependency /readyz checks.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Limits are the rate limits the route table's rows refer to.
type Limits struct {
	// Limiter decides (memory, or Redis shared by replicas); nil: no limits.
	Limiter ratelimit.Limiter
	// Each is the budget of every client address, user and API token
	// (PARLEY_RATE_LIMIT_RPS / _BURST); Login the budget of login and
	// register per address (PARLEY_AUTH_RATE_LIMIT_RPM).
	Each, Login ratelimit.Limit
	Metrics     *ratelimit.Metrics
}

// Deps are what the server needs. Accounts and Chat are required.
type Deps struct {
	Logger   *slog.Logger
	Accounts *account.Service
	Chat     *chat.Service
	// Usage answers GET /usage; nil: a usage service on nothing is refused.
	Usage *usage.Recorder
	// ChatConfigured tells whether the key pool has a Groq key right now
	// (asked per request, so a key reload from none to some turns chat on);
	// nil means configured.
	ChatConfigured func() bool
	// Keys is the key pool's state for GET /admin/keys; nil: no pool.
	Keys KeyPool
	// AuditLog is the audit store GET /admin/audit reads; nil: 503.
	AuditLog audit.Store
	// Audit receives one entry per API call and per administrator action;
	// nil records nothing.
	Audit middleware.AuditRecorder
	// Status answers GET /api/v1/status (the status page); nil: 404.
	Status http.Handler
	// Ready are the checks of /readyz (database, migrations, …).
	Ready []ReadyCheck
	// Metrics receives the HTTP metrics; nil registers nothing.
	Metrics prometheus.Registerer
	// MaxBodyBytes is PARLEY_MAX_BODY_BYTES: the cap of BodyMax routes
	// and the ceiling of every route's own cap; 1 MiB when zero.
	MaxBodyBytes   int64
	TrustedProxies []netip.Prefix
	// Origins is the CORS allow-list (PARLEY_CORS_ORIGINS).
	Origins []string
	Limits  Limits
	// Streams caps concurrent event streams; nil: counted, uncapped.
	Streams *ratelimit.Streams
	// Firewall inspects each route's requests; nil: none.
	Firewall *waf.Firewall
	// Tracker reports panics and 500s; nil: none.
	Tracker *errtrack.Tracker
	// KeepAlive is how long a chat stream may stay silent before a comment
	// line keeps proxies from closing it; 0 means 15s.
	KeepAlive time.Duration
	// Extra are rows added to the route table (tests: failing handlers).
	Extra []Route
}

// Server is the API's http.Handler and readiness switch.
type Server struct {
	d        Deps
	log      *slog.Logger
	routes   []Route
	mux      *http.ServeMux
	handler  http.Handler
	draining atomic.Bool
}

// New builds the server from the route table. It panics on a malformed or
// duplicate route pattern, a programming error caught by any test.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.KeepAlive <= 0 {
		d.KeepAlive = 15 * time.Second
	}
	if d.Streams == nil {
		d.Streams = ratelimit.NewStreams(0, d.Limits.Metrics)
	}
	s := &Server{d: d, log: d.Logger}
	s.routes = append(s.routeTable(), d.Extra...)
	s.mux = http.NewServeMux()
	probes := map[string]bool{}
	for _, rt := range s.routes {
		s.mux.Handle(rt.Pattern, s.wrap(rt))
		if rt.Probe {
			probes[rt.path()] = true
		}
	}
	probe := func(r *http.Request) bool { return probes[r.URL.Path] }

	// The chain, outermost first. The record comes first so every later
	// layer can log and refuse with the request id; recovery sits outside
	// logging so a panic is still logged and counted as a 500; the audit
	// log is outside CORS and the address limit so their refusals are
	// recorded; the router, then each row's own chain (route.go).
	chain := []func(http.Handler) http.Handler{
		middleware.Record(middleware.RecordOptions{Logger: d.Logger, TrustedProxies: d.TrustedProxies,
			OpenAIPrefixes: s.openAIPrefixes(), Draining: &s.draining}),
		middleware.Recover,
		d.Tracker.Middleware,
		middleware.AccessLog,
		middleware.NewMetrics(d.Metrics).Measure,
		middleware.SecurityHeaders,
	}
	if d.Audit != nil {
		chain = append(chain, middleware.Audit(middleware.AuditOptions{Recorder: d.Audit, Skip: probe}))
	}
	chain = append(chain, middleware.CORS(middleware.CORSOptions{Origins: d.Origins}))
	if d.Limits.Limiter != nil {
		chain = append(chain, ratelimit.RateLimit(ratelimit.RateLimitOptions{Limiter: d.Limits.Limiter,
			Scope: ratelimit.ScopeIP, Limit: d.Limits.Each, Metrics: d.Limits.Metrics, Logger: d.Logger,
			Key: func(r *http.Request) string {
				if probe(r) {
					return "" // orchestrator probes are never limited
				}
				return ratelimit.KeyClientIP(r)
			}}))
	}
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
// replica before the listener closes, and makes every answer end its
// connection so keep-alive clients reconnect elsewhere.
func (s *Server) SetShuttingDown() { s.draining.Store(true) }

// openAIPrefixes are the first path segments of the rows answered in
// OpenAI's envelope: errors before routing on those paths use it too.
func (s *Server) openAIPrefixes() []string {
	seen := map[string]bool{}
	var out []string
	for _, rt := range s.routes {
		if !rt.OpenAI {
			continue
		}
		p := rt.path()
		if i := indexAfterFirstSegment(p); i > 0 {
			p = p[:i]
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// indexAfterFirstSegment returns the index just past "/seg/" of a path.
func indexAfterFirstSegment(p string) int {
	for i := 1; i < len(p); i++ {
		if p[i] == '/' {
			return i + 1
		}
	}
	return -1
}

// route dispatches to the mux, answering unknown paths and wrong methods
// with the one error writer (ServeMux itself answers them in plain text).
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
		problem.Write(w, r, errs.E(errs.MethodNotAllowed, "method %s is not allowed here", r.Method))
	case http.StatusNotFound:
		problem.Write(w, r, errs.E(errs.NotFound, "no such endpoint"))
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
