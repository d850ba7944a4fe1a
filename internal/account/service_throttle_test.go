package account

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestThrottlePolicyDelay(t *testing.T) {
	p := ThrottlePolicy{Free: 2, Base: time.Second, Max: 10 * time.Second, Window: time.Minute}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for failures, w := range want {
		if got := p.Delay(failures); got != w {
			t.Errorf("Delay(%d) = %v, want %v", failures, got, w)
		}
	}
}

func TestMemoryThrottle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewMemoryThrottle(ThrottlePolicy{Free: 1, Base: time.Second, Max: time.Minute, Window: time.Minute}, func() time.Time { return now })
	take := func(key string) time.Duration {
		t.Helper()
		d, err := th.Take(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := take("k"); d != 0 {
		t.Fatalf("first attempt: wait %v", d)
	}
	if d := take("k"); d != 0 {
		t.Fatalf("after the free failure: wait %v", d)
	}
	if d := take("k"); d != time.Second {
		t.Fatalf("after 2 failures: wait %v, want 1s", d)
	}
	now = now.Add(500 * time.Millisecond)
	if d := take("k"); d != 500*time.Millisecond {
		t.Fatalf("wait counts down, and a refused attempt counts nothing: %v", d)
	}
	if d := take("other"); d != 0 {
		t.Fatalf("another key waits %v", d)
	}
	now = now.Add(500 * time.Millisecond)
	if d := take("k"); d != 0 { // third failure, taken once the second's wait is over
		t.Fatalf("after the wait: %v", d)
	}
	// Refund gives that attempt back: the count and the clock are as before it.
	if err := th.Refund(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if d := take("k"); d != 0 {
		t.Fatalf("after a refund: wait %v, want none (the back-off clock restored)", d)
	}
	if d := take("k"); d != 2*time.Second {
		t.Fatalf("after 3 failures: wait %v, want 2s", d)
	}
	// Failures are forgotten after a quiet window.
	now = now.Add(2 * time.Minute)
	if d := take("k"); d != 0 {
		t.Fatalf("after the window: wait %v", d)
	}
	if d := take("k"); d != 0 {
		t.Fatalf("counting starts again: wait %v", d)
	}
	_ = th.Reset(ctx, "k")
	if d := take("k"); d != 0 {
		t.Fatalf("after reset: wait %v", d)
	}
	// Refunding the only attempt forgets the key.
	_ = th.Refund(ctx, "other")
	if len(th.byKey) != 1 {
		t.Errorf("%d keys kept, want 1", len(th.byKey))
	}
}

// TestMemoryThrottleTakeIsAtomic: attempts racing for one key get exactly
// as many slots as attempts made one after another.
func TestMemoryThrottleTakeIsAtomic(t *testing.T) {
	th := NewMemoryThrottle(DefaultThrottlePolicy, nil)
	takeRace(t, func() Throttle { return th })
}

// takeRace checks a Throttle implementation: 16 parallel Takes of one key on
// the throttles newThrottle returns (called once per goroutine, so several
// replicas can share one backend) are granted no more often than sequential
// ones on a fresh key.
func takeRace(t *testing.T, newThrottle func() Throttle) {
	t.Helper()
	ctx := context.Background()
	seq := newThrottle()
	sequential := 0
	for range 16 {
		if d, err := seq.Take(ctx, "sequential"); err != nil {
			t.Fatal(err)
		} else if d == 0 {
			sequential++
		}
	}
	if want := DefaultThrottlePolicy.Free + 1; sequential != want {
		t.Fatalf("sequential attempts granted: %d, want %d", sequential, want)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	start := make(chan struct{})
	for range 16 {
		th := newThrottle()
		wg.Go(func() {
			<-start
			d, err := th.Take(ctx, "parallel")
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if d == 0 {
				granted++
			}
		})
	}
	close(start)
	wg.Wait()
	if granted > sequential {
		t.Errorf("16 parallel attempts: %d granted, sequential ones get %d", granted, sequential)
	}
}
