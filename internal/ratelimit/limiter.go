// Package ratelimit holds parley's rate limits: the GCRA Limiter (in memory
// here, shared through Redis in store/redis; both pass ratelimittest), the
// HTTP middleware that applies each route's budgets, and the cap on
// concurrent event streams.
package ratelimit

import (
	"context"
	"math"
	"time"

	"github.com/parley-chat/parley/internal/errs"
)

// Limit is a rate: Rate events per second on average, with up to Burst at once.
type Limit struct {
	Rate  float64
	Burst int
}

// PerMinute returns a Limit of n events per minute with a burst of burst.
func PerMinute(n, burst int) Limit { return Limit{Rate: float64(n) / 60, Burst: burst} }

// Result is the answer of one Allow call.
type Result struct {
	Allowed bool
	// Remaining is how many more events would be allowed right now.
	Remaining int
	// RetryAfter is how long to wait before the next event can be allowed
	// (zero when Allowed).
	RetryAfter time.Duration
	// ResetAfter is how long until the limiter is back to a full burst.
	ResetAfter time.Duration
}

// Limiter decides whether one more event under key fits its Limit.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Result, error)
}

// validate rejects limits that cannot be enforced.
func (l Limit) Validate() error {
	if !(l.Rate > 0) || math.IsInf(l.Rate, 0) || l.Burst < 1 {
		return errs.E(errs.Invalid, "rate limit needs a positive rate and a burst of at least 1")
	}
	return nil
}

// gcra is the shared arithmetic of the generic cell rate algorithm in
// nanoseconds: tat is the stored theoretical arrival time (0 when none).
// It returns the new tat (unchanged when denied) and the result.
func gcra(now, tat int64, l Limit) (int64, Result) {
	interval := int64(float64(time.Second) / l.Rate)
	if interval < 1 {
		interval = 1
	}
	tolerance := interval * int64(l.Burst)
	if tat < now {
		tat = now
	}
	newTAT := tat + interval
	if diff := newTAT - now; diff > tolerance {
		return tat, Result{
			Allowed:    false,
			Remaining:  0,
			RetryAfter: time.Duration(diff - tolerance),
			ResetAfter: time.Duration(tat - now),
		}
	}
	return newTAT, Result{
		Allowed:    true,
		Remaining:  int((tolerance - (newTAT - now)) / interval),
		ResetAfter: time.Duration(newTAT - now),
	}
}
