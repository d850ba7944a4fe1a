package account

import (
	"context"
	"sync"
	"time"
)

// Throttle slows down repeated failed logins for one key (an account, an
// account from one address, or a client address). An attempt takes its slot
// before the password is checked, atomically, so guesses sent in parallel get
// no more tries than guesses sent one after another; the memory
// implementation serves one replica, the Redis one (store/redis) all of them.
type Throttle interface {
	// Take reserves one attempt for key. When key may try now, Take counts
	// the attempt as a failure and returns 0; the caller gives it back with
	// Refund or Reset if it turns out not to be one. Otherwise Take counts
	// nothing and returns how long key must still wait.
	Take(ctx context.Context, key string) (time.Duration, error)
	// Refund gives back one attempt Take counted: the count drops by one and
	// the back-off clock returns to the attempt before it.
	Refund(ctx context.Context, key string) error
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

// Default policies. DefaultThrottlePolicy holds one account as tried from one
// client address: 5 free failures, then up to 15 minutes between tries; it is
// what stops a guesser, and it never slows the account's owner at another
// address. DefaultAccountWidePolicy holds one account from every address
// together (guesses spread over many addresses): 20 free failures, then waits
// capped at one minute, so a stranger can never keep the owner out for
// longer than that per try. DefaultAddressThrottlePolicy holds one client
// address over every account: 20 free (several people may share one address).
var (
	DefaultThrottlePolicy        = ThrottlePolicy{Free: 5, Base: time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
	DefaultAccountWidePolicy     = ThrottlePolicy{Free: 20, Base: time.Second, Max: time.Minute, Window: 15 * time.Minute}
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
	last     time.Time // of the latest counted attempt
	prev     time.Time // of the one before it (what Refund restores)
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

// Take implements Throttle.
func (t *MemoryThrottle) Take(_ context.Context, key string) (time.Duration, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	e := t.live(key)
	if e != nil {
		if wait := e.last.Add(t.policy.Delay(e.failures)).Sub(now); wait > 0 {
			return wait, nil
		}
	} else {
		if len(t.byKey) >= maxThrottleKeys {
			t.sweep()
		}
		e = &throttleEntry{last: now}
		t.byKey[key] = e
	}
	e.failures++
	e.prev, e.last = e.last, now
	return 0, nil
}

// Refund implements Throttle.
func (t *MemoryThrottle) Refund(_ context.Context, key string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.live(key)
	if e == nil {
		return nil
	}
	e.failures--
	if e.failures <= 0 {
		delete(t.byKey, key)
		return nil
	}
	e.last = e.prev
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
