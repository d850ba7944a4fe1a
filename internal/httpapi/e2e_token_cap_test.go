package httpapi_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// A user holds at most MaxAPITokens live tokens: 50 parallel creates one
// below the cap make exactly one, and revoking one frees a place.
func TestAPITokenCapHoldsUnderConcurrency(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{}) // the default cap
		tok, a := e.NewUser()
		var first account.APIToken
		for i := range account.DefaultMaxAPITokens - 1 {
			at, _, err := e.Accounts.CreateAPIToken(t.Context(), a.User.ID, account.NewAPIToken{Name: fmt.Sprint("t", i)})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = at
			}
		}
		// A revoked token does not count: the user is still one below the cap.
		extra, _, err := e.Accounts.CreateAPIToken(t.Context(), a.User.ID, account.NewAPIToken{Name: "revoked"})
		if err != nil {
			t.Fatal(err)
		}
		e.Want(e.Call("DELETE", "/api/v1/tokens/"+extra.ID, tok, nil), 204)

		const parallel = 50
		statuses := make([]int, parallel)
		var wg sync.WaitGroup
		for i := range parallel {
			wg.Go(func() {
				statuses[i] = e.Call("POST", "/api/v1/tokens", tok, map[string]string{"name": fmt.Sprint("race", i)}).Status
			})
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[201] != 1 || count[409] != parallel-1 {
			t.Fatalf("%d parallel creates at cap-1: statuses %v, want one 201 and %d 409", parallel, count, parallel-1)
		}
		p := e.Want(e.Call("POST", "/api/v1/tokens", tok, map[string]string{"name": "one more"}), 409).Problem(t)
		if p.Code != "conflict" || p.Detail != "you hold the maximum of 50 API tokens; revoke one to create another" {
			t.Errorf("over the cap: %+v", p)
		}
		e.Want(e.Call("DELETE", "/api/v1/tokens/"+first.ID, tok, nil), 204)
		e.Want(e.Call("POST", "/api/v1/tokens", tok, map[string]string{"name": "after revoking"}), 201)

		// The same race straight on the service, tighter than over HTTP.
		e.Want(e.Call("DELETE", "/api/v1/tokens/"+extra.ID, tok, nil), 204)
		e.Want(e.Call("DELETE", "/api/v1/tokens/"+first.ID, tok, nil), 204)
		var list struct{ Data []struct{ ID string } }
		e.Want(e.Call("GET", "/api/v1/tokens", tok, nil), 200).Decode(t, &list)
		e.Want(e.Call("DELETE", "/api/v1/tokens/"+list.Data[0].ID, tok, nil), 204) // one below the cap again
		var made sync.WaitGroup
		var created atomic.Int64
		for i := range parallel {
			made.Go(func() {
				if _, _, err := e.Accounts.CreateAPIToken(t.Context(), a.User.ID, account.NewAPIToken{Name: fmt.Sprint("svc", i)}); err == nil {
					created.Add(1)
				}
			})
		}
		made.Wait()
		if created.Load() != 1 {
			t.Fatalf("%d parallel service creates at cap-1 made %d tokens, want 1", parallel, created.Load())
		}
	})
}
