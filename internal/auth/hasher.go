package auth

import (
	"context"
	"runtime"
	"time"

	"github.com/parley-chat/parley/internal/errs"
)

// Hasher runs argon2id under a concurrency limit. Each hash holds
// Params.Memory (19 MiB) while it runs, so a burst of parallel logins hashed
// without a bound grows the process by that much per login (80 at once:
// about 1.5 GB). Beyond the limit a hash waits up to the queue wait for a
// slot, then fails with errs.Unavailable and a Retry-After.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// DefaultHashQueueWait is how long a hash waits for a slot when none is
// configured.
const DefaultHashQueueWait = 2 * time.Second

// DefaultHashConcurrency is the limit when none is configured: twice the
// CPUs Go may use (argon2id is CPU-bound, so more would only queue in the
// scheduler while holding memory).
func DefaultHashConcurrency() int { return 2 * runtime.GOMAXPROCS(0) }

// NewHasher returns a Hasher running at most limit hashes at once
// (DefaultHashConcurrency when limit ≤ 0), each waiting at most wait for a
// slot (DefaultHashQueueWait when wait < 0; 0 means not at all).
func NewHasher(limit int, wait time.Duration) *Hasher {
	if limit <= 0 {
		limit = DefaultHashConcurrency()
	}
	if wait < 0 {
		wait = DefaultHashQueueWait
	}
	return &Hasher{slots: make(chan struct{}, limit), wait: wait}
}

// Limit is the number of hashes that may run at once.
func (h *Hasher) Limit() int { return cap(h.slots) }

// Acquire holds one hashing slot until release is called. Hash and Verify
// take their own; a caller holds one directly only to keep a slot across
// several steps (tests use it to fill the limit).
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-h.slots }
	select {
	case h.slots <- struct{}{}:
		return release, nil
	default:
	}
	if h.wait > 0 {
		timer := time.NewTimer(h.wait)
		defer timer.Stop()
		select {
		case h.slots <- struct{}{}:
			return release, nil
		case <-timer.C:
		case <-ctx.Done():
			return nil, busy(ctx.Err())
		}
	}
	return nil, busy(nil)
}

func busy(cause error) error {
	return &errs.Error{Code: errs.Unavailable, Message: "too many passwords are being checked at once; try again shortly",
		RetryAfterSeconds: 1, Err: cause}
}

// Hash is HashPassword under the limit.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(pw)
}

// Verify is VerifyPassword under the limit.
func (h *Hasher) Verify(ctx context.Context, hash, pw string) (bool, error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return VerifyPassword(hash, pw)
}
