package httpapi_test

import (
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// Twenty concurrent /v1 completions spend at most the daily quota plus one
// answer: each reserves its estimate before going upstream. In memory on one
// replica, and in Redis shared by two replicas.
func TestQuotaHoldsUnderConcurrency(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		for _, shared := range []bool{false, true} {
			name := "memory"
			if shared {
				name = "redis, two replicas"
			}
			t.Run(name, func(t *testing.T) {
				var replicas []*chatEnv
				o := chatOptions{firstTokenLatency: 300 * time.Millisecond} // the 20 calls overlap upstream
				if shared {
					rc, prefix := testenv.Redis(t)
					o.counter = redisstore.NewUsageCounter(rc, prefix, st)
					replicas = append(replicas, startChat(t, st, o))
					o.counter = redisstore.NewUsageCounter(rc, prefix, st)
				}
				replicas = append(replicas, startChat(t, st, o))
				e := replicas[0]
				body := map[string]any{"model": chatModel, "max_tokens": 60,
					"messages": []map[string]string{{"role": "user", "content": "tell me about quotas"}}}

				// One answer's size, measured by another user.
				_, probeKey := e.apiUser()
				var probe struct {
					Usage struct {
						TotalTokens int64 `json:"total_tokens"`
					}
				}
				e.Want(e.Call("POST", "/v1/chat/completions", probeKey, body), 200).Decode(t, &probe)
				answer := probe.Usage.TotalTokens
				if answer == 0 {
					t.Fatal("the probe answer reported no usage")
				}

				access, key := e.apiUser()
				quota := 4 * answer
				var me struct{ ID string }
				e.Want(e.Call("GET", "/api/v1/me", access, nil), 200).Decode(t, &me)
				setQuota(t, e, me.ID, quota)

				const parallel = 20
				var wg sync.WaitGroup
				statuses := make([]int, parallel)
				for i := range parallel {
					wg.Go(func() {
						statuses[i] = replicas[i%len(replicas)].Call("POST", "/v1/chat/completions", key, body).Status
					})
				}
				wg.Wait()
				var u struct{ Used int64 }
				e.Want(e.Call("GET", "/api/v1/usage", access, nil), 200).Decode(t, &u)
				ok := 0
				for _, s := range statuses {
					if s == 200 {
						ok++
					} else if s != 429 {
						t.Errorf("status %d, want 200 or 429", s)
					}
				}
				t.Logf("%d concurrent requests: %d answered, %d tokens spent of a %d-token quota (%d %%); one answer is %d tokens",
					parallel, ok, u.Used, quota, 100*u.Used/quota, answer)
				if u.Used > quota+answer {
					t.Errorf("spent %d tokens (%d %% of the quota %d); more than the quota plus one answer (%d)",
						u.Used, 100*u.Used/quota, quota, quota+answer)
				}
				if ok == 0 {
					t.Error("no request was answered")
				}
			})
		}
	})
}

func setQuota(t *testing.T, e *chatEnv, userID string, quota int64) {
	t.Helper()
	q := &quota
	if _, err := e.Store.UpdateUser(t.Context(), userID, account.UserUpdate{DailyTokenQuota: &q}); err != nil {
		t.Fatal(err)
	}
}
