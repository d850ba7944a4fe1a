package auth

import (
	"context"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/errs"
)

// TestHasherLimit: beyond the limit a hash is refused with errs.Unavailable
// and a Retry-After; a slot freed during the queue wait is taken.
func TestHasherLimit(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(1, 0)
	if h.Limit() != 1 {
		t.Fatalf("limit %d", h.Limit())
	}
	release, err := h.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Hash(ctx, "a-password")
	if e, ok := errs.As(err); !ok || e.Code != errs.Unavailable || e.RetryAfterSeconds < 1 {
		t.Fatalf("hash beyond the limit: %v, want unavailable with a retry delay", err)
	}
	release()
	hash, err := h.Hash(ctx, "a-password")
	if err != nil {
		t.Fatal(err)
	}

	waiting := NewHasher(1, time.Hour)
	release, _ = waiting.Acquire(ctx)
	done := make(chan error, 1)
	go func() {
		ok, err := waiting.Verify(ctx, hash, "a-password")
		if err == nil && !ok {
			err = errs.E(errs.Internal, "no match")
		}
		done <- err
	}()
	release() // the waiting Verify takes the slot
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if NewHasher(0, -1).Limit() != DefaultHashConcurrency() {
		t.Error("limit 0 is not the default")
	}
}
