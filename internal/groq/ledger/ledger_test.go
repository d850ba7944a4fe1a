package ledger_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/groq/ledger"
	"github.com/parley-chat/parley/internal/groq/ledger/ledgertest"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

func TestMemoryLedger(t *testing.T) {
	ledgertest.TestLedger(t, func(t *testing.T, clock *testkit.Clock, n int) []ledger.Ledger {
		l := ledger.NewMemory(clock.Now)
		out := make([]ledger.Ledger, n)
		for i := range out {
			out[i] = l
		}
		return out
	})
}

func TestRedisLedger(t *testing.T) {
	ledgertest.TestLedger(t, func(t *testing.T, clock *testkit.Clock, n int) []ledger.Ledger {
		c, prefix := testenv.Redis(t)
		out := make([]ledger.Ledger, n)
		for i := range out {
			out[i] = ledger.NewRedis(c, prefix, clock.Now)
		}
		return out
	})
}

func TestFailoverLedger(t *testing.T) {
	t.Run("conformance with Redis up", func(t *testing.T) {
		ledgertest.TestLedger(t, func(t *testing.T, clock *testkit.Clock, n int) []ledger.Ledger {
			c, prefix := testenv.Redis(t)
			out := make([]ledger.Ledger, n)
			for i := range out {
				out[i] = ledger.NewFailover(ledger.NewRedis(c, prefix, clock.Now), clock.Now, slog.New(slog.DiscardHandler))
			}
			return out
		})
	})
	t.Run("conformance with Redis down", func(t *testing.T) {
		ledgertest.TestLedger(t, func(t *testing.T, clock *testkit.Clock, n int) []ledger.Ledger {
			c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
			t.Cleanup(func() { _ = c.Close() })
			f := ledger.NewFailover(ledger.NewRedis(c, "x:", clock.Now), clock.Now, slog.New(slog.DiscardHandler))
			out := make([]ledger.Ledger, n)
			for i := range out {
				out[i] = f // one replica's memory is all there is
			}
			return out
		})
	})
}
