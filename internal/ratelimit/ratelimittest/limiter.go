package ratelimittest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/ratelimit"
)

// TestLimiter runs the conformance suite of ratelimit.Limiter. newLimiter must
// return a fresh limiter (empty state) reading time from clock.
func TestLimiter(t *testing.T, newLimiter func(t *testing.T, clock *testkit.Clock) ratelimit.Limiter) {
	ctx := context.Background()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

	t.Run("burst then steady rate", func(t *testing.T) {
		clock := testkit.NewClock(start)
		l := newLimiter(t, clock)
		lim := ratelimit.Limit{Rate: 10, Burst: 3} // one every 100ms
		var got []ratelimit.Result
		for range 4 {
			r, err := l.Allow(ctx, "user:1", lim)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		want := []ratelimit.Result{
			{Allowed: true, Remaining: 2, ResetAfter: 100 * time.Millisecond},
			{Allowed: true, Remaining: 1, ResetAfter: 200 * time.Millisecond},
			{Allowed: true, Remaining: 0, ResetAfter: 300 * time.Millisecond},
			{Allowed: false, Remaining: 0, RetryAfter: 100 * time.Millisecond, ResetAfter: 300 * time.Millisecond},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("results (-want +got):\n%s", d)
		}
		clock.Advance(100 * time.Millisecond)
		r, err := l.Allow(ctx, "user:1", lim)
		if err != nil || !r.Allowed || r.Remaining != 0 {
			t.Fatalf("after one interval: %+v, %v; want allowed with 0 remaining", r, err)
		}
		clock.Advance(time.Second)
		r, err = l.Allow(ctx, "user:1", lim)
		if err != nil || !r.Allowed || r.Remaining != 2 {
			t.Fatalf("after a full refill: %+v, %v; want allowed with 2 remaining", r, err)
		}
	})

	t.Run("keys are independent", func(t *testing.T) {
		clock := testkit.NewClock(start)
		l := newLimiter(t, clock)
		lim := ratelimit.Limit{Rate: 1, Burst: 1}
		for _, key := range []string{"a", "b"} {
			r, err := l.Allow(ctx, key, lim)
			if err != nil || !r.Allowed {
				t.Fatalf("first event of %s: %+v, %v", key, r, err)
			}
		}
		r, _ := l.Allow(ctx, "a", lim)
		if r.Allowed || r.RetryAfter != time.Second {
			t.Fatalf("second event of a: %+v; want denied, retry after 1s", r)
		}
	})

	t.Run("invalid limit", func(t *testing.T) {
		l := newLimiter(t, testkit.NewClock(start))
		for _, lim := range []ratelimit.Limit{{Rate: 0, Burst: 1}, {Rate: 1, Burst: 0}, {Rate: -1, Burst: 5}} {
			if _, err := l.Allow(ctx, "k", lim); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("Allow(%+v) error = %v; want code invalid", lim, err)
			}
		}
	})
}
