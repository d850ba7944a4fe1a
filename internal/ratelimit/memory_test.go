package ratelimit_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/ratelimit"
	"github.com/parley-chat/parley/internal/ratelimit/ratelimittest"
)

func TestMemoryLimiter(t *testing.T) {
	ratelimittest.TestLimiter(t, func(t *testing.T, clock *testkit.Clock) ratelimit.Limiter {
		return ratelimit.NewMemory(clock.Now)
	})
}
