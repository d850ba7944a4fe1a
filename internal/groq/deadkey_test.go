package groq_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groq/ledger"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestDeadKeyMarkLapses: a refused key stays out for DeadKeyTTL, is tried
// once when the mark lapses (refused again: out for another TTL), and serves
// again once Groq takes it back. Two replicas share the mark through Redis.
func TestDeadKeyMarkLapses(t *testing.T) {
	const ttl = time.Hour
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_flaky_key", "gsk_steady_key"}})
	e.mock.RevokeKey("gsk_flaky_key")
	rc, prefix := testenv.Redis(t)
	var replicas []*groq.Pool
	for range 2 {
		replicas = append(replicas, e.pool([]string{"gsk_flaky_key@org_a", "gsk_steady_key@org_a"}, func(o *groq.Options) {
			o.Ledger = ledger.NewRedis(rc, prefix, e.clock.Now)
			o.DeadKeyTTL = ttl
		}))
	}
	a, b := replicas[0], replicas[1]
	refused := func() int { return int(e.mock.Stats().Unauthorized) }
	state := func(p *groq.Pool) string { return keyStatus(t, p, "gsk_flaky_key").State }

	for range 4 {
		mustComplete(t, a, "first")
	}
	if refused() != 1 || state(a) != groq.StateDead {
		t.Fatalf("after the first refusal: %d refusals, state %q; want 1 and dead", refused(), state(a))
	}
	e.clock.Advance(10 * time.Second) // replica b syncs the shared facts
	if s := keyStatus(t, b, "gsk_flaky_key"); s.State != groq.StateDead || s.DeadReason != "invalid_api_key (401)" {
		t.Fatalf("replica b sees %+v; want dead with the reason", s)
	}

	e.clock.Advance(ttl - 20*time.Second) // still inside the mark
	for _, p := range replicas {
		for range 4 {
			mustComplete(t, p, "inside the mark")
		}
	}
	if refused() != 1 {
		t.Fatalf("a dead key was tried %d more times before its mark lapsed", refused()-1)
	}

	e.clock.Advance(20 * time.Second) // the mark lapses; Groq still refuses the key
	for _, p := range replicas {
		for range 4 {
			mustComplete(t, p, "retry")
		}
	}
	if n := refused(); n < 2 || n > 3 {
		t.Fatalf("%d refusals once the mark lapsed; want one more (two if both replicas raced)", n)
	}
	if state(a) != groq.StateDead || state(b) != groq.StateDead {
		t.Fatalf("a key refused again: states %q, %q; want dead on both replicas", state(a), state(b))
	}

	e.mock.AddOrg(groqmock.Org{ID: "org_a", Keys: []string{"gsk_flaky_key"}}) // Groq reinstated the key
	e.clock.Advance(ttl + 10*time.Second)
	before := e.mock.Stats().Keys["gsk_flaky_key"].Completed
	for _, p := range replicas {
		for range 4 {
			mustComplete(t, p, "reinstated")
		}
		if s := state(p); s != groq.StateActive {
			t.Fatalf("reinstated key %q; want active", s)
		}
	}
	if e.mock.Stats().Keys["gsk_flaky_key"].Completed == before {
		t.Fatal("the reinstated key served nothing")
	}
}

// TestReloadReaddedKeyIsAlive: removing a dead key and adding it back (the
// operator's fix) puts it in rotation at once, shared state included; a key
// that stays in the set keeps its dead mark.
func TestReloadReaddedKeyIsAlive(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_fixed_key", "gsk_steady_key", "gsk_broken_key"}})
	e.mock.RevokeKey("gsk_fixed_key")
	e.mock.RevokeKey("gsk_broken_key")
	rc, prefix := testenv.Redis(t)
	ledger := ledger.NewRedis(rc, prefix, e.clock.Now)
	all := []string{"gsk_fixed_key@org_a", "gsk_steady_key@org_a", "gsk_broken_key@org_a"}
	p := e.pool(all, func(o *groq.Options) { o.Ledger = ledger })
	for range 6 {
		mustComplete(t, p, "find the dead keys")
	}
	if s := keyStatus(t, p, "gsk_fixed_key"); s.State != groq.StateDead {
		t.Fatalf("revoked key %q; want dead", s.State)
	}

	if err := p.Reload([]string{"gsk_steady_key@org_a", "gsk_broken_key@org_a"}); err != nil {
		t.Fatal(err)
	}
	e.mock.AddOrg(groqmock.Org{ID: "org_a", Keys: []string{"gsk_fixed_key"}}) // the operator got it reinstated
	if err := p.Reload(all); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Second) // a sync reads the shared state again
	if s := keyStatus(t, p, "gsk_fixed_key"); s.State != groq.StateActive || s.DeadReason != "" {
		t.Fatalf("re-added key %+v; want active", s)
	}
	if s := keyStatus(t, p, "gsk_broken_key"); s.State != groq.StateDead {
		t.Fatalf("a key that stayed in the set is %q; want still dead", s.State)
	}
	dead, _, err := ledger.Keys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dead[groq.Fingerprint("gsk_fixed_key")]; ok {
		t.Fatal("the shared state still marks the re-added key dead")
	}
	before := e.mock.Stats().Keys["gsk_fixed_key"].Completed
	for range 4 {
		mustComplete(t, p, "back in rotation")
	}
	if e.mock.Stats().Keys["gsk_fixed_key"].Completed == before {
		t.Fatal("the re-added key served nothing")
	}
}
