package limit_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/limit"
	"github.com/parley-chat/parley/internal/limit/limittest"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

func TestMemoryLedger(t *testing.T) {
	limittest.TestLedger(t, func(t *testing.T, clock *limittest.Clock, n int) []limit.Ledger {
		l := limit.NewMemoryLedger(clock.Now)
		out := make([]limit.Ledger, n)
		for i := range out {
			out[i] = l
		}
		return out
	})
}

func TestRedisLedger(t *testing.T) {
	limittest.TestLedger(t, func(t *testing.T, clock *limittest.Clock, n int) []limit.Ledger {
		c, prefix := testenv.Redis(t)
		out := make([]limit.Ledger, n)
		for i := range out {
			out[i] = limit.NewRedisLedger(c, prefix, clock.Now)
		}
		return out
	})
}
