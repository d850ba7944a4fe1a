package ratelimit

import (
	"net/http"
	"sync"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
)

// Streams counts open event streams per user on this replica and caps them.
type Streams struct {
	max     int
	metrics *Metrics

	mu   sync.Mutex
	open map[string]int
}

// NewStreams returns a counter allowing max concurrent streams per user
// (0 or less: unlimited, still counted for the gauge).
func NewStreams(max int, m *Metrics) *Streams {
	return &Streams{max: max, metrics: m, open: make(map[string]int)}
}

// Acquire reserves one stream for user. It returns a release function (safe
// to call more than once) and true, or false when user is at the cap.
func (s *Streams) Acquire(user string) (release func(), ok bool) {
	s.mu.Lock()
	if s.max > 0 && s.open[user] >= s.max {
		s.mu.Unlock()
		return func() {}, false
	}
	s.open[user]++
	s.mu.Unlock()
	s.metrics.streams(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.open[user]--; s.open[user] <= 0 {
				delete(s.open, user)
			}
			s.mu.Unlock()
			s.metrics.streams(-1)
		})
	}, true
}

// Open returns how many streams user has open.
func (s *Streams) Open(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open[user]
}

// StreamLimitOptions configures the StreamLimit middleware.
type StreamLimitOptions struct {
	// Streams is the shared counter.
	Streams *Streams
	// Key returns the user of a request; "" is not counted (the handler
	// will refuse unauthenticated requests anyway).
	Key func(r *http.Request) string
}

// StreamLimit wraps the streaming routes: a request holds one of its user's
// stream slots until the handler returns, and a user at the cap gets 429
// rate_limited before anything is sent upstream.
func StreamLimit(opts StreamLimitOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user := opts.Key(r)
			if user == "" {
				next.ServeHTTP(w, r)
				return
			}
			release, ok := opts.Streams.Acquire(user)
			if !ok {
				opts.Streams.metrics.rejected(ScopeStreams)
				e := errs.E(errs.RateLimited, "too many open streams; close one and retry")
				e.RetryAfterSeconds = 1
				problem.Write(w, r, e)
				return
			}
			defer release()
			next.ServeHTTP(w, r)
		})
	}
}
