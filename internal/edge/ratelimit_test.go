package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/limit"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeClock is a settable clock for limiters.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func ipLimited(l limit.Limiter, m *Metrics, rps float64, burst int) http.Handler {
	return ClientIP(ClientIPOptions{})(RateLimit(RateLimitOptions{
		Limiter: l, Scope: ScopeIP, Limit: limit.Limit{Rate: rps, Burst: burst}, Key: KeyClientIP, Metrics: m,
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
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	m := NewMetrics(prometheus.NewRegistry())
	h := ipLimited(limit.NewMemoryLimiter(clock.Now), m, 10, 20)

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
	if got := testutil.ToFloat64(m.rejections.WithLabelValues(ScopeIP)); got != 80 {
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
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	h := ipLimited(limit.NewMemoryLimiter(clock.Now), nil, 10, 20)
	w := get(h, "203.0.113.7:1000")
	got := []string{w.Header().Get("RateLimit-Limit"), w.Header().Get("RateLimit-Remaining"), w.Header().Get("RateLimit-Reset"), w.Header().Get("Retry-After")}
	if d := cmp.Diff([]string{"20", "19", "1", ""}, got); d != "" {
		t.Errorf("headers (-want +got):\n%s", d)
	}
}

func TestRateLimitTightestBudgetWinsHeaders(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := limit.NewMemoryLimiter(clock.Now)
	user := func(r *http.Request) string { return r.Header.Get("X-Test-User") }
	h := ClientIP(ClientIPOptions{})(
		RateLimit(RateLimitOptions{Limiter: l, Scope: ScopeIP, Limit: limit.Limit{Rate: 10, Burst: 20}, Key: KeyClientIP})(
			RateLimit(RateLimitOptions{Limiter: l, Scope: ScopeUser, Limit: limit.Limit{Rate: 1, Burst: 3}, Key: user})(
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
	h := RateLimit(RateLimitOptions{Limiter: limit.NewMemoryLimiter(nil), Scope: ScopeToken,
		Limit: limit.Limit{Rate: 1, Burst: 1}, Key: func(*http.Request) string { return "" }})(http.HandlerFunc(ok))
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
	a := ipLimited(limit.NewRedisLimiter(rdb, prefix), nil, 1, 20)
	b := ipLimited(limit.NewRedisLimiter(rdb, prefix), nil, 1, 20)

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
	if d := cmp.Diff(limit.Limit{Rate: 0.5, Burst: 15}, AuthLimit(30)); d != "" {
		t.Error(d)
	}
	if got := AuthLimit(1).Burst; got != 1 {
		t.Errorf("burst %d", got)
	}
}

type brokenLimiter struct{}

func (brokenLimiter) Allow(context.Context, string, limit.Limit) (limit.Result, error) {
	return limit.Result{}, errors.New("redis: connection refused")
}

// TestRateLimitFailsOpen: a broken limiter (Redis down) must not take the
// API down; the failure is logged once, not per request.
func TestRateLimitFailsOpen(t *testing.T) {
	var logs bytes.Buffer
	h := RateLimit(RateLimitOptions{Limiter: brokenLimiter{}, Scope: ScopeIP, Limit: limit.Limit{Rate: 1, Burst: 1},
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
