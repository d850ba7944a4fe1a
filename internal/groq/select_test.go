package groq_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/prometheus/client_golang/prometheus"
)

func TestAffinityAndTokenRoom(t *testing.T) {
	e := newEnv(t,
		groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}, Limits: map[string]groqmock.Limits{"": {TPM: 120}}},
		groqmock.Org{ID: "org_b", Keys: []string{"gsk_bbbbbbbb"}, Limits: map[string]groqmock.Limits{"": {TPM: 100000}}},
	)
	p := e.pool([]string{"gsk_aaaaaaaa@org_a"})
	ctx := context.Background()
	conv := func(estimate int) error {
		req := request("hi", false)
		req.Affinity, req.EstimatedTokens = "conversation-1", estimate
		_, err := p.Complete(ctx, req)
		return err
	}
	if err := conv(50); err != nil {
		t.Fatal(err)
	}
	if err := p.Reload([]string{"gsk_aaaaaaaa@org_a", "gsk_bbbbbbbb@org_b"}); err != nil {
		t.Fatal(err)
	}
	if err := conv(20); err != nil {
		t.Fatal(err)
	}
	if got := e.mock.Stats().Orgs["org_a"].Completed; got != 2 {
		t.Fatalf("the conversation left its org while it had room: org_a completed %d of 2", got)
	}
	// org_a has fewer than 120 tokens left: a large request goes to org_b
	// without provoking a 429 at org_a.
	if err := conv(200); err != nil {
		t.Fatal(err)
	}
	st := e.mock.Stats()
	if st.Orgs["org_b"].Completed != 1 || st.Orgs["org_a"].RateLimited != 0 {
		t.Fatalf("org_a %+v, org_b %+v", st.Orgs["org_a"], st.Orgs["org_b"])
	}
}

func TestSnapshotAndMetrics(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"},
		Limits: map[string]groqmock.Limits{"": {RPD: 1000, TPM: 6000}}})
	e.mock.RevokeKey("gsk_bbbbbbbb")
	reg := prometheus.NewRegistry()
	p := e.pool([]string{"gsk_aaaaaaaa@org_a", "gsk_bbbbbbbb"}, func(o *groq.Options) { o.Registerer = reg })
	for range 3 {
		mustComplete(t, p, "hello")
	}
	snap := p.Snapshot(context.Background())
	raw, err := json.Marshal(map[string]any{"data": snap})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"fingerprint", "org", "org_source", "state", "dead_reason", "cooldown_until", "budgets"} {
		if _, ok := doc.Data[0][field]; !ok {
			t.Errorf("admin key object lacks %q: %s", field, raw)
		}
	}
	if strings.Contains(string(raw), "gsk_") {
		t.Fatalf("snapshot leaks a key: %s", raw)
	}
	a := snap[0]
	if a.Org != "org_a" || a.OrgSource != groq.OrgDeclared || a.State != groq.StateActive || len(a.Budgets) != 1 {
		t.Fatalf("key a: %+v", a)
	}
	b := a.Budgets[0]
	if b.Model != model || b.RequestsLimit == nil || *b.RequestsLimit != 1000 || *b.RequestsRemaining != 997 || *b.TokensLimit != 6000 || b.CoolingUntil != nil {
		t.Fatalf("budget: %+v", b)
	}
	if d := snap[1]; d.State != groq.StateDead || d.OrgSource != groq.OrgUnknown || d.Org != "" {
		t.Fatalf("key b: %+v", d)
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range families {
		found[f.GetName()] = true
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "gsk_") {
					t.Errorf("metric %s label %s carries a key", f.GetName(), l.GetName())
				}
			}
		}
	}
	for _, name := range []string{"parley_upstream_requests_total", "parley_upstream_request_duration_seconds", "parley_pool_keys",
		"parley_pool_budget_remaining", "parley_pool_cooldown_seconds"} {
		if !found[name] {
			t.Errorf("metric %s missing", name)
		}
	}
}

// TestWaiterIsWokenWhenRoomFrees: a request waiting for TPM room proceeds as
// soon as a stream ends and returns its unused reservation, not at the refill.
func TestWaiterIsWokenWhenRoomFrees(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}, Limits: map[string]groqmock.Limits{"": {TPM: 1000}}})
	p := e.pool([]string{"gsk_aaaaaaaa"}, func(o *groq.Options) { o.QueueTimeout = 30 * time.Second })
	big := request("big", true)
	big.Body = []byte(`{"model":"` + model + `","messages":[{"role":"user","content":"big"}],"max_completion_tokens":900,"stream":true}`)
	big.EstimatedTokens = 910
	s, err := p.Stream(context.Background(), big)
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan error, 1)
	go func() {
		req := request("small", false)
		req.EstimatedTokens = 500
		_, err := p.Complete(context.Background(), req)
		res <- err
	}()
	if !e.clock.WaitPending(1, nil) {
		t.Fatal("the small request did not wait")
	}
	if _, _, err := readAll(t, s); err != nil {
		t.Fatal(err)
	}
	if err := <-res; err != nil {
		t.Fatalf("the waiter: %v", err)
	}
	if n := e.mock.Stats().Orgs["org_a"].RateLimited; n != 0 {
		t.Fatalf("429s: %d", n)
	}
}
