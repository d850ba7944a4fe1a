package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/platform/testenv"
)

// burstResult counts a burst's answers.
type burstResult struct {
	sent, allowed, rejected int
	elapsed                 time.Duration
	bad                     []string // refusals missing a header or the problem code
}

// burst sends n concurrent GET path requests spread over the given servers.
func burst(t *testing.T, urls []string, path string, n int) burstResult {
	return burstFrom(t, urls, path, n, "")
}

// burstFrom is burst with X-Forwarded-For: xff (when not empty), as a
// trusted proxy in front of the replicas would send it.
func burstFrom(t *testing.T, urls []string, path string, n int, xff string) burstResult {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
	var mu sync.Mutex
	res := burstResult{sent: n}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("GET", urls[i%len(urls)]+path, nil)
			if xff != "" {
				req.Header.Set("X-Forwarded-For", xff)
			}
			r, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			switch r.StatusCode {
			case http.StatusOK:
				res.allowed++
			case http.StatusTooManyRequests:
				res.rejected++
				var p struct {
					Code       string `json:"code"`
					RetryAfter int    `json:"retry_after"`
				}
				_ = json.Unmarshal(body, &p)
				for _, h := range []string{"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "X-Request-Id"} {
					if r.Header.Get(h) == "" {
						res.bad = append(res.bad, "missing "+h)
					}
				}
				if p.Code != "rate_limited" || p.RetryAfter < 1 || r.Header.Get("Content-Type") != "application/problem+json" {
					res.bad = append(res.bad, fmt.Sprintf("problem %+v %s", p, r.Header.Get("Content-Type")))
				}
			default:
				t.Errorf("status %d: %s", r.StatusCode, body)
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	res.elapsed = time.Since(t0)
	return res
}

// maxAllowed is the most a 10 req/s, burst 20 budget lets through in d.
func maxAllowed(d time.Duration) int { return 20 + int(d.Seconds()*10) + 1 }

// TestBurstAgainstOneAddressLimit sends a burst from one address to one
// parley (in-memory limiter, default 10 req/s, burst 20).
func TestBurstAgainstOneAddressLimit(t *testing.T) {
	p := startParley(t, nil)
	r := burst(t, []string{p.URL}, "/api/v1/status", 100)
	t.Logf("one replica, in-memory limiter: %d requests sent in %v, %d allowed, %d rejected with 429", r.sent, r.elapsed.Round(time.Millisecond), r.allowed, r.rejected)
	if r.allowed < 20 || r.allowed > maxAllowed(r.elapsed) {
		t.Errorf("allowed %d, want the burst of 20 plus at most the refill", r.allowed)
	}
	if len(r.bad) > 0 {
		t.Errorf("bad refusals: %v", r.bad[:min(5, len(r.bad))])
	}
}

// TestBurstAcrossReplicasSharesRedisLimit runs two parley processes on one
// Redis: a burst from one address spread over both meets one budget.
func TestBurstAcrossReplicasSharesRedisLimit(t *testing.T) {
	testenv.Redis(t) // fails the test when Redis is unreachable
	env := map[string]string{"PARLEY_REDIS_URL": testenv.RedisURL()}
	// A unique data dir per replica but one Redis; a client address unique
	// to this test run keeps old budgets out of the way.
	addr := fmt.Sprintf("198.51.100.%d", time.Now().UnixNano()%250+1)
	env["PARLEY_TRUSTED_PROXIES"] = "127.0.0.1"
	a := startParley(t, env)
	b := startParley(t, env)
	r := burstFrom(t, []string{a.URL, b.URL}, "/api/v1/status", 100, addr)
	t.Logf("two replicas, one Redis: %d requests sent in %v, %d allowed, %d rejected with 429", r.sent, r.elapsed.Round(time.Millisecond), r.allowed, r.rejected)
	if r.allowed < 20 || r.allowed > maxAllowed(r.elapsed) {
		t.Errorf("allowed %d across two replicas, want one shared burst of 20 plus at most the refill", r.allowed)
	}
	if len(r.bad) > 0 {
		t.Errorf("bad refusals: %v", r.bad[:min(5, len(r.bad))])
	}
}
