package ratelimit

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
)

// SharedStreams holds stream slots for every replica (Redis). Acquire takes
// one slot named id under every key, or none when any key is at max; the
// slots live until Release (or a lease lapses, for a replica that died).
type SharedStreams interface {
	Acquire(ctx context.Context, id string, keys []string, max int) (bool, error)
	Release(ctx context.Context, id string, keys []string) error
}

// Streams counts open event streams per key (a user, a user's API token)
// and caps them: in this replica's memory, or across replicas when a
// SharedStreams is set. Should the shared counter fail, the replica's own
// count still caps what it serves.
type Streams struct {
	max     int
	metrics *Metrics
	shared  SharedStreams
	log     *slog.Logger
	warned  atomic.Int64

	mu   sync.Mutex
	open map[string]int
}

// NewStreams returns a counter allowing max concurrent streams per key
// (0 or less: unlimited, still counted for the gauge).
func NewStreams(max int, m *Metrics) *Streams {
	return &Streams{max: max, metrics: m, open: make(map[string]int), log: slog.Default()}
}

// NewSharedStreams is NewStreams with the count held in shared, so the cap
// holds across replicas.
func NewSharedStreams(max int, m *Metrics, shared SharedStreams, log *slog.Logger) *Streams {
	s := NewStreams(max, m)
	s.shared = shared
	if log != nil {
		s.log = log
	}
	return s
}

// Acquire reserves one stream under every key, all or none. It returns a
// release function (safe to call more than once) and true, or false when
// one of the keys is at the cap.
func (s *Streams) Acquire(ctx context.Context, keys ...string) (release func(), ok bool) {
	useShared := s.shared != nil && s.max > 0
	id := ""
	if useShared {
		id = processID + "-" + strconv.FormatUint(slotSeq.Add(1), 10)
		ok, err := s.shared.Acquire(ctx, id, keys, s.max)
		switch {
		case err != nil:
			s.warn(ctx, err)
			useShared = false // fall back to this replica's count
		case !ok:
			return func() {}, false
		}
	}
	s.mu.Lock()
	if !useShared && s.max > 0 {
		for _, k := range keys {
			if s.open[k] >= s.max {
				s.mu.Unlock()
				return func() {}, false
			}
		}
	}
	for _, k := range keys {
		s.open[k]++
	}
	s.mu.Unlock()
	s.metrics.streams(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			for _, k := range keys {
				if s.open[k]--; s.open[k] <= 0 {
					delete(s.open, k)
				}
			}
			s.mu.Unlock()
			s.metrics.streams(-1)
			if useShared {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := s.shared.Release(ctx, id, keys); err != nil {
					s.warn(ctx, err)
				}
			}
		})
	}, true
}

func (s *Streams) warn(ctx context.Context, err error) {
	if now, last := time.Now().UnixNano(), s.warned.Load(); now-last > int64(10*time.Second) && s.warned.CompareAndSwap(last, now) {
		s.log.WarnContext(ctx, "shared stream counter failed; this replica's count caps streams", slog.Any("error", err))
	}
}

// Slot ids: processID tells this process's slots from another replica's.
var (
	processID = rand.Text()
	slotSeq   atomic.Uint64
)

// Open returns how many streams key has open on this replica.
func (s *Streams) Open(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open[key]
}

// StreamLimitOptions configures the StreamLimit middleware.
type StreamLimitOptions struct {
	// Streams is the shared counter.
	Streams *Streams
	// Keys returns the keys a request's stream counts under (its user, and
	// on /v1 its API token too); none: not counted (the handler will refuse
	// unauthenticated requests anyway).
	Keys func(r *http.Request) []string
}

// StreamLimit wraps the streaming routes: a request holds one slot under
// each of its keys until the handler returns, and a request one of whose
// keys is at the cap gets 429 rate_limited before anything is sent upstream.
func StreamLimit(opts StreamLimitOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			keys := opts.Keys(r)
			if len(keys) == 0 {
				next.ServeHTTP(w, r)
				return
			}
			release, ok := opts.Streams.Acquire(r.Context(), keys...)
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

// StreamKeysUser counts a stream under its user: the web chat.
func StreamKeysUser(r *http.Request) []string {
	if u := KeyUser(r); u != "" {
		return []string{"user:" + u}
	}
	return nil
}

// StreamKeysUserAndToken counts a /v1 stream under its user (one cap across
// the web chat and every API token of the user) and under its API token.
func StreamKeysUserAndToken(r *http.Request) []string {
	u, t := KeyUser(r), KeyToken(r)
	if u == "" || t == "" {
		return nil
	}
	return []string{"user:" + u, "token:" + t}
}
