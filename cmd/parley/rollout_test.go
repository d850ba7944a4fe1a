package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestRollingUpdateDropsNothing replaces both replicas of a two-replica
// deployment, one after the other, under continuous traffic, the way the
// Helm chart's rolling update does (maxSurge 1, maxUnavailable 0): start
// the new replica, wait until the load rollBalancer sees it ready, stop the old
// one (the signal handler's context cancelled, as SIGTERM does in main) with
// a drain period, wait until it exited. The load rollBalancer routes like a
// Kubernetes Service: only to replicas whose /readyz answered 200 on its
// last poll. Every login, read and chat stream must succeed, whole.
func TestRollingUpdateDropsNothing(t *testing.T) {
	mock := groqmock.New(groqmock.Config{
		Orgs:              []groqmock.Org{{ID: "org_roll", Keys: []string{"gsk_rollkey1", "gsk_rollkey2"}}},
		FirstTokenLatency: 100 * time.Millisecond, TokensPerSecond: 400, // streams last a few hundred ms
	})
	up := httptest.NewServer(mock)
	t.Cleanup(up.Close)
	t.Cleanup(mock.Close)
	_, prefix := testenv.Redis(t)
	shared := map[string]string{ // what every replica of one deployment shares
		"PARLEY_DATABASE_URL":         testenv.NewPostgresDB(t),
		"PARLEY_REDIS_URL":            testenv.RedisURL(),
		"PARLEY_JWT_SECRET":           "rollout-test-secret-0123456789abcdef",
		"PARLEY_GROQ_API_KEYS":        "gsk_rollkey1@org_roll,gsk_rollkey2@org_roll",
		"PARLEY_GROQ_BASE_URL":        up.URL + "/openai/v1",
		"PARLEY_DEFAULT_MODEL":        groqmock.DefaultModels()[0].ID,
		"PARLEY_SHUTDOWN_DRAIN":       "3s", // many readiness polls of the rollBalancer, as on Kubernetes
		"PARLEY_SHUTDOWN_TIMEOUT":     "20s",
		"PARLEY_RATE_LIMIT_RPS":       "10000", // one client address (the rollBalancer) carries all traffic
		"PARLEY_RATE_LIMIT_BURST":     "10000",
		"PARLEY_AUTH_RATE_LIMIT_RPM":  "100000",
		"PARLEY_MAX_STREAMS_PER_USER": "10",
	}
	newReplica := func() *rollReplica { return startRollReplica(t, shared, prefix) }

	lb := newRollBalancer()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go lb.probe(ctx, 100*time.Millisecond)
	front := httptest.NewServer(lb)
	t.Cleanup(front.Close)

	old := []*rollReplica{newReplica(), newReplica()}
	for _, r := range old {
		lb.add(r.url)
	}
	lb.waitReady(t, old[0].url, true)
	lb.waitReady(t, old[1].url, true)

	// Continuous traffic from several clients until the rollout is over.
	const clients = 4
	var st rollStats
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rollClient(front.URL, fmt.Sprintf("roll%d@example.com", i), stop, &st)
		}()
	}

	var fresh []*rollReplica
	for i, o := range old {
		n := newReplica()
		lb.add(n.url)
		lb.waitReady(t, n.url, true)
		// Stop the old replica while it is serving a chat stream.
		lb.waitStreaming(t, o.url)
		stopped := make(chan error, 1)
		go func() { stopped <- o.stop() }()
		select {
		case <-o.draining:
		case err := <-stopped:
			t.Fatalf("replica %d stopped without draining: %v", i+1, err)
		}
		lb.waitReady(t, o.url, false) // out of the rotation while it still serves
		if err := <-stopped; err != nil {
			t.Fatalf("replica %d: serve returned %v", i+1, err)
		}
		if !lb.find(o.url).saw503.Load() {
			t.Errorf("replica %d left the rotation only when its listener closed, not by answering /readyz 503 first", i+1)
		}
		lb.remove(o.url)
		fresh = append(fresh, n)
	}
	// Some traffic on the new replicas only, then stop the clients.
	lb.waitServed(t, fresh[0].url, fresh[1].url)
	close(stop)
	wg.Wait()

	t.Logf("rollout: %d requests (%d logins, %d reads, %d streams of which %d in flight while their replica shut down), %d failed",
		st.total.Load(), st.logins.Load(), st.reads.Load(), st.streams.Load(), lb.streamsAtStop.Load(), st.failed.Load())
	for _, f := range st.failures() {
		t.Error(f)
	}
	if st.failed.Load() != 0 || st.streams.Load() == 0 || st.logins.Load() == 0 || st.reads.Load() == 0 {
		t.Fatalf("want only successes with every kind of request, got %d failed", st.failed.Load())
	}
	if n := lb.proxyErrors.Load(); n != 0 {
		t.Errorf("the rollBalancer failed to reach a replica %d times", n)
	}
	for _, r := range append(old, fresh...) {
		if lb.served(r.url) == 0 {
			t.Errorf("replica %s served no request", r.url)
		}
	}
}

// rollReplica is one `parley serve` of the deployment.
type rollReplica struct {
	*server
	draining chan struct{} // closed when it starts draining
}

func startRollReplica(t *testing.T, shared map[string]string, redisPrefix string) *rollReplica {
	t.Helper()
	vars := baseVars(t)
	for k, v := range shared {
		vars[k] = v
	}
	draining := make(chan struct{})
	s := startServeFull(t, env{lookup: lookupFrom(vars), redisPrefix: redisPrefix, draining: func() { close(draining) }})
	return &rollReplica{server: s, draining: draining}
}

// lbBackend is one replica as the balancer sees it.
type lbBackend struct {
	url      string
	proxy    *httputil.ReverseProxy
	ready    atomic.Bool
	saw503   atomic.Bool // /readyz answered 503 (draining) at least once
	served   atomic.Int64
	inStream atomic.Int64
}

// rollBalancer is a load balancer in the manner of a Kubernetes Service: it
// polls each lbBackend's /readyz and routes new requests round-robin to the
// backends whose last answer was 200.
type rollBalancer struct {
	mu            sync.Mutex
	backends      []*lbBackend
	gone          map[string]*lbBackend // removed, kept for their counts
	next          int
	changed       chan struct{} // closed and replaced after every probe round and stream start
	proxyErrors   atomic.Int64
	streamsAtStop atomic.Int64
	probeClient   *http.Client
}

func newRollBalancer() *rollBalancer {
	return &rollBalancer{gone: map[string]*lbBackend{}, changed: make(chan struct{}), probeClient: &http.Client{Timeout: 2 * time.Second}}
}

func (b *rollBalancer) add(raw string) {
	u, _ := url.Parse(raw)
	be := &lbBackend{url: raw, proxy: httputil.NewSingleHostReverseProxy(u)}
	be.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		b.proxyErrors.Add(1)
		http.Error(w, "rollBalancer: "+err.Error(), http.StatusBadGateway)
	}
	b.mu.Lock()
	b.backends = append(b.backends, be)
	b.mu.Unlock()
}

func (b *rollBalancer) remove(raw string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, be := range b.backends {
		if be.url == raw {
			b.gone[raw] = be
			b.backends = append(b.backends[:i], b.backends[i+1:]...)
			return
		}
	}
}

func (b *rollBalancer) find(raw string) *lbBackend {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, be := range b.backends {
		if be.url == raw {
			return be
		}
	}
	return b.gone[raw]
}

func (b *rollBalancer) served(raw string) int64 { return b.find(raw).served.Load() }

// notify wakes everyone waiting on a change.
func (b *rollBalancer) notify() {
	b.mu.Lock()
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

func (b *rollBalancer) probe(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		b.mu.Lock()
		list := append([]*lbBackend(nil), b.backends...)
		b.mu.Unlock()
		for _, be := range list {
			code := b.readyz(ctx, be.url)
			be.ready.Store(code == http.StatusOK)
			if code == http.StatusServiceUnavailable {
				be.saw503.Store(true)
			}
		}
		b.notify()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// readyz returns the status of base's /readyz, 0 when it did not answer.
func (b *rollBalancer) readyz(ctx context.Context, base string) int {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/readyz", nil)
	res, err := b.probeClient.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func (b *rollBalancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	var pick *lbBackend
	for range b.backends {
		be := b.backends[b.next%len(b.backends)]
		b.next++
		if be.ready.Load() {
			pick = be
			break
		}
	}
	b.mu.Unlock()
	if pick == nil {
		http.Error(w, "rollBalancer: no ready replica", http.StatusServiceUnavailable)
		return
	}
	pick.served.Add(1)
	if strings.HasSuffix(r.URL.Path, "/messages") {
		pick.inStream.Add(1)
		b.notify()
		defer pick.inStream.Add(-1)
	}
	pick.proxy.ServeHTTP(w, r)
}

// waitFor waits, change by change, until cond holds; the deadline only
// guards against a replica that never gets there.
func (b *rollBalancer) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		b.mu.Lock()
		ch := b.changed
		b.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("rollBalancer: %s never happened", what)
		}
	}
}

func (b *rollBalancer) waitReady(t *testing.T, raw string, ready bool) {
	t.Helper()
	be := b.find(raw)
	b.waitFor(t, fmt.Sprintf("%s ready=%v", raw, ready), func() bool { return be.ready.Load() == ready })
}

func (b *rollBalancer) waitStreaming(t *testing.T, raw string) {
	t.Helper()
	be := b.find(raw)
	b.waitFor(t, raw+" serving a stream", func() bool { return be.inStream.Load() > 0 })
	b.streamsAtStop.Add(be.inStream.Load())
}

func (b *rollBalancer) waitServed(t *testing.T, raws ...string) {
	t.Helper()
	for _, raw := range raws {
		be := b.find(raw)
		start := be.served.Load()
		b.waitFor(t, raw+" serving traffic", func() bool { return be.served.Load() >= start+3 })
	}
}

// rollStats counts what the clients did.
type rollStats struct {
	total, logins, reads, streams, failed atomic.Int64
	mu                                    sync.Mutex
	errs                                  []string
}

func (s *rollStats) fail(format string, args ...any) {
	s.failed.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) < 20 {
		s.errs = append(s.errs, fmt.Sprintf(format, args...))
	}
}

func (s *rollStats) failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

// rollClient registers one user, then logs in, reads its conversations and
// streams an answer, over and over until stop is closed.
func rollClient(base, email string, stop <-chan struct{}, st *rollStats) {
	c := &http.Client{Timeout: 60 * time.Second}
	creds := map[string]string{"email": email, "password": "rollout-password-1"}
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	if err := rollCall(c, st, "POST", base+"/api/v1/auth/register", "", creds, 201, &auth); err != nil {
		return
	}
	var conv struct {
		ID string `json:"id"`
	}
	if err := rollCall(c, st, "POST", base+"/api/v1/conversations", auth.AccessToken, map[string]string{}, 201, &conv); err != nil {
		return
	}
	for {
		select {
		case <-stop:
			return
		default:
		}
		if rollCall(c, st, "POST", base+"/api/v1/auth/login", "", creds, 200, &auth) == nil {
			st.logins.Add(1)
		}
		if rollCall(c, st, "GET", base+"/api/v1/conversations/"+conv.ID, auth.AccessToken, nil, 200, nil) == nil {
			st.reads.Add(1)
		}
		if rollStream(c, st, base+"/api/v1/conversations/"+conv.ID+"/messages", auth.AccessToken) == nil {
			st.streams.Add(1)
		}
	}
}

// rollRequest builds a request with an optional JSON body and bearer token.
func rollRequest(method, u, token string, body any) *http.Request {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// rollCall does one JSON request and records its outcome.
func rollCall(c *http.Client, st *rollStats, method, u, token string, body any, want int, into any) error {
	st.total.Add(1)
	res, err := c.Do(rollRequest(method, u, token, body))
	if err != nil {
		st.fail("%s %s: %v", method, u, err)
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != want {
		err = fmt.Errorf("status %d, want %d: %s", res.StatusCode, want, raw)
	}
	if err == nil && into != nil {
		err = json.Unmarshal(raw, into)
	}
	if err != nil {
		st.fail("%s %s: %v", method, u, err)
	}
	return err
}

// rollStream posts a message and reads its event stream to the end: it must
// end with `done`, never `error` or a cut connection.
func rollStream(c *http.Client, st *rollStats, u, token string) error {
	st.total.Add(1)
	res, err := c.Do(rollRequest("POST", u, token, map[string]string{"content": "Say hello"}))
	if err != nil {
		st.fail("stream: %v", err)
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		raw, _ := io.ReadAll(res.Body)
		err = fmt.Errorf("stream: status %d: %s", res.StatusCode, raw)
		st.fail("%v", err)
		return err
	}
	var events []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			events = append(events, ev)
		}
	}
	if err := sc.Err(); err != nil {
		st.fail("stream cut after %v: %v", events, err)
		return err
	}
	if len(events) < 2 || events[0] != "start" || events[len(events)-1] != "done" {
		err = errors.New("stream incomplete: events " + strings.Join(events, ","))
		st.fail("%v", err)
		return err
	}
	return nil
}
