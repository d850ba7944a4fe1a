package redis_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/ratelimit"
	"github.com/parley-chat/parley/internal/ratelimit/ratelimittest"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
)

func TestRedisLimiter(t *testing.T) {
	ratelimittest.TestLimiter(t, func(t *testing.T, clock *testkit.Clock) ratelimit.Limiter {
		c, prefix := testenv.Redis(t)
		l := redisstore.NewLimiter(c, prefix)
		l.Now = clock.Now
		return l
	})
}

// TestRedisLimiterServerClock checks the production setting: no injected
// clock, Redis's own TIME.
func TestRedisLimiterServerClock(t *testing.T) {
	c, prefix := testenv.Redis(t)
	l := redisstore.NewLimiter(c, prefix)
	lim := ratelimit.Limit{Rate: 0.001, Burst: 2} // refills far slower than the test runs
	for i, want := range []bool{true, true, false} {
		r, err := l.Allow(t.Context(), "k", lim)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed != want {
			t.Fatalf("event %d: allowed %v, want %v (%+v)", i, r.Allowed, want, r)
		}
		if !want && r.RetryAfter <= 0 {
			t.Fatalf("denied without a RetryAfter: %+v", r)
		}
	}
}
