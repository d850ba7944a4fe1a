package httpapi_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/ratelimit"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestRouteBudgets: the budgets the route table's rows name are the ones
// that bind: the login budget per address, none on probes, the per-user
// budget across addresses, the per-token budget across addresses (before
// the token is even checked), each refusal counted under its scope and
// answered in the row's envelope.
func TestRouteBudgets(t *testing.T) {
	clock := testkit.NewClock(time.Unix(1_700_000_000, 0))
	reg := prometheus.NewRegistry()
	m := ratelimit.NewMetrics(reg)
	e := apitest.Start(t, storetest.Open(t, "sqlite"), apitest.Options{Deps: func(d *httpapi.Deps) {
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		d.Limits = httpapi.Limits{Limiter: ratelimit.NewMemory(clock.Now), Each: ratelimit.Limit{Rate: 10, Burst: 20},
			Login: ratelimit.AuthLimit(6), Metrics: m}
	}})
	tok, _ := e.NewUser() // from 127.0.0.1: spends its login budget, not the others'
	count := func(n int, method, path, addr, token string) (refused int, last *apitest.Response) {
		for range n {
			last = e.Do(apitest.Request{Method: method, Path: path, Token: token,
				Header: http.Header{"X-Forwarded-For": {addr}}})
			if last.Status == http.StatusTooManyRequests {
				refused++
			}
		}
		return refused, last
	}
	got := map[string]int{}
	got["login (6/min, burst 3) x10"], _ = count(10, "POST", "/api/v1/auth/login", "1.1.1.1", "")
	got["healthz x50"], _ = count(50, "GET", "/healthz", "2.2.2.2", "")
	refused := 0
	for i := range 30 {
		n, _ := count(1, "GET", "/api/v1/me", fmt.Sprintf("10.0.0.%d", i+1), tok)
		refused += n
	}
	got["one user, 30 addresses x30"] = refused
	var last *apitest.Response
	refused = 0
	for i := range 30 {
		var n int
		n, last = count(1, "POST", "/v1/chat/completions", fmt.Sprintf("10.1.0.%d", i+1), "pk_unknown")
		refused += n
	}
	got["one token, 30 addresses x30"] = refused
	want := map[string]int{"login (6/min, burst 3) x10": 7, "healthz x50": 0, "one user, 30 addresses x30": 10, "one token, 30 addresses x30": 10}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("refusals (-want +got):\n%s", d)
	}
	if ct := last.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("/v1 refusal Content-Type %q, want OpenAI's JSON envelope", ct)
	}
	for scope, n := range map[string]float64{ratelimit.ScopeAuth: 7, ratelimit.ScopeUser: 10, ratelimit.ScopeToken: 10, ratelimit.ScopeIP: 0} {
		if got := counterValue(t, reg, "parley_ratelimit_rejections_total", "scope", scope); got != n {
			t.Errorf("rejections{scope=%s} = %v, want %v", scope, got, n)
		}
	}
}

// counterValue reads one labelled counter off reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
