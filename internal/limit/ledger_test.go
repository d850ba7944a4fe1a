package limit_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

func TestFailoverLedger(t *testing.T) {
	t.Run("conformance with Redis up", func(t *testing.T) {
		limittest.TestLedger(t, func(t *testing.T, clock *limittest.Clock, n int) []limit.Ledger {
			c, prefix := testenv.Redis(t)
			out := make([]limit.Ledger, n)
			for i := range out {
				out[i] = limit.NewFailoverLedger(limit.NewRedisLedger(c, prefix, clock.Now), clock.Now, slog.New(slog.DiscardHandler))
			}
			return out
		})
	})
	t.Run("conformance with Redis down", func(t *testing.T) {
		limittest.TestLedger(t, func(t *testing.T, clock *limittest.Clock, n int) []limit.Ledger {
			c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
			t.Cleanup(func() { _ = c.Close() })
			f := limit.NewFailoverLedger(limit.NewRedisLedger(c, "x:", clock.Now), clock.Now, slog.New(slog.DiscardHandler))
			out := make([]limit.Ledger, n)
			for i := range out {
				out[i] = f // one replica's memory is all there is
			}
			return out
		})
	})
}
