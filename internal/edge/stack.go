package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/limit"
)

// StackOptions are what the assembled edge needs from parley's
// configuration and HTTP layer.
type StackOptions struct {
	// Limiter backs every rate limit (memory, or Redis across replicas).
	Limiter limit.Limiter
	// RPS and Burst are the budget of each client address, each user and
	// each API token (PARLEY_RATE_LIMIT_RPS / _BURST).
	RPS   float64
	Burst int
	// AuthRPM is the login/register budget per client address
	// (PARLEY_AUTH_RATE_LIMIT_RPM).
	AuthRPM int
	// Origins is the CORS allow-list (PARLEY_CORS_ORIGINS, see ParseOrigins).
	Origins []string
	// Streams caps concurrent event streams per user.
	Streams *Streams
	Metrics *Metrics
	// ClientIP returns the resolved client address of a request (the HTTP
	// layer's, which honours PARLEY_TRUSTED_PROXIES).
	ClientIP func(r *http.Request) string
	// UserID returns the authenticated user of a request, "" if none.
	UserID func(r *http.Request) string
	// Errors writes problem+json answers; OpenAIErrors writes /v1 answers
	// in OpenAI's envelope. Nil means DefaultErrorWriter.
	Errors       ErrorWriter
	OpenAIErrors ErrorWriter
	Logger       *slog.Logger
}

// Stack is parley's edge assembled from StackOptions: Outer goes around the
// router, PerRoute around each route's handler after authentication.
type Stack struct {
	o     StackOptions
	outer func(http.Handler) http.Handler
}

// authPatterns get the stricter login/register budget.
var authPatterns = map[string]bool{
	"POST /api/v1/auth/login":    true,
	"POST /api/v1/auth/register": true,
}

// streamPatterns answer with event streams and count against the stream cap.
var streamPatterns = map[string]bool{
	"POST /api/v1/conversations/{id}/messages":   true,
	"POST /api/v1/conversations/{id}/regenerate": true,
	"POST /v1/chat/completions":                  true,
}

// exempt paths are probes from the orchestrator, never rate limited.
var exempt = map[string]bool{"/healthz": true, "/readyz": true}

// NewStack assembles the edge.
func NewStack(o StackOptions) *Stack {
	if o.Streams == nil {
		o.Streams = NewStreams(0, o.Metrics)
	}
	if o.OpenAIErrors == nil {
		o.OpenAIErrors = o.Errors
	}
	s := &Stack{o: o}
	ipKey := func(r *http.Request) string {
		if exempt[r.URL.Path] {
			return ""
		}
		return o.ClientIP(r)
	}
	ipLimit := RateLimit(RateLimitOptions{Limiter: o.Limiter, Scope: ScopeIP, Limit: s.limit(), Key: ipKey,
		Metrics: o.Metrics, Errors: s.errorsFor, Logger: o.Logger})
	cors := CORS(CORSOptions{Origins: o.Origins, Errors: o.Errors})
	s.outer = func(h http.Handler) http.Handler { return cors(ipLimit(h)) }
	return s
}

func (s *Stack) limit() limit.Limit {
	return limit.Limit{Rate: s.o.RPS, Burst: s.o.Burst}
}

// errorsFor answers /v1 in OpenAI's envelope and everything else as a problem.
func (s *Stack) errorsFor(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		writerOr(s.o.OpenAIErrors)(w, r, err)
		return
	}
	writerOr(s.o.Errors)(w, r, err)
}

// Outer is CORS, then the per-address rate limit; it goes between the
// security headers and the router so refusals are logged, counted and
// carry a request id.
func (s *Stack) Outer(h http.Handler) http.Handler { return s.outer(h) }

// PerRoute returns the middleware for one route pattern, applied after
// authentication: the login/register budget on those routes, the per-user
// budget on authenticated routes, the per-token budget on /v1 (keyed by a
// hash of the presented token, so it holds before the token is checked), and
// the stream cap on streaming routes.
func (s *Stack) PerRoute(pattern string, authenticated bool) func(http.Handler) http.Handler {
	var mws []func(http.Handler) http.Handler
	if authPatterns[pattern] {
		mws = append(mws, RateLimit(RateLimitOptions{Limiter: s.o.Limiter, Scope: ScopeAuth, Limit: AuthLimit(s.o.AuthRPM),
			Key: s.o.ClientIP, Metrics: s.o.Metrics, Errors: s.errorsFor, Logger: s.o.Logger}))
	}
	v1 := strings.Contains(pattern, " /v1/")
	if authenticated {
		mws = append(mws, RateLimit(RateLimitOptions{Limiter: s.o.Limiter, Scope: ScopeUser, Limit: s.limit(),
			Key: s.o.UserID, Metrics: s.o.Metrics, Errors: s.errorsFor, Logger: s.o.Logger}))
	}
	if v1 {
		mws = append(mws, RateLimit(RateLimitOptions{Limiter: s.o.Limiter, Scope: ScopeToken, Limit: s.limit(),
			Key: TokenKey, Metrics: s.o.Metrics, Errors: s.errorsFor, Logger: s.o.Logger}))
	}
	if streamPatterns[pattern] {
		key := s.o.UserID
		if v1 {
			// /v1 authenticates inside its handler: cap per token.
			key = TokenKey
		}
		mws = append(mws, StreamLimit(StreamLimitOptions{Streams: s.o.Streams, Key: key, Errors: s.errorsFor}))
	}
	return func(h http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		return h
	}
}

// TokenKey keys a request by a hash of its bearer token ("" without one),
// never by the token itself: limiter keys end up in Redis.
func TokenKey(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:16])
}
