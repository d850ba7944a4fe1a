package usage

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Counter keeps each user's token total for the current UTC day, the number
// quotas are checked against. MemoryCounter serves one replica; store/redis's
// UsageCounter lets several replicas share the totals.
type Counter interface {
	// Add adds tokens to the user's total for day and returns the new total.
	Add(ctx context.Context, userID string, day time.Time, tokens int64) (int64, error)
	// Used returns the user's total for day.
	Used(ctx context.Context, userID string, day time.Time) (int64, error)
	// Reserve adds tokens to the user's total for day only if the total is
	// below quota, in one atomic step, and reports whether it did. Concurrent
	// requests each see the others' reservations, so together they overrun
	// the quota by at most one request's share.
	Reserve(ctx context.Context, userID string, day time.Time, tokens, quota int64) (bool, error)
}

// Seed loads a user's stored total for a day: the starting point of a
// counter that has not seen the user that day.
type Seed func(ctx context.Context, userID string, day time.Time) (int64, error)

// SeedFromStore sums a user's stored usage for one day.
func SeedFromStore(st Store) Seed {
	return func(ctx context.Context, userID string, day time.Time) (int64, error) {
		recs, err := st.UsageByDay(ctx, userID, day)
		if err != nil {
			return 0, fmt.Errorf("seed usage counter: %w", err)
		}
		var n int64
		for _, r := range recs {
			n += r.PromptTokens + r.CompletionTokens
		}
		return n, nil
	}
}

// MemoryCounter keeps today's totals in process memory, seeded from the
// store the first time a user is seen on a day.
type MemoryCounter struct {
	seed Seed

	mu      sync.Mutex
	day     time.Time
	entries map[string]int64
}

// NewMemoryCounter returns a Counter in memory, seeded from st.
func NewMemoryCounter(st Store) *MemoryCounter {
	return &MemoryCounter{seed: SeedFromStore(st), entries: make(map[string]int64)}
}

// Add implements Counter.
func (c *MemoryCounter) Add(ctx context.Context, userID string, day time.Time, tokens int64) (int64, error) {
	if err := c.ensure(ctx, userID, day); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case day.Before(c.day): // a call from before midnight, counted after it
		return tokens, nil
	case day.After(c.day): // the day turned while seeding: count from zero
		c.rollLocked(day)
	}
	c.entries[userID] += tokens
	return c.entries[userID], nil
}

// Reserve implements Counter.
func (c *MemoryCounter) Reserve(ctx context.Context, userID string, day time.Time, tokens, quota int64) (bool, error) {
	if err := c.ensure(ctx, userID, day); err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case day.Before(c.day): // a call from before midnight: today's quota is fresh
		return true, nil
	case day.After(c.day):
		c.rollLocked(day)
	}
	if c.entries[userID] >= quota {
		return false, nil
	}
	c.entries[userID] += tokens
	return true, nil
}

// Used implements Counter.
func (c *MemoryCounter) Used(ctx context.Context, userID string, day time.Time) (int64, error) {
	if err := c.ensure(ctx, userID, day); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.day.Equal(day) {
		return 0, nil
	}
	return c.entries[userID], nil
}

// ensure seeds the user's entry for day unless it is there. The store read
// happens outside the lock; a concurrent seed of the same user wins once.
func (c *MemoryCounter) ensure(ctx context.Context, userID string, day time.Time) error {
	c.mu.Lock()
	if c.day.Equal(day) {
		if _, ok := c.entries[userID]; ok {
			c.mu.Unlock()
			return nil
		}
	}
	c.mu.Unlock()
	n, err := c.seed(ctx, userID, day)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if day.Before(c.day) {
		return nil // a stale day; nothing to keep
	}
	if !c.day.Equal(day) {
		c.rollLocked(day)
	}
	if _, ok := c.entries[userID]; !ok {
		c.entries[userID] = n
	}
	return nil
}

// rollLocked starts a new day, forgetting the previous day's totals.
func (c *MemoryCounter) rollLocked(day time.Time) {
	c.day = day
	c.entries = make(map[string]int64)
}

var _ Counter = (*MemoryCounter)(nil)
