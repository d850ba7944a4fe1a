package redis_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
)

// TestRedisThrottleAcrossReplicas: two throttles on one Redis (two
// replicas) see each other's failures, and together answer exactly as one
// in-memory throttle given the same sequence.
func TestRedisThrottleAcrossReplicas(t *testing.T) {
	policy := account.ThrottlePolicy{Free: 2, Base: time.Second, Max: 8 * time.Second, Window: time.Minute}
	clock := testkit.NewClock(time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC))
	c1, prefix := testenv.Redis(t)
	c2, _ := testenv.Redis(t)
	a := redisstore.NewThrottle(c1, prefix, policy, nil, nil)
	b := redisstore.NewThrottle(c2, prefix, policy, nil, nil)
	a.Now, b.Now = clock.Now, clock.Now
	mem := account.NewMemoryThrottle(policy, clock.Now)
	replicas := map[string]account.Throttle{"a": a, "b": b}
	ctx := context.Background()
	const key = "login:acct:someone"

	steps := []struct {
		op, on  string        // take, refund, reset, tick
		advance time.Duration // for tick
	}{
		{"take", "a", 0}, {"take", "b", 0}, {"take", "a", 0}, // 2 free failures, the third starts the back-off
		{"take", "b", 0},                                              // 1s
		{"tick", "", time.Second}, {"take", "b", 0}, {"take", "a", 0}, // 2s
		{"tick", "", 1500 * time.Millisecond}, {"take", "b", 0}, // 0.5s left
		{"tick", "", 500 * time.Millisecond}, {"take", "a", 0}, {"refund", "b", 0}, {"take", "a", 0}, // refunded: taken again
		{"take", "b", 0}, // and 4s after that
		{"reset", "b", 0}, {"take", "a", 0},
		{"take", "a", 0}, {"take", "b", 0}, {"take", "a", 0},
		{"tick", "", time.Minute + 2*time.Second}, {"take", "b", 0}, // forgotten after the window
		{"take", "b", 0}, {"take", "a", 0}, {"take", "a", 0}, // counting starts again
	}
	var got, want []time.Duration
	for i, s := range steps {
		switch s.op {
		case "tick":
			clock.Advance(s.advance)
		case "refund":
			if err := replicas[s.on].Refund(ctx, key); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			_ = mem.Refund(ctx, key)
		case "reset":
			if err := replicas[s.on].Reset(ctx, key); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			_ = mem.Reset(ctx, key)
		case "take":
			w, err := replicas[s.on].Take(ctx, key)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			m, _ := mem.Take(ctx, key)
			got, want = append(got, w), append(want, m)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("waits across two replicas vs one memory throttle (-want +got)\n%s", diff)
	}
	s := time.Second
	wantWaits := []time.Duration{0, 0, 0, s, 0, 2 * s, 500 * time.Millisecond, 0, 0, 4 * s, 0, 0, 0, s, 0, 0, 0, s}
	if diff := cmp.Diff(wantWaits, got); diff != "" {
		t.Errorf("waits (-want +got)\n%s", diff)
	}
	if w, _ := a.Take(ctx, "login:acct:someone-else"); w != 0 {
		t.Errorf("another key waits %s", w)
	}
}

// TestRedisThrottleTakeIsAtomic: 16 attempts racing on one key through
// two replicas sharing one Redis get no more slots than sequential ones.
func TestRedisThrottleTakeIsAtomic(t *testing.T) {
	c1, prefix := testenv.Redis(t)
	c2, _ := testenv.Redis(t)
	replicas := []*redisstore.Throttle{
		redisstore.NewThrottle(c1, prefix, account.DefaultThrottlePolicy, nil, nil),
		redisstore.NewThrottle(c2, prefix, account.DefaultThrottlePolicy, nil, nil),
	}
	ctx := context.Background()
	sequential := 0
	for i := range 16 {
		if d, err := replicas[i%2].Take(ctx, "sequential"); err != nil {
			t.Fatal(err)
		} else if d == 0 {
			sequential++
		}
	}
	if want := account.DefaultThrottlePolicy.Free + 1; sequential != want {
		t.Fatalf("sequential attempts granted: %d, want %d", sequential, want)
	}
	var wg sync.WaitGroup
	var granted atomic.Int32
	start := make(chan struct{})
	for i := range 16 {
		wg.Go(func() {
			<-start
			d, err := replicas[i%2].Take(ctx, "parallel")
			if err != nil {
				t.Error(err)
			}
			if d == 0 {
				granted.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if int(granted.Load()) > sequential {
		t.Errorf("16 parallel attempts on two replicas: %d granted, sequential ones get %d", granted.Load(), sequential)
	}
}

// TestRedisThrottleServerClock: without an injected clock both replicas use
// Redis's TIME, and an expiry is set so keys do not pile up.
func TestRedisThrottleServerClock(t *testing.T) {
	policy := account.ThrottlePolicy{Free: 0, Base: time.Hour, Max: time.Hour, Window: time.Minute}
	c, prefix := testenv.Redis(t)
	a := redisstore.NewThrottle(c, prefix, policy, nil, nil)
	b := redisstore.NewThrottle(c, prefix, policy, nil, nil)
	ctx := context.Background()
	if w, err := a.Take(ctx, "k"); err != nil || w != 0 {
		t.Fatal(w, err)
	}
	w, err := b.Take(ctx, "k")
	if err != nil || w < 59*time.Minute || w > time.Hour {
		t.Errorf("wait after one failure with no free ones: %s %v", w, err)
	}
	ttl, err := c.PTTL(ctx, prefix+"throttle:k").Result()
	if err != nil || ttl <= time.Hour || ttl > time.Hour+time.Minute+2*time.Second {
		t.Errorf("expiry %s %v, want window + delay", ttl, err)
	}
}

// TestRedisThrottleOutage: with Redis unreachable logins are still
// throttled, per replica, and the outage is logged once, without the key.
func TestRedisThrottleOutage(t *testing.T) {
	policy := account.ThrottlePolicy{Free: 1, Base: time.Second, Max: time.Minute, Window: time.Minute}
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = dead.Close() })
	var logs bytes.Buffer
	clock := testkit.NewClock(time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC))
	fallback := account.NewMemoryThrottle(policy, clock.Now)
	th := redisstore.NewThrottle(dead, "p:", policy, fallback, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	for range 2 {
		if _, err := th.Take(ctx, "login:addr:203.0.113.9"); err != nil {
			t.Fatal(err)
		}
	}
	w, err := th.Take(ctx, "login:addr:203.0.113.9")
	if err != nil || w != time.Second {
		t.Errorf("wait during an outage: %s %v, want 1s from the fallback", w, err)
	}
	if n := strings.Count(logs.String(), "Redis unavailable"); n != 1 {
		t.Errorf("outage logged %d times:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "203.0.113.9") {
		t.Error("the log names the throttled key")
	}
}
