package edge

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/limit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// stackServer is a small stand-in for the HTTP layer: a router whose
// authenticated routes read the user from a header.
func stackServer(t *testing.T, s *Stack) http.Handler {
	t.Helper()
	mux := http.NewServeMux()
	routes := []struct {
		pattern string
		authed  bool
	}{
		{"GET /healthz", false},
		{"POST /api/v1/auth/login", false},
		{"GET /api/v1/me", true},
		{"POST /v1/chat/completions", false},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, s.PerRoute(rt.pattern, rt.authed)(http.HandlerFunc(ok)))
	}
	return s.Outer(mux)
}

func TestStackBudgets(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	m := NewMetrics(prometheus.NewRegistry())
	openAI := func(w http.ResponseWriter, r *http.Request, err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
	}
	s := NewStack(StackOptions{
		Limiter: limit.NewMemoryLimiter(clock.Now), RPS: 10, Burst: 20, AuthRPM: 6, Metrics: m,
		ClientIP:     func(r *http.Request) string { return r.Header.Get("X-Test-IP") },
		UserID:       func(r *http.Request) string { return r.Header.Get("X-Test-User") },
		OpenAIErrors: openAI,
	})
	h := stackServer(t, s)
	// count sends n requests and returns how many were refused.
	count := func(n int, method, path string, hdr map[string]string) (refused int, last *httptest.ResponseRecorder) {
		for range n {
			r := httptest.NewRequest(method, path, nil)
			for k, v := range hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code == http.StatusTooManyRequests {
				refused++
			}
			last = w
		}
		return refused, last
	}
	got := map[string]int{}
	got["login (6/min, burst 3) x10"], _ = count(10, "POST", "/api/v1/auth/login", map[string]string{"X-Test-IP": "1.1.1.1"})
	got["healthz x50"], _ = count(50, "GET", "/healthz", map[string]string{"X-Test-IP": "2.2.2.2"})
	// One user from many addresses: the per-user budget binds.
	refused := 0
	for i := range 30 {
		n, _ := count(1, "GET", "/api/v1/me", map[string]string{"X-Test-IP": "10.0.0." + string(rune('a'+i)), "X-Test-User": "u1"})
		refused += n
	}
	got["one user, 30 addresses x30"] = refused
	var last *httptest.ResponseRecorder
	refused = 0
	for i := range 30 {
		var n int
		n, last = count(1, "POST", "/v1/chat/completions", map[string]string{"X-Test-IP": "10.1.0." + string(rune('a'+i)), "Authorization": "Bearer plt_x"})
		refused += n
	}
	got["one token, 30 addresses x30"] = refused
	want := map[string]int{"login (6/min, burst 3) x10": 7, "healthz x50": 0, "one user, 30 addresses x30": 10, "one token, 30 addresses x30": 10}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("refusals (-want +got):\n%s", d)
	}
	if ct := last.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("/v1 refusal Content-Type %q, want OpenAI's JSON envelope", ct)
	}
	for scope, n := range map[string]float64{ScopeAuth: 7, ScopeUser: 10, ScopeToken: 10, ScopeIP: 0} {
		if got := testutil.ToFloat64(m.rejections.WithLabelValues(scope)); got != n {
			t.Errorf("rejections{scope=%s} = %v, want %v", scope, got, n)
		}
	}
}

func TestTokenKeyNeverTheToken(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer plt_secret")
	if k := TokenKey(r); k == "" || k == "plt_secret" || len(k) != 32 {
		t.Fatalf("key %q", k)
	}
	r.Header.Set("Authorization", "Basic abc")
	if k := TokenKey(r); k != "" {
		t.Fatalf("basic auth keyed as %q", k)
	}
}
