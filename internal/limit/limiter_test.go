package limit_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/limit"
	"github.com/parley-chat/parley/internal/limit/limittest"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

func TestMemoryLimiter(t *testing.T) {
	limittest.TestLimiter(t, func(t *testing.T, clock *limittest.Clock) limit.Limiter {
		return limit.NewMemoryLimiter(clock.Now)
	})
}

func TestRedisLimiter(t *testing.T) {
	limittest.TestLimiter(t, func(t *testing.T, clock *limittest.Clock) limit.Limiter {
		c, prefix := testenv.Redis(t)
		l := limit.NewRedisLimiter(c, prefix)
		l.Now = clock.Now
		return l
	})
}
