package usage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/platform/testenv"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
	"github.com/parley-chat/parley/internal/usage"
)

// TestCounters runs the same behaviour on both Counter implementations:
// seeded from the store, summed per user and day, and (for Redis) shared by
// two replicas.
func TestCounters(t *testing.T) {
	for _, b := range backends(t) {
		impls := []struct {
			name string
			new  func(t *testing.T) (usage.Counter, usage.Counter) // two replicas
		}{
			{"memory", func(t *testing.T) (usage.Counter, usage.Counter) {
				c := usage.NewMemoryCounter(b.store)
				return c, c
			}},
			{"redis", func(t *testing.T) (usage.Counter, usage.Counter) {
				rdb, prefix := testenv.Redis(t)
				return redisstore.NewUsageCounter(rdb, prefix, b.store), redisstore.NewUsageCounter(rdb, prefix, b.store)
			}},
		}
		for _, impl := range impls {
			t.Run(b.name+"/"+impl.name, func(t *testing.T) {
				ctx := context.Background()
				u := newUser(t, b.accounts, impl.name+"@example.com", nil)
				day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
				// Usage written before this process started: the seed.
				if err := b.store.AddUsage(ctx, []usage.Record{{UserID: u.ID, Day: day, Model: "m", Requests: 1, PromptTokens: 30, CompletionTokens: 12}}); err != nil {
					t.Fatal(err)
				}
				a, c := impl.new(t)
				if got, err := a.Used(ctx, u.ID, day); err != nil || got != 42 {
					t.Fatalf("Used after seed = %d, %v; want 42", got, err)
				}
				if got, err := a.Add(ctx, u.ID, day, 8); err != nil || got != 50 {
					t.Fatalf("Add = %d, %v; want 50", got, err)
				}
				if got, err := c.Add(ctx, u.ID, day, 50); err != nil || got != 100 {
					t.Fatalf("Add on the second replica = %d, %v; want 100", got, err)
				}
				next := day.Add(24 * time.Hour)
				if got, err := a.Used(ctx, u.ID, next); err != nil || got != 0 {
					t.Fatalf("Used next day = %d, %v; want 0", got, err)
				}
				if got, err := a.Add(ctx, u.ID, next, 5); err != nil || got != 5 {
					t.Fatalf("Add next day = %d, %v; want 5", got, err)
				}
				// A call from before midnight, counted late, leaves today alone.
				if _, err := a.Add(ctx, u.ID, day, 1); err != nil {
					t.Fatal(err)
				}
				if got, err := c.Used(ctx, u.ID, next); err != nil || got != 5 {
					t.Fatalf("Used next day after a late call = %d, %v; want 5", got, err)
				}
				// 50 racing reservations of 10 below a quota of 105, from
				// both replicas: exactly 10 fit (5 + 10×10 = 105).
				var wg sync.WaitGroup
				var taken atomic.Int64
				for i := range 50 {
					r := a
					if i%2 == 1 {
						r = c
					}
					wg.Go(func() {
						ok, err := r.Reserve(ctx, u.ID, next, 10, 105)
						if err != nil {
							t.Error(err)
						}
						if ok {
							taken.Add(1)
						}
					})
				}
				wg.Wait()
				if got, err := a.Used(ctx, u.ID, next); taken.Load() != 10 || err != nil || got != 105 {
					t.Fatalf("%d of 50 reservations taken, total %d (%v); want 10 and 105", taken.Load(), got, err)
				}
			})
		}
	}
}
