package ratelimit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/platform/reqctx"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/ratelimit"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
	"github.com/prometheus/client_golang/prometheus"
)

// withClientIP stands in for the HTTP layer's request record: the client
// address is the peer's.
func withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		next.ServeHTTP(w, r.WithContext(reqctx.With(r.Context(), &reqctx.Record{ClientIP: host})))
	})
}

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func ipLimited(l ratelimit.Limiter, m *ratelimit.Metrics, rps float64, burst int) http.Handler {
	return withClientIP(ratelimit.RateLimit(ratelimit.RateLimitOptions{
		Limiter: l, Scope: ratelimit.ScopeIP, Limit: ratelimit.Limit{Rate: rps, Burst: burst}, Key: ratelimit.KeyClientIP, Metrics: m,
	})(http.HandlerFunc(ok)))
}

func get(h http.Handler, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/api/v1/me", nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRateLimitBurstPerClient(t *testing.T) {
	clock := testkit.NewClock(time.Unix(1_700_000_000, 0))
	reg := prometheus.NewRegistry()
	m := ratelimit.NewMetrics(reg)
	h := ipLimited(ratelimit.NewMemory(clock.Now), m, 10, 20)

	const sent = 100
	allowed, rejected := 0, 0
	var last *httptest.ResponseRecorder
	for range sent {
		w := get(h, "203.0.113.7:1000")
		switch w.Code {
		case http.StatusOK:
			allowed++
		case http.StatusTooManyRequests:
			rejected++
			last = w
		default:
			t.Fatalf("status %d", w.Code)
		}
	}
	t.Logf("burst of %d requests at one instant from one address: %d allowed, %d rejected (limit 10 req/s, burst 20)", sent, allowed, rejected)
	if allowed != 20 || rejected != 80 {
		t.Fatalf("allowed %d rejected %d, want 20/80", allowed, rejected)
	}
	gotHeaders := map[string]string{
		"Retry-After": last.Header().Get("Retry-After"), "RateLimit-Limit": last.Header().Get("RateLimit-Limit"),
		"RateLimit-Remaining": last.Header().Get("RateLimit-Remaining"), "Content-Type": last.Header().Get("Content-Type"),
	}
	want := map[string]string{"Retry-After": "1", "RateLimit-Limit": "20", "RateLimit-Remaining": "0", "Content-Type": "application/problem+json"}
	if d := cmp.Diff(want, gotHeaders); d != "" {
		t.Errorf("429 headers (-want +got):\n%s", d)
	}
	var body struct {
		Code       string `json:"code"`
		Status     int    `json:"status"`
		RetryAfter int    `json:"retry_after"`
	}
	if err := json.Unmarshal(last.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Code != "rate_limited" || body.Status != 429 || body.RetryAfter != 1 {
		t.Errorf("problem body = %+v", body)
	}
	if got := rejections(t, reg, ratelimit.ScopeIP); got != 80 {
		t.Errorf("parley_ratelimit_rejections_total{scope=ip} = %v, want 80", got)
	}

	// Another address has its own budget.
	if w := get(h, "198.51.100.1:1000"); w.Code != http.StatusOK {
		t.Errorf("other client: status %d", w.Code)
	}
	// After 100 ms one more request fits (10 per second).
	clock.Advance(100 * time.Millisecond)
	if w := get(h, "203.0.113.7:1000"); w.Code != http.StatusOK {
		t.Errorf("after refill: status %d", w.Code)
	}
	if w := get(h, "203.0.113.7:1000"); w.Code != http.StatusTooManyRequests {
		t.Errorf("refill gave more than one: status %d", w.Code)
	}
}

func TestRateLimitHeadersOnAllowed(t *testing.T) {
	clock := testkit.NewClock(time.Unix(1_700_000_000, 0))
	h := ipLimited(ratelimit.NewMemory(clock.Now), nil, 10, 20)
	w := get(h, "203.0.113.7:1000")
	got := []string{w.Header().Get("RateLimit-Limit"), w.Header().Get("RateLimit-Remaining"), w.Header().Get("RateLimit-Reset"), w.Header().Get("Retry-After")}
	if d := cmp.Diff([]string{"20", "19", "1", ""}, got); d != "" {
		t.Errorf("headers (-want +got):\n%s", d)
	}
}

func TestRateLimitTightestBudgetWinsHeaders(t *testing.T) {
	clock := testkit.NewClock(time.Unix(1_700_000_000, 0))
	l := ratelimit.NewMemory(clock.Now)
	user := func(r *http.Request) string { return r.Header.Get("X-Test-User") }
	h := withClientIP(
		ratelimit.RateLimit(ratelimit.RateLimitOptions{Limiter: l, Scope: ratelimit.ScopeIP, Limit: ratelimit.Limit{Rate: 10, Burst: 20}, Key: ratelimit.KeyClientIP})(
			ratelimit.RateLimit(ratelimit.RateLimitOptions{Limiter: l, Scope: ratelimit.ScopeUser, Limit: ratelimit.Limit{Rate: 1, Burst: 3}, Key: user})(
				http.HandlerFunc(ok))))
	codes := []int{}
	for range 4 {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "203.0.113.7:1"
		r.Header.Set("X-Test-User", "u1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		codes = append(codes, w.Code)
		if w.Code == 200 && w.Header().Get("RateLimit-Limit") != "3" {
			t.Errorf("RateLimit-Limit = %q, want the user budget 3", w.Header().Get("RateLimit-Limit"))
		}
	}
	if d := cmp.Diff([]int{200, 200, 200, 429}, codes); d != "" {
		t.Errorf("codes (-want +got):\n%s", d)
	}
}

func TestRateLimitEmptyKeyUnlimited(t *testing.T) {
	h := ratelimit.RateLimit(ratelimit.RateLimitOptions{Limiter: ratelimit.NewMemory(nil), Scope: ratelimit.ScopeToken,
		Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Key: func(*http.Request) string { return "" }})(http.HandlerFunc(ok))
	for range 5 {
		if w := get(h, "1.2.3.4:1"); w.Code != 200 || w.Header().Get("RateLimit-Limit") != "" {
			t.Fatalf("status %d, headers %v", w.Code, w.Header())
		}
	}
}

// TestRateLimitAcrossReplicasRedis runs two "replicas" (separate middleware
// and limiter instances) on one Redis: together they allow exactly one burst.
func TestRateLimitAcrossReplicasRedis(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	a := ipLimited(redisstore.NewLimiter(rdb, prefix), nil, 1, 20)
	b := ipLimited(redisstore.NewLimiter(rdb, prefix), nil, 1, 20)

	const sent = 60
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for i := range sent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := a
			if i%2 == 1 {
				h = b
			}
			if w := get(h, "203.0.113.7:1"); w.Code == http.StatusOK {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("two replicas on one Redis, %d concurrent requests from one address: %d allowed, %d rejected (burst 20, 1 req/s)", sent, allowed, sent-allowed)
	// One request per second refills: a slow run may earn one or two more.
	if allowed < 20 || allowed > 22 {
		t.Fatalf("allowed %d across replicas, want the shared burst of 20", allowed)
	}
}

func TestAuthLimit(t *testing.T) {
	if d := cmp.Diff(ratelimit.Limit{Rate: 0.5, Burst: 15}, ratelimit.AuthLimit(30)); d != "" {
		t.Error(d)
	}
	if got := ratelimit.AuthLimit(1).Burst; got != 1 {
		t.Errorf("burst %d", got)
	}
}

type brokenLimiter struct{}

func (brokenLimiter) Allow(context.Context, string, ratelimit.Limit) (ratelimit.Result, error) {
	return ratelimit.Result{}, errors.New("redis: connection refused")
}

// TestRateLimitFailsOpen: a broken limiter (Redis down) must not take the
// API down; the failure is logged once, not per request.
func TestRateLimitFailsOpen(t *testing.T) {
	var logs bytes.Buffer
	h := ratelimit.RateLimit(ratelimit.RateLimitOptions{Limiter: brokenLimiter{}, Scope: ratelimit.ScopeIP, Limit: ratelimit.Limit{Rate: 1, Burst: 1},
		Key: func(*http.Request) string { return "k" }, Logger: slog.New(slog.NewTextHandler(&logs, nil))})(http.HandlerFunc(ok))
	for range 5 {
		if w := get(h, "1.2.3.4:1"); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	if n := strings.Count(logs.String(), "rate limiter failed"); n != 1 {
		t.Errorf("%d log lines for 5 failures, want 1", n)
	}
}

// rejections reads parley_ratelimit_rejections_total{scope} off reg.
func rejections(t *testing.T, reg *prometheus.Registry, scope string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "parley_ratelimit_rejections_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "scope" && l.GetValue() == scope {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
