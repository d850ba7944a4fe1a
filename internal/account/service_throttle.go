package account

import (
	"context"
	"sync"
	"time"
)

// Throttle slows down repeated failed logins for one key (an email or a
// client address). The memory implementation serves one replica; a Redis
// one can back it later for several.
type Throttle interface {
	// Wait returns how long key must wait before its next attempt (0: now).
	Wait(ctx context.Context, key string) (time.Duration, error)
	// Fail records a failed attempt for key.
	Fail(ctx context.Context, key string) error
	// Reset forgets key's failures (after a successful login).
	Reset(ctx context.Context, key string) error
}

// ThrottlePolicy is an exponential back-off: after Free failures each
// further failure doubles the wait, starting at Base, capped at Max. Failures
// are forgotten after Window without one.
type ThrottlePolicy struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Window time.Duration
}

// Default policies: per account, 5 free failures; per client address 20
// (several people may share one address).
var (
	DefaultThrottlePolicy        = ThrottlePolicy{Free: 5, Base: time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
	DefaultAddressThrottlePolicy = ThrottlePolicy{Free: 20, Base: time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
)

// Delay is the wait imposed after the given number of consecutive failures.
func (p ThrottlePolicy) Delay(failures int) time.Duration {
	over := failures - p.Free
	if over <= 0 {
		return 0
	}
	d := p.Base
	for i := 1; i < over && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// MemoryThrottle is an in-process Throttle.
type MemoryThrottle struct {
	policy ThrottlePolicy
	now    func() time.Time
	mu     sync.Mutex
	byKey  map[string]*throttleEntry
}

type throttleEntry struct {
	failures int
	last     time.Time
}

// maxThrottleKeys bounds memory under a spray of distinct keys.
const maxThrottleKeys = 100_000

// NewMemoryThrottle returns an in-memory throttle with policy and clock now
// (time.Now when nil).
func NewMemoryThrottle(policy ThrottlePolicy, now func() time.Time) *MemoryThrottle {
	if now == nil {
		now = time.Now
	}
	return &MemoryThrottle{policy: policy, now: now, byKey: map[string]*throttleEntry{}}
}

// Wait implements Throttle.
func (t *MemoryThrottle) Wait(_ context.Context, key string) (time.Duration, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.live(key)
	if e == nil {
		return 0, nil
	}
	until := e.last.Add(t.policy.Delay(e.failures))
	return max(until.Sub(t.now()), 0), nil
}

// Fail implements Throttle.
func (t *MemoryThrottle) Fail(_ context.Context, key string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.live(key)
	if e == nil {
		if len(t.byKey) >= maxThrottleKeys {
			t.sweep()
		}
		e = &throttleEntry{}
		t.byKey[key] = e
	}
	e.failures++
	e.last = t.now()
	return nil
}

// Reset implements Throttle.
func (t *MemoryThrottle) Reset(_ context.Context, key string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byKey, key)
	return nil
}

// live returns key's entry unless its failures have been forgotten.
func (t *MemoryThrottle) live(key string) *throttleEntry {
	e := t.byKey[key]
	if e == nil {
		return nil
	}
	if t.now().Sub(e.last) > t.policy.Window+t.policy.Delay(e.failures) {
		delete(t.byKey, key)
		return nil
	}
	return e
}

func (t *MemoryThrottle) sweep() {
	for k := range t.byKey {
		t.live(k)
	}
}

var _ Throttle = (*MemoryThrottle)(nil)
