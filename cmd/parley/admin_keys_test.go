package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestAdminKeysEndToEnd serves GET /admin/keys on a real key pool in front
// of groqmock with two orgs: a key Groq revoked shows up dead with its
// reason, an org that answered 429 shows up cooling, and no key ever
// appears other than as a fingerprint.
func TestAdminKeysEndToEnd(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		model := groqmock.DefaultModels()[0].ID
		const revoked, spare, limited = "gsk_orga_revoked_1", "gsk_orga_spare_2", "gsk_orgb_limited_3"
		mock := groqmock.New(groqmock.Config{Orgs: []groqmock.Org{
			{ID: "org_a", Keys: []string{revoked, spare}},
			{ID: "org_b", Keys: []string{limited}, Limits: map[string]groqmock.Limits{model: {RPM: 1}}},
		}})
		mock.RevokeKey(revoked)
		up := httptest.NewServer(mock)
		t.Cleanup(up.Close)
		t.Cleanup(mock.Close)
		pool, err := groq.New(groq.Options{Keys: []string{revoked + "@org_a", spare + "@org_a", limited + "@org_b"},
			BaseURL: up.URL + "/openai/v1", QueueTimeout: time.Millisecond, Backoff: func(int) time.Duration { return 0 }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		env := apitest.Start(t, st, apitest.Options{Deps: func(d *httpapi.Deps) { d.Keys = poolStatuses(pool) }})
		admin := env.Register("admin@example.com").AccessToken // the first user is the admin
		user := env.Register("user@example.com").AccessToken

		env.Want(env.Call("GET", "/api/v1/admin/keys", "", nil), http.StatusUnauthorized).Problem(t)
		if p := env.Want(env.Call("GET", "/api/v1/admin/keys", user, nil), http.StatusForbidden).Problem(t); p.Code != "forbidden" {
			t.Fatalf("user: code %q, want forbidden", p.Code)
		}

		fp := map[string]string{groq.Fingerprint(revoked): "revoked", groq.Fingerprint(spare): "spare", groq.Fingerprint(limited): "limited"}
		var keys struct {
			Data       []httpapi.KeyStatusJSON `json:"data"`
			Configured bool                    `json:"configured"`
			Summary    map[string]int          `json:"summary"`
		}
		read := func() map[string]httpapi.KeyStatusJSON {
			t.Helper()
			res := env.Want(env.Call("GET", "/api/v1/admin/keys", admin, nil), http.StatusOK)
			if strings.Contains(strings.ToLower(string(res.Body)), "gsk_") {
				t.Fatalf("a Groq key leaked into the admin view: %s", res.Body)
			}
			res.Decode(t, &keys)
			out := map[string]httpapi.KeyStatusJSON{}
			for _, k := range keys.Data {
				if !strings.HasPrefix(k.Fingerprint, "fp_") || fp[k.Fingerprint] == "" {
					t.Fatalf("unexpected key %q in %s", k.Fingerprint, res.Body)
				}
				out[fp[k.Fingerprint]] = k
			}
			return out
		}
		before := read()
		if !keys.Configured || len(before) != 3 || keys.Summary["active"] != 3 {
			t.Fatalf("before any request: configured=%v summary=%v keys=%v, want 3 active", keys.Configured, keys.Summary, before)
		}

		// Send until both facts were met: a request reached the revoked key
		// (org_a's first) and org_b's one-request-per-minute limit answered 429.
		body, _ := json.Marshal(map[string]any{"model": model, "messages": []map[string]string{{"role": "user", "content": "hi"}}})
		var now map[string]httpapi.KeyStatusJSON
		for i := 0; i < 12; i++ {
			_, _ = pool.Complete(t.Context(), chat.CompletionRequest{Model: model, Body: body, EstimatedTokens: 20})
			now = read()
			if now["revoked"].State == groq.StateDead && now["limited"].State == groq.StateCooling {
				break
			}
		}
		dead := now["revoked"]
		if dead.State != groq.StateDead || dead.DeadReason == nil || !strings.Contains(*dead.DeadReason, "401") {
			t.Fatalf("revoked key: %+v, want dead with a 401 reason", dead)
		}
		cool := now["limited"]
		if cool.State != groq.StateCooling || cool.CooldownUntil == nil || !time.Time(*cool.CooldownUntil).After(time.Now()) {
			t.Fatalf("rate-limited key: %+v, want cooling until a future time", cool)
		}
		var cooling *httpapi.BudgetStatusJSON
		for i, b := range cool.Budgets {
			if b.Model == model {
				cooling = &cool.Budgets[i]
			}
		}
		if cooling == nil || cooling.CoolingUntil == nil {
			t.Fatalf("rate-limited key budgets %+v: want %s with cooling_until", cool.Budgets, model)
		}
		if s := now["spare"]; s.State != groq.StateActive || s.Org != "org_a" || s.OrgSource != groq.OrgDeclared {
			t.Fatalf("spare key: %+v, want active in declared org_a", s)
		}
		if keys.Summary["dead"] != 1 || keys.Summary["cooling"] != 1 || keys.Summary["active"] != 1 {
			t.Fatalf("summary %v, want one key in each state", keys.Summary)
		}
	})
}

// TestAdminKeysUnconfigured: with no Groq key the view says so.
func TestAdminKeysUnconfigured(t *testing.T) {
	pool, err := groq.New(groq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, "sqlite")
	env := apitest.Start(t, st, apitest.Options{Deps: func(d *httpapi.Deps) { d.Keys = poolStatuses(pool) }})
	admin := env.Register("admin@example.com").AccessToken
	res := env.Want(env.Call("GET", "/api/v1/admin/keys", admin, nil), http.StatusOK)
	var got map[string]json.RawMessage
	res.Decode(t, &got)
	if string(got["data"]) != "[]" || string(got["configured"]) != "false" {
		t.Fatalf("unconfigured pool: %s, want data [] and configured false", res.Body)
	}
}

// TestServeAuditBrowsable runs serve: API calls and an admin action are
// flushed to the audit log on shutdown, and after a restart an admin finds
// them through GET /admin/audit with filters.
func TestServeAuditBrowsable(t *testing.T) {
	vars := baseVars(t)
	s := startServe(t, vars)
	_, admin := post(t, s.url+"/api/v1/auth/register", "", map[string]string{"email": "root@example.com", "password": "password-1"})
	_, user := post(t, s.url+"/api/v1/auth/register", "", map[string]string{"email": "bea@example.com", "password": "password-1"})
	adminToken := admin["access_token"].(string)
	userID := user["user"].(map[string]any)["id"].(string)
	req, _ := http.NewRequest("PATCH", s.url+"/api/v1/admin/users/"+userID, strings.NewReader(`{"daily_token_quota":5000}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if status, body := do(t, req); status != 200 {
		t.Fatalf("admin update: %d %v", status, body)
	}
	if status, _ := get(t, s.url+"/api/v1/admin/audit", user["access_token"].(string)); status != 403 {
		t.Fatalf("a user browsing the audit log: %d, want 403", status)
	}
	if err := s.stop(); err != nil { // flushes the audit writer
		t.Fatal(err)
	}

	vars["PARLEY_ADDR"] = "127.0.0.1:0"
	s = startServe(t, vars)
	status, page := get(t, s.url+"/api/v1/admin/audit?action=admin.user.update", adminToken)
	if status != 200 {
		t.Fatalf("audit: %d %v", status, page)
	}
	data := page["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("admin actions: %v, want the one update", page)
	}
	e := data[0].(map[string]any)
	if e["target"] != userID || e["user_id"] != admin["user"].(map[string]any)["id"] ||
		e["detail"].(map[string]any)["daily_token_quota"] != float64(5000) {
		t.Fatalf("admin action entry: %v", e)
	}
	status, page = get(t, s.url+"/api/v1/admin/audit?route="+url.QueryEscape("GET /api/v1/admin/audit")+"&status=403", adminToken)
	if status != 200 || len(page["data"].([]any)) != 1 {
		t.Fatalf("the refused browse: %d %v, want one 403 entry", status, page)
	}
	if status, p := get(t, s.url+"/api/v1/admin/audit?since=yesterday", adminToken); status != 400 || !strings.Contains(p["detail"].(string), "since") {
		t.Fatalf("bad since: %d %v", status, p)
	}
}
