package ledger_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/groq/ledger"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

// TestRedisLedgerForgetsLapsedMarks: Redis keeps no dead mark past its
// deadline (read once after it lapsed), and a mark written before marks had
// deadlines counts as lapsed.
func TestRedisLedgerForgetsLapsedMarks(t *testing.T) {
	ctx := t.Context()
	c, prefix := testenv.Redis(t)
	clock := testkit.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	l := ledger.NewRedis(c, prefix, clock.Now)
	hash := prefix + "pool:dead"
	if err := c.HSet(ctx, hash, "fp_legacy", "invalid_api_key (401)").Err(); err != nil {
		t.Fatal(err)
	}
	if err := l.MarkDead(ctx, "fp_000000aa", "invalid_api_key (401)", clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	dead, _, err := l.Keys(ctx)
	if err != nil || len(dead) != 1 || dead["fp_000000aa"] != "invalid_api_key (401)" {
		t.Fatalf("Keys = %v, %v; want only the marked key", dead, err)
	}
	if n := c.HLen(ctx, hash).Val(); n != 1 {
		t.Fatalf("%d fields after the legacy mark was read, want 1", n)
	}
	clock.Advance(time.Hour)
	if dead, _, err = l.Keys(ctx); err != nil || len(dead) != 0 {
		t.Fatalf("Keys after the deadline = %v, %v; want none", dead, err)
	}
	if n := c.HLen(ctx, hash).Val(); n != 0 {
		t.Fatalf("%d lapsed marks left in Redis, want 0", n)
	}
}
