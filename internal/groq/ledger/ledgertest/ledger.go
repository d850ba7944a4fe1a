package ledgertest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/groq/ledger"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

// TestLedger runs the conformance suite of ledger.Ledger. newLedgers returns
// n ledgers sharing one fresh state (replicas), reading time from clock.
func TestLedger(t *testing.T, newLedgers func(t *testing.T, clock *testkit.Clock, n int) []ledger.Ledger) {
	ctx := context.Background()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	const model = "openai/gpt-oss-120b"
	one := func(t *testing.T) (ledger.Ledger, *testkit.Clock) {
		c := testkit.NewClock(start)
		return newLedgers(t, c, 1)[0], c
	}
	acquire := func(t *testing.T, l ledger.Ledger, id string, tokens int, prefer string, orgs ...string) ledger.Grant {
		t.Helper()
		g, err := l.Acquire(ctx, ledger.AcquireRequest{Model: model, Orgs: orgs, Prefer: prefer, Tokens: tokens, ID: id, TTL: time.Minute})
		if err != nil {
			t.Fatalf("Acquire(%s): %v", id, err)
		}
		return g
	}
	headers := func(org, id string, tokensRemaining int) ledger.Observation {
		return ledger.Observation{Org: org, Model: model, ID: id, HasTokens: true, TokensLimit: 6000, TokensRemaining: tokensRemaining,
			HasRequests: true, RequestsLimit: 1000, RequestsRemaining: 900}
	}

	t.Run("unknown budgets spread in listed order, affinity wins", func(t *testing.T) {
		l, _ := one(t)
		if g := acquire(t, l, "a", 10, "", "org_a", "org_b"); g.Org != "org_a" {
			t.Fatalf("got %q, want org_a (first listed on a tie)", g.Org)
		}
		if g := acquire(t, l, "b", 10, "org_b", "org_a", "org_b"); g.Org != "org_b" {
			t.Fatalf("got %q, want preferred org_b", g.Org)
		}
	})

	t.Run("header truth and in-flight reservations gate tokens", func(t *testing.T) {
		l, clock := one(t)
		if err := l.Observe(ctx, headers("org_a", "", 1000)); err != nil {
			t.Fatal(err)
		}
		if g := acquire(t, l, "x", 2000, "org_a", "org_a", "org_b"); g.Org != "org_b" {
			t.Fatalf("got %q, want org_b: org_a has 1000 of 2000 tokens", g.Org)
		}
		g := acquire(t, l, "y", 2000, "", "org_a")
		if want := clock.Now().Add(10 * time.Second); g.Org != "" || !g.RetryAt.Equal(want) {
			t.Fatalf("got %+v, want no org and retry at %v (1000 tokens at 100/s)", g, want)
		}
		// Full bucket: two reservations of 4000 do not fit together.
		clock.Advance(time.Minute)
		if g := acquire(t, l, "r1", 4000, "", "org_a"); g.Org != "org_a" {
			t.Fatalf("r1: got %+v", g)
		}
		if g := acquire(t, l, "r2", 4000, "", "org_a"); g.Org != "" {
			t.Fatalf("r2 fits beside r1's reservation: %+v", g)
		}
		// r1 used only 1000 tokens: 5000 remain, r2 fits.
		if err := l.Release(ctx, "org_a", model, "r1", 1000, 1); err != nil {
			t.Fatal(err)
		}
		if g := acquire(t, l, "r2", 4000, "", "org_a"); g.Org != "org_a" {
			t.Fatalf("r2 after release: %+v", g)
		}
	})

	t.Run("an observed response is not charged twice", func(t *testing.T) {
		l, _ := one(t)
		if err := l.Observe(ctx, headers("org_a", "", 6000)); err != nil {
			t.Fatal(err)
		}
		acquire(t, l, "r1", 3000, "", "org_a")
		if err := l.Observe(ctx, headers("org_a", "r1", 3000)); err != nil {
			t.Fatal(err)
		}
		if err := l.Release(ctx, "org_a", model, "r1", 3000, 1); err != nil {
			t.Fatal(err)
		}
		if g := acquire(t, l, "r2", 3000, "", "org_a"); g.Org != "org_a" {
			t.Fatalf("r2: got %+v, want org_a (3000 tokens left)", g)
		}
		if g := acquire(t, l, "r3", 1, "", "org_a"); g.Org != "" {
			t.Fatalf("r3: got %+v, want none (0 tokens left)", g)
		}
	})

	t.Run("unused reservation of an observed response is credited back", func(t *testing.T) {
		l, _ := one(t)
		if err := l.Observe(ctx, headers("org_a", "", 6000)); err != nil {
			t.Fatal(err)
		}
		acquire(t, l, "r1", 3000, "", "org_a")
		if err := l.Observe(ctx, headers("org_a", "r1", 3000)); err != nil {
			t.Fatal(err)
		}
		if err := l.Release(ctx, "org_a", model, "r1", 1000, 1); err != nil {
			t.Fatal(err)
		}
		if g := acquire(t, l, "r2", 5000, "", "org_a"); g.Org != "org_a" {
			t.Fatalf("r2: got %+v, want org_a (5000 tokens left)", g)
		}
		if g := acquire(t, l, "r3", 1, "", "org_a"); g.Org != "" {
			t.Fatalf("r3: got %+v, want none", g)
		}
	})

	t.Run("a 429 cools until the reset and teaches the RPM", func(t *testing.T) {
		l, clock := one(t)
		until := clock.Now().Add(5 * time.Second)
		if err := l.Cool(ctx, ledger.Cooldown{Org: "org_a", Model: model, Until: until, Unit: ledger.UnitRPM, Limit: 2}); err != nil {
			t.Fatal(err)
		}
		if g := acquire(t, l, "a", 1, "", "org_a"); g.Org != "" || !g.RetryAt.Equal(until) {
			t.Fatalf("while cooling: got %+v, want retry at %v", g, until)
		}
		if g := acquire(t, l, "b", 1, "org_a", "org_a", "org_b"); g.Org != "org_b" {
			t.Fatalf("while cooling, failover: got %+v, want org_b", g)
		}
		clock.Advance(5 * time.Second)
		if g := acquire(t, l, "c", 1, "", "org_a"); g.Org != "org_a" {
			t.Fatalf("after the reset: got %+v", g)
		}
		if g := acquire(t, l, "d", 1, "", "org_a"); g.Org != "" || !g.RetryAt.Equal(until.Add(30*time.Second)) {
			t.Fatalf("RPM 2: got %+v, want retry at %v", g, until.Add(30*time.Second))
		}
	})

	t.Run("reservations expire", func(t *testing.T) {
		l, clock := one(t)
		if err := l.Observe(ctx, headers("org_a", "", 6000)); err != nil {
			t.Fatal(err)
		}
		acquire(t, l, "lost", 6000, "", "org_a")
		clock.Advance(time.Minute + time.Second)
		if g := acquire(t, l, "next", 6000, "", "org_a"); g.Org != "org_a" {
			t.Fatalf("after the lease expired: got %+v", g)
		}
	})

	t.Run("budgets view", func(t *testing.T) {
		l, clock := one(t)
		now := clock.Now()
		if err := l.Observe(ctx, headers("org_a", "", 3000)); err != nil {
			t.Fatal(err)
		}
		acquire(t, l, "r", 500, "", "org_a")
		if err := l.Cool(ctx, ledger.Cooldown{Org: "org_b", Model: model, Until: now.Add(time.Hour), Unit: ledger.UnitTPD}); err != nil {
			t.Fatal(err)
		}
		got, err := l.Budgets(ctx, []string{"org_a", "org_b"})
		if err != nil {
			t.Fatal(err)
		}
		want := []ledger.Budget{
			{Org: "org_a", Model: model, RequestsLimit: 1000, RequestsRemaining: 900, RequestsResetAt: now.Add(8640 * time.Second),
				TokensLimit: 6000, TokensRemaining: 3000, TokensResetAt: now.Add(30 * time.Second), InFlightTokens: 500, InFlightRequests: 1},
			{Org: "org_b", Model: model, CoolingUntil: now.Add(time.Hour), CoolingUnit: ledger.UnitTPD},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("budgets (-want +got):\n%s", d)
		}
	})

	t.Run("dead keys and learned orgs", func(t *testing.T) {
		ls := newLedgers(t, testkit.NewClock(start), 2)
		if err := ls[0].MarkDead(ctx, "fp_00000001", "invalid_api_key", start.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ls[0].LearnOrg(ctx, "fp_00000002", "org_x"); err != nil {
			t.Fatal(err)
		}
		dead, orgs, err := ls[1].Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(map[string]string{"fp_00000001": "invalid_api_key"}, dead); d != "" {
			t.Errorf("dead (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[string]string{"fp_00000002": "org_x"}, orgs); d != "" {
			t.Errorf("orgs (-want +got):\n%s", d)
		}
	})

	t.Run("dead marks lapse at their deadline and can be cleared", func(t *testing.T) {
		clock := testkit.NewClock(start)
		ls := newLedgers(t, clock, 2)
		mark := func(fp string, d time.Duration) {
			t.Helper()
			if err := ls[0].MarkDead(ctx, fp, "invalid_api_key (401)", clock.Now().Add(d)); err != nil {
				t.Fatal(err)
			}
		}
		dead := func() map[string]string {
			t.Helper()
			d, _, err := ls[1].Keys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		mark("fp_short", time.Hour)
		mark("fp_long", 24*time.Hour)
		mark("fp_revived", 24*time.Hour)
		if err := ls[1].ReviveKey(ctx, "fp_revived"); err != nil {
			t.Fatal(err)
		}
		if err := ls[1].ReviveKey(ctx, "fp_never_dead"); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"fp_short": "invalid_api_key (401)", "fp_long": "invalid_api_key (401)"}
		if d := cmp.Diff(want, dead()); d != "" {
			t.Fatalf("dead (-want +got):\n%s", d)
		}
		clock.Advance(time.Hour) // the deadline itself is past the mark
		if d := cmp.Diff(map[string]string{"fp_long": "invalid_api_key (401)"}, dead()); d != "" {
			t.Fatalf("after an hour, dead (-want +got):\n%s", d)
		}
		mark("fp_short", time.Hour) // marked again after a new refusal
		clock.Advance(23 * time.Hour)
		if d := cmp.Diff(map[string]string{}, dead()); d != "" {
			t.Fatalf("after a day, dead (-want +got):\n%s", d)
		}
	})

	t.Run("replicas together grant no more than the RPM", func(t *testing.T) {
		clock := testkit.NewClock(start)
		ls := newLedgers(t, clock, 3)
		if err := ls[0].Cool(ctx, ledger.Cooldown{Org: "org_a", Model: model, Until: clock.Now(), Unit: ledger.UnitRPM, Limit: 10}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute) // the RPM bucket is full again
		var (
			mu      sync.Mutex
			granted int
			wg      sync.WaitGroup
		)
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g, err := ls[i%3].Acquire(ctx, ledger.AcquireRequest{Model: model, Orgs: []string{"org_a"}, Tokens: 1, ID: fmt.Sprint(i), TTL: time.Minute})
				if err != nil {
					t.Error(err)
					return
				}
				if g.Org != "" {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if granted != 10 {
			t.Fatalf("granted %d of 30 requests, want exactly the RPM of 10", granted)
		}
	})
}
