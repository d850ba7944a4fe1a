package edge

import (
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/limit"
)

// Rate-limit scopes, used in keys and as the metric label.
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
	// Limiter decides; a limit.MemoryLimiter on one node, a limit.RedisLimiter
	// shared by all replicas.
	Limiter limit.Limiter
	// Scope names the budget (ScopeIP, ScopeUser, ...): it prefixes the key
	// and labels parley_ratelimit_rejections_total.
	Scope string
	// Limit is the budget of one key.
	Limit limit.Limit
	// Key returns the key of a request; "" lets the request through
	// unlimited (e.g. no user in the context for a per-user budget).
	Key func(r *http.Request) string
	// Metrics records rejections; may be nil.
	Metrics *Metrics
	// Errors writes the 429; nil means DefaultErrorWriter.
	Errors ErrorWriter
	// Logger reports limiter failures; nil means slog.Default().
	Logger *slog.Logger
}

// KeyClientIP keys a request by the address the ClientIP middleware resolved.
func KeyClientIP(r *http.Request) string { return ClientIPFromContext(r.Context()) }

// AuthLimit is the budget for login and register per client address: rpm
// attempts a minute on average, at most half of them at once.
func AuthLimit(rpm int) limit.Limit {
	return limit.PerMinute(rpm, max(1, rpm/2))
}

// RateLimit refuses requests over budget with 429 rate_limited and a
// Retry-After header, and tells every caller where it stands with the IETF
// draft RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers.
// When several RateLimit middlewares apply, the headers describe the budget
// closest to exhaustion. If the limiter itself fails (Redis down) the request
// goes through and the failure is logged: a broken limiter must not take the
// API down.
func RateLimit(opts RateLimitOptions) func(http.Handler) http.Handler {
	writeErr := writerOr(opts.Errors)
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
				writeErr(w, r, e)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// setRateHeaders writes the RateLimit-* headers unless an outer budget
// already wrote tighter ones.
func setRateHeaders(h http.Header, l limit.Limit, res limit.Result) {
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
