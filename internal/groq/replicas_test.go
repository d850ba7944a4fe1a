package groq_test

import (
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groq/ledger"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/redis/go-redis/v9"
)

// TestReplicasShareOneOrgLimit runs three pools (replicas) on one Redis
// against one org with RPM 5: once one replica hit the limit, none provokes
// another 429, and a concurrent burst from all three sends exactly 5.
func TestReplicasShareOneOrgLimit(t *testing.T) {
	const limitRPM = 5
	e := newEnv(t, groqmock.Org{ID: "org_one", Keys: []string{"gsk_replica_1", "gsk_replica_2"}, Limits: rpm(limitRPM)})
	rc, prefix := testenv.Redis(t)
	var pools []*groq.Pool
	for range 3 {
		pools = append(pools, e.pool([]string{"gsk_replica_1@org_one", "gsk_replica_2"}, func(o *groq.Options) {
			o.Ledger = ledger.NewRedis(rc, prefix, e.clock.Now)
			o.QueueTimeout = time.Second
		}))
	}

	// Round robin over the replicas: the sixth request meets the limit.
	ok, limited := 0, 0
	for i := range 30 {
		_, err := complete(t, pools[i%3], "round robin")
		switch {
		case err == nil:
			ok++
		case errs.CodeOf(err) == errs.RateLimited:
			limited++
		default:
			t.Fatalf("request %d: %v", i, err)
		}
	}
	st := e.mock.Stats().Orgs["org_one"]
	if ok != limitRPM || st.Completed != limitRPM {
		t.Errorf("completed %d (Groq: %d), want %d", ok, st.Completed, limitRPM)
	}
	// One 429 marks the limit; at most one more teaches the undeclared key's org.
	if st.RateLimited < 1 || st.RateLimited > 2 {
		t.Errorf("Groq answered %d 429s; want 1 or 2: the replicas share what the first taught", st.RateLimited)
	}
	// The undeclared key's org is learned by every replica.
	for i, p := range pools {
		if s := keyStatus(t, p, "gsk_replica_2"); s.State != groq.StateCooling {
			t.Errorf("replica %d sees the org as %q", i, s.State)
		}
	}

	// A minute later the budget is full again; 30 concurrent requests from
	// three replicas get exactly 5 through and provoke no 429.
	e.clock.Advance(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok = 0
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := complete(t, pools[i%3], "burst")
			if err != nil && errs.CodeOf(err) != errs.RateLimited {
				t.Errorf("burst: %v", err)
			}
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	st2 := e.mock.Stats().Orgs["org_one"]
	if ok != limitRPM || st2.Completed-st.Completed != limitRPM {
		t.Errorf("burst completed %d (Groq: %d), want %d", ok, st2.Completed-st.Completed, limitRPM)
	}
	if st2.RateLimited != st.RateLimited {
		t.Errorf("the burst provoked %d 429s", st2.RateLimited-st.RateLimited)
	}
}

// TestRedisOutageKeepsServing: with the failover ledger, a dead Redis costs
// shared accounting, not availability.
func TestRedisOutageKeepsServing(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}, Limits: rpm(2)})
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	defer dead.Close()
	p := e.pool([]string{"gsk_aaaaaaaa@org_a"}, func(o *groq.Options) {
		o.Ledger = ledger.NewFailover(ledger.NewRedis(dead, "x:", e.clock.Now), e.clock.Now, o.Logger)
		o.QueueTimeout = time.Second
	})
	mustComplete(t, p, "one")
	mustComplete(t, p, "two")
	_, err := complete(t, p, "three")
	wantCode(t, err, errs.RateLimited)
	_, err = complete(t, p, "four")
	wantCode(t, err, errs.RateLimited)
	if n := e.mock.Stats().Orgs["org_a"].RateLimited; n != 1 {
		t.Errorf("429s = %d, want 1: the local ledger remembers the cooldown", n)
	}
	if !contains(e.logs.String(), "counting locally") {
		t.Errorf("the outage is not logged")
	}
}
