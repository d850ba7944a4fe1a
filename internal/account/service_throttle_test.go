package account

import (
	"context"
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
	wait := func() time.Duration {
		d, err := th.Wait(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	_ = th.Fail(ctx, "k")
	if d := wait(); d != 0 {
		t.Fatalf("after the free failure: wait %v", d)
	}
	_ = th.Fail(ctx, "k")
	if d := wait(); d != time.Second {
		t.Fatalf("after 2 failures: wait %v, want 1s", d)
	}
	now = now.Add(500 * time.Millisecond)
	if d := wait(); d != 500*time.Millisecond {
		t.Fatalf("wait counts down: %v", d)
	}
	if d, _ := th.Wait(ctx, "other"); d != 0 {
		t.Fatalf("another key waits %v", d)
	}
	// Failures are forgotten after a quiet window.
	now = now.Add(2 * time.Minute)
	_ = th.Fail(ctx, "k")
	if d := wait(); d != 0 {
		t.Fatalf("after the window: wait %v", d)
	}
	_ = th.Fail(ctx, "k")
	_ = th.Reset(ctx, "k")
	if d := wait(); d != 0 {
		t.Fatalf("after reset: wait %v", d)
	}
}
