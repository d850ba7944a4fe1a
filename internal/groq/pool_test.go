package groq_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
)

func TestStorm429FailsOverAndClientNeverSeesIt(t *testing.T) {
	e := newEnv(t,
		groqmock.Org{ID: "org_small", Keys: []string{"gsk_small_1", "gsk_small_2"}, Limits: rpm(3)},
		groqmock.Org{ID: "org_big", Keys: []string{"gsk_big_1"}, Limits: rpm(100)},
	)
	p := e.pool([]string{"gsk_small_1@org_small", "gsk_small_2@org_small", "gsk_big_1@org_big"})
	var wg sync.WaitGroup
	errCh := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := complete(t, p, "storm"); err != nil {
				errCh <- err
			}
			_ = i
		}()
	}
	wg.Wait()
	close(errCh)
	for err := range errCh {
		t.Errorf("a client saw an error while org_big had room: %v", err)
	}
	st := e.mock.Stats()
	if small := st.Orgs["org_small"]; small.Completed > 3 {
		t.Errorf("org_small completed %d requests, its RPM is 3", small.Completed)
	}
	if total := st.Orgs["org_small"].Completed + st.Orgs["org_big"].Completed; total != 40 {
		t.Errorf("completed %d of 40", total)
	}
	// Once the RPM is learned, org_small is left alone: no further 429s.
	before := st.Orgs["org_small"].RateLimited
	for range 10 {
		mustComplete(t, p, "after the storm")
	}
	if after := e.mock.Stats().Orgs["org_small"].RateLimited; after != before {
		t.Errorf("org_small got %d more 429s after cooling", after-before)
	}
	if s := keyStatus(t, p, "gsk_small_1"); s.State != groq.StateCooling || s.CooldownUntil == nil {
		t.Errorf("org_small key state %q cooldown %v; want cooling", s.State, s.CooldownUntil)
	}
}

func TestDeadKeyIsTakenOut(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_good_1", "gsk_revoked", "gsk_good_2"}})
	e.mock.RevokeKey("gsk_revoked")
	p := e.pool([]string{"gsk_good_1@org_a", "gsk_revoked@org_a", "gsk_good_2@org_a"})
	for range 9 {
		mustComplete(t, p, "hello")
	}
	if n := e.mock.Stats().Unauthorized; n != 1 {
		t.Errorf("the revoked key was tried %d times, want once", n)
	}
	s := keyStatus(t, p, "gsk_revoked")
	if s.State != groq.StateDead || s.DeadReason != "invalid_api_key (401)" {
		t.Errorf("revoked key: state %q reason %q", s.State, s.DeadReason)
	}
	if got := e.logs.String(); !contains(got, groq.Fingerprint("gsk_revoked")) {
		t.Errorf("the dead key's fingerprint is not logged:\n%s", got)
	}
}

func TestRestrictedOrgKeysDieAndNoKeyIsUnavailable(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_only_one"}})
	e.mock.RestrictOrg("org_a")
	p := e.pool([]string{"gsk_only_one"})
	_, err := complete(t, p, "hi")
	wantCode(t, err, errs.Unavailable)
	if s := keyStatus(t, p, "gsk_only_one"); s.State != groq.StateDead || s.DeadReason != "organization_restricted (400)" {
		t.Errorf("state %q reason %q", s.State, s.DeadReason)
	}
}

func TestOrgLearnedFrom429SharesTheCooldown(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_shared", Keys: []string{"gsk_undeclared", "gsk_declared"}, Limits: rpm(1)})
	p := e.pool([]string{"gsk_undeclared", "gsk_declared@org_shared"}, func(o *groq.Options) { o.QueueTimeout = 5 * time.Second })
	if s := keyStatus(t, p, "gsk_undeclared"); s.OrgSource != groq.OrgUnknown || s.Org != "" {
		t.Fatalf("before any 429: %+v", s)
	}
	mustComplete(t, p, "one")
	_, err := complete(t, p, "two")
	if e := wantCode(t, err, errs.RateLimited); e.RetryAfterSeconds != 60 {
		t.Errorf("Retry-After = %d, want 60 (RPM 1)", e.RetryAfterSeconds)
	}
	a, b := keyStatus(t, p, "gsk_undeclared"), keyStatus(t, p, "gsk_declared")
	if a.Org != "org_shared" || a.OrgSource != groq.OrgLearned {
		t.Errorf("undeclared key: org %q source %q; want org_shared learned", a.Org, a.OrgSource)
	}
	if a.State != groq.StateCooling || b.State != groq.StateCooling || a.CooldownUntil == nil || b.CooldownUntil == nil || !a.CooldownUntil.Equal(*b.CooldownUntil) {
		t.Errorf("siblings do not share the cooldown: %+v / %+v", a, b)
	}
	sent := e.mock.Stats().Orgs["org_shared"].Requests
	_, err = complete(t, p, "three")
	wantCode(t, err, errs.RateLimited)
	if now := e.mock.Stats().Orgs["org_shared"].Requests; now != sent {
		t.Errorf("a cooling org got %d more requests", now-sent)
	}
}

func TestAllOrgsCooling(t *testing.T) {
	orgs := []groqmock.Org{
		{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}, Limits: rpm(6)},
		{ID: "org_b", Keys: []string{"gsk_bbbbbbbb"}, Limits: rpm(6)},
	}
	keys := []string{"gsk_aaaaaaaa@org_a", "gsk_bbbbbbbb@org_b"}
	exhaust := func(t *testing.T, e *env, p *groq.Pool) {
		for range 12 {
			mustComplete(t, p, "fill")
		}
	}

	t.Run("rate limited with a true Retry-After past the queue timeout", func(t *testing.T) {
		e := newEnv(t, orgs...)
		p := e.pool(keys, func(o *groq.Options) { o.QueueTimeout = 5 * time.Second })
		exhaust(t, e, p)
		_, err := complete(t, p, "one too many")
		if e := wantCode(t, err, errs.RateLimited); e.RetryAfterSeconds != 10 {
			t.Errorf("Retry-After = %d, want 10 (RPM 6 refills one request per 10s)", e.RetryAfterSeconds)
		}
	})

	t.Run("waits for a reset within the queue timeout", func(t *testing.T) {
		e := newEnv(t, orgs...)
		p := e.pool(keys, func(o *groq.Options) { o.QueueTimeout = 15 * time.Second })
		exhaust(t, e, p)
		res := make(chan error, 1)
		go func() {
			_, err := complete(t, p, "patient")
			res <- err
		}()
		if !e.clock.WaitPending(1, nil) {
			t.Fatal("the request did not wait")
		}
		select {
		case err := <-res:
			t.Fatalf("returned before the reset: %v", err)
		default:
		}
		e.clock.Advance(10 * time.Second)
		if err := <-res; err != nil {
			t.Fatalf("after the reset: %v", err)
		}
	})

	t.Run("cancel while waiting", func(t *testing.T) {
		e := newEnv(t, orgs...)
		p := e.pool(keys, func(o *groq.Options) { o.QueueTimeout = 15 * time.Second })
		exhaust(t, e, p)
		ctx, cancel := context.WithCancel(context.Background())
		res := make(chan error, 1)
		go func() {
			_, err := p.Complete(ctx, request("x", false))
			res <- err
		}()
		e.clock.WaitPending(1, nil)
		cancel()
		if err := <-res; !errorsIsCanceled(err) {
			t.Fatalf("error = %v; want context.Canceled inside", err)
		}
	})
}

func TestServerErrorsRetryOnAnotherKey(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_first_1", "gsk_second"}})
	p := e.pool([]string{"gsk_first_1@org_a", "gsk_second@org_a"})
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHTML, Status: 502})
	mustComplete(t, p, "despite cloudflare")
	st := e.mock.Stats()
	var faulted, completed string
	for k, c := range st.Keys {
		if c.Faulted == 1 {
			faulted = k
		}
		if c.Completed == 1 {
			completed = k
		}
	}
	if faulted == "" || completed == "" || faulted == completed {
		t.Fatalf("faulted on %q, completed on %q; want two different keys", faulted, completed)
	}

	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultJSON, Status: 500, Count: 10})
	_, err := complete(t, p, "never")
	wantCode(t, err, errs.Upstream)
	if n := e.mock.Stats().Orgs["org_a"].Faulted; n != 1+4 {
		t.Errorf("attempts after the first fault = %d, want MaxAttempts (4)", n-1)
	}
}

func TestRequestErrorsAreNotRetried(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"},
		Limits: map[string]groqmock.Limits{"": {TPM: 100}}})
	p := e.pool([]string{"gsk_aaaaaaaa@org_a", "gsk_bbbbbbbb@org_a"})
	ctx := context.Background()

	req := request("hi", false)
	req.Model, req.Body = "no-such-model", []byte(`{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}`)
	_, err := p.Complete(ctx, req)
	if e := wantCode(t, err, errs.NotFound); e.Message != "model no-such-model not found" {
		t.Errorf("message %q", e.Message)
	}

	req = request("hi", false)
	req.Body = []byte(`{"model":"` + model + `","messages":[]}`)
	_, err = p.Complete(ctx, req)
	wantCode(t, err, errs.Invalid)

	req = request("hi", false)
	req.Body = []byte(`{"model":"` + model + `","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":500}`)
	_, err = p.Complete(ctx, req)
	wantCode(t, err, errs.TooLarge)

	if st := e.mock.Stats().Orgs["org_a"]; st.Requests != 3 {
		t.Errorf("Groq saw %d requests, want 3 (no retries)", st.Requests)
	}
}

func TestModels(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}})
	p := e.pool([]string{"gsk_aaaaaaaa"})
	ms, err := p.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(groqmock.DefaultModels()) || ms[0].ID == "" || ms[0].ContextWindow == 0 {
		t.Fatalf("models: %+v", ms)
	}
	e.mock.RevokeKey("gsk_aaaaaaaa")
	if again, err := p.Models(context.Background()); err != nil || len(again) != len(ms) {
		t.Fatalf("cached list: %v, %v", again, err)
	}
}

func TestGarbageAndTimeoutsAreRetried(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"}})
	var garbage atomic.Int32
	garbage.Store(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if garbage.Add(-1) == 0 {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>200 but not JSON</html>"))
			return
		}
		e.mock.ServeHTTP(w, r)
	}))
	defer srv.Close()
	p := e.pool([]string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"}, func(o *groq.Options) {
		o.BaseURL, o.HTTPClient = srv.URL+"/openai/v1", srv.Client()
		o.UpstreamTimeout = 200 * time.Millisecond
	})
	mustComplete(t, p, "after garbage")

	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang})
	mustComplete(t, p, "after a hang")
	if n := e.mock.Stats().Orgs["org_a"].Faulted; n != 1 {
		t.Fatalf("faulted %d", n)
	}
}
