package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// Rate-limit scopes, used in keys and as the metric label: every client
// address (ip), the login and register budget per address (auth), every
// user and every personal API token.
const (
	ScopeIP    = "ip"
	ScopeUser  = "user"
	ScopeToken = "token"
	ScopeAuth  = "auth"
	// ScopeStreams labels refusals by the concurrent-stream cap.
	ScopeStreams = "streams"
)

// RateLimitOptions configures one RateLimit middleware: one budget, one way
// to key requests.
type RateLimitOptions struct {
	// Limiter decides: a Memory limiter on one node, store/redis's Limiter
	// shared by all replicas.
	Limiter Limiter
	// Scope names the budget (ScopeIP, ScopeUser, ...): it prefixes the key
	// and labels parley_ratelimit_rejections_total.
	Scope string
	// Limit is the budget of one key.
	Limit Limit
	// Key returns the key of a request; "" lets the request through
	// unlimited (e.g. no user in the context for a per-user budget).
	Key func(r *http.Request) string
	// Metrics records rejections; may be nil.
	Metrics *Metrics
	// Logger reports limiter failures; nil means slog.Default().
	Logger *slog.Logger
}

// KeyClientIP keys a request by its client address (the request record's).
func KeyClientIP(r *http.Request) string {
	if rec := reqctx.From(r.Context()); rec != nil {
		return rec.ClientIP
	}
	return ""
}

// KeyUser keys a request by its authenticated user ("" when anonymous).
func KeyUser(r *http.Request) string {
	if rec := reqctx.From(r.Context()); rec != nil {
		return rec.UserID
	}
	return ""
}

// AuthLimit is the budget for login and register per client address: rpm
// attempts a minute on average, at most half of them at once.
func AuthLimit(rpm int) Limit {
	return PerMinute(rpm, max(1, rpm/2))
}

// RateLimit refuses requests over budget with 429 rate_limited and a
// Retry-After header, and tells every caller where it stands with the IETF
// draft RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers.
// When several RateLimit middlewares apply, the headers describe the budget
// closest to exhaustion. If the limiter itself fails (Redis down) the request
// goes through and the failure is logged: a broken limiter must not take the
// API down.
func RateLimit(opts RateLimitOptions) func(http.Handler) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	var lastWarn atomic.Int64 // unix nanos of the last limiter-failure log line
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := opts.Key(r)
			if key == "" {
				next.ServeHTTP(w, r)
				return
			}
			res, err := opts.Limiter.Allow(r.Context(), opts.Scope+":"+key, opts.Limit)
			if err != nil {
				// One line per 10 s is enough during an outage.
				if now, last := time.Now().UnixNano(), lastWarn.Load(); now-last > int64(10*time.Second) && lastWarn.CompareAndSwap(last, now) {
					log.WarnContext(r.Context(), "rate limiter failed; requests let through",
						slog.String("scope", opts.Scope), slog.Any("error", err))
				}
				next.ServeHTTP(w, r)
				return
			}
			setRateHeaders(w.Header(), opts.Limit, res)
			if !res.Allowed {
				opts.Metrics.rejected(opts.Scope)
				retry := max(1, ceilSeconds(res.RetryAfter))
				w.Header().Set("RateLimit-Remaining", "0")
				w.Header().Set("RateLimit-Reset", strconv.Itoa(retry))
				e := errs.E(errs.RateLimited, "too many requests; retry in %d s", retry)
				e.RetryAfterSeconds = retry
				problem.Write(w, r, e)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// setRateHeaders writes the RateLimit-* headers unless an outer budget
// already wrote tighter ones.
func setRateHeaders(h http.Header, l Limit, res Result) {
	if prev, err := strconv.Atoi(h.Get("RateLimit-Remaining")); err == nil && prev <= res.Remaining {
		return
	}
	h.Set("RateLimit-Limit", strconv.Itoa(l.Burst))
	h.Set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(ceilSeconds(res.ResetAfter)))
}

// ceilSeconds rounds d up to whole seconds, at least 1 for any positive d.
func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(d.Seconds()))
}

// KeyToken keys a request by a hash of its bearer token ("" without one),
// never by the token itself: limiter keys end up in Redis. It holds before
// the token is checked, so a flood of guesses shares one budget.
func KeyToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:16])
}
