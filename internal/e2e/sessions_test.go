package e2e

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestSessionEndsAcrossReplicas runs two replicas on one PostgreSQL and one
// Redis. An access token that replica B has accepted (and cached the
// session of) is refused by B within a few seconds once its session logs
// out on replica A; the same holds for a session whose user an admin
// disables on A, and re-enabling the user does not revive it.
func TestSessionEndsAcrossReplicas(t *testing.T) {
	testenv.Redis(t)
	_, env := startGroq(t, false)
	env["PARLEY_DATABASE_URL"] = testenv.NewPostgresDB(t)
	env["PARLEY_REDIS_URL"] = testenv.RedisURL()
	a := startParley(t, env)
	b := startParley(t, env)

	admin := callJSON(t, "POST", a.URL+"/api/v1/auth/register", "", map[string]string{"email": "root@example.com", "password": "password-root"}, 201)
	creds := map[string]string{"email": "sessions@example.com", "password": "password-sessions"}
	reg := callJSON(t, "POST", a.URL+"/api/v1/auth/register", "", creds, 201)
	other := callJSON(t, "POST", a.URL+"/api/v1/auth/login", "", creds, 200)
	access, otherAccess := reg["access_token"].(string), other["access_token"].(string)
	for range 3 { // B accepts both and caches their user and session
		callJSON(t, "GET", b.URL+"/api/v1/me", access, nil, 200)
		callJSON(t, "GET", b.URL+"/api/v1/me", otherAccess, nil, 200)
	}

	if s, body := call(t, "POST", a.URL+"/api/v1/auth/logout", "", map[string]string{"refresh_token": reg["refresh_token"].(string)}); s != 204 {
		t.Fatalf("logout: %d %s", s, body)
	}
	refusedWithin(t, b.URL, access, 5*time.Second, "after its logout on replica A")
	callJSON(t, "GET", b.URL+"/api/v1/me", otherAccess, nil, 200) // the other session lives on

	userID := reg["user"].(map[string]any)["id"].(string)
	adminAccess := admin["access_token"].(string)
	callJSON(t, "PATCH", a.URL+"/api/v1/admin/users/"+userID, adminAccess, map[string]any{"disabled": true}, 200)
	refusedWithin(t, b.URL, otherAccess, 5*time.Second, "after its user was disabled on replica A")
	callJSON(t, "PATCH", a.URL+"/api/v1/admin/users/"+userID, adminAccess, map[string]any{"disabled": false}, 200)
	if s, _ := call(t, "GET", b.URL+"/api/v1/me", otherAccess, nil); s != 401 {
		t.Errorf("replica B accepts, after re-enabling, an access token held before the user was disabled: %d", s)
	}
}

// refusedWithin polls GET /me with token until it answers 401, failing the
// test when that takes longer than limit.
func refusedWithin(t *testing.T, base, token string, limit time.Duration, what string) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(limit)
	tick := time.NewTicker(250 * time.Millisecond) // under the per-address rate limit
	defer tick.Stop()
	for {
		s, body := call(t, "GET", base+"/api/v1/me", token, nil)
		if s == 401 {
			t.Logf("access token refused by replica B %v %s", time.Since(start).Round(time.Millisecond), what)
			return
		}
		if s != 200 {
			t.Fatalf("%s: status %d %s", what, s, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica B still accepts the access token %v %s", limit, what)
		}
		<-tick.C
	}
}
