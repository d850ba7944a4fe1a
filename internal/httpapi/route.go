package httpapi

import (
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/reqctx"
	"github.com/parley-chat/parley/internal/ratelimit"
)

// HandlerFunc is an HTTP handler that returns its error instead of writing
// it: the route answers a non-nil error with the one error writer. A
// handler that has started a response (a stream) must return nil.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Auth says who may call a route and how they prove it.
type Auth int

// Auth kinds, checked before the handler runs.
const (
	AuthNone     Auth = iota // anyone
	AuthSession              // an access token (JWT) of an enabled user
	AuthAdmin                // as AuthSession, with the admin role (else 403)
	AuthAPIToken             // a personal API token (the /v1 API)
)

// Budget is a set of per-route rate limits (on top of the per-address
// budget every request but a probe spends).
type Budget int

// The per-route budgets.
const (
	// BudgetLogin is the stricter login/register budget per client address.
	BudgetLogin Budget = 1 << iota
	// BudgetUser is the budget of the authenticated user.
	BudgetUser
	// BudgetToken is the budget of the presented bearer token, keyed by its
	// hash before the token is checked, so guesses share one budget.
	BudgetToken
)

// Route is one row of the route table: a pattern, its handler and the policy
// the middleware applies to it.
type Route struct {
	Pattern string // ServeMux pattern with method, e.g. "POST /api/v1/auth/login"
	Handler HandlerFunc
	Auth    Auth
	// MaxBody caps the request body in bytes: 0 means BodySmall, BodyMax
	// the server's MaxBodyBytes, which also caps every other value.
	MaxBody int64
	// Stream marks routes answering with an event stream: each holds one of
	// its caller's stream slots while it runs.
	Stream bool
	// Budgets are the route's rate limits.
	Budgets Budget
	// OpenAI answers the route's errors in OpenAI's envelope (the /v1
	// API), else as problem+json.
	OpenAI bool
	// Probe marks orchestrator probes: never rate limited or audited.
	Probe bool
}

// path is the pattern's path ("/api/v1/auth/login").
func (rt Route) path() string {
	_, p, _ := strings.Cut(rt.Pattern, " ")
	return p
}

// wrap builds one row's chain, in this order: the request record learns the
// route and envelope; the body cap and deadlines; the login and token
// budgets (cheap refusals before any lookup); session authentication; the
// user budget; the stream cap (per user, or per bearer token on the API);
// the firewall, which reads the body; API-token authentication (as /v1
// always had it: after the firewall); the handler, whose error goes to the
// one error writer.
func (s *Server) wrap(rt Route) http.Handler {
	limit := s.BodyLimit(rt)
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.Handler(w, r); err != nil {
			problem.Write(w, r, err)
		}
	})
	var mws []func(http.Handler) http.Handler
	budget := func(scope string, key func(*http.Request) string) {
		if s.d.Limits.Limiter != nil {
			mws = append(mws, ratelimit.RateLimit(ratelimit.RateLimitOptions{Limiter: s.d.Limits.Limiter, Scope: scope,
				Limit: s.limitOf(scope), Key: key, Metrics: s.d.Limits.Metrics, Logger: s.log}))
		}
	}
	if rt.Budgets&BudgetLogin != 0 {
		budget(ratelimit.ScopeAuth, ratelimit.KeyClientIP)
	}
	if rt.Budgets&BudgetToken != 0 {
		budget(ratelimit.ScopeToken, ratelimit.KeyToken)
	}
	if rt.Auth == AuthSession || rt.Auth == AuthAdmin {
		mws = append(mws, s.authenticate(rt.Auth))
	}
	if rt.Budgets&BudgetUser != 0 {
		budget(ratelimit.ScopeUser, ratelimit.KeyUser)
	}
	if rt.Stream && rt.Auth != AuthAPIToken {
		mws = append(mws, ratelimit.StreamLimit(ratelimit.StreamLimitOptions{Streams: s.d.Streams, Keys: ratelimit.StreamKeysUser}))
	}
	mws = append(mws, s.d.Firewall.Route(rt.Pattern))
	if rt.Auth == AuthAPIToken {
		mws = append(mws, s.authenticate(rt.Auth))
	}
	if rt.Stream && rt.Auth == AuthAPIToken {
		// /v1: one cap per user across the web chat and all their API
		// tokens, and one per token; the user is known once authenticated.
		mws = append(mws, ratelimit.StreamLimit(ratelimit.StreamLimitOptions{Streams: s.d.Streams, Keys: ratelimit.StreamKeysUserAndToken}))
	}
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec := reqctx.From(r.Context()); rec != nil {
			rec.Route, rec.OpenAI = rt.Pattern, rt.OpenAI
		}
		limitBody(w, r, limit)
		w = withDeadlines(w, r) // deadline.go
		h.ServeHTTP(w, r)
	})
}

func (s *Server) limitOf(scope string) ratelimit.Limit {
	if scope == ratelimit.ScopeAuth {
		return s.d.Limits.Login
	}
	return s.d.Limits.Each
}
