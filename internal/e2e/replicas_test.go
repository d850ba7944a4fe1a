package e2e

import (
	"testing"

	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestRevocationAcrossReplicas runs two parley replicas on one PostgreSQL
// and one Redis. An API token used (and so cached) on replica B is revoked
// through replica A: B refuses it on the very next call. A renamed
// conversation shows up at once in B's (cached) list the same way.
func TestRevocationAcrossReplicas(t *testing.T) {
	testenv.Redis(t)
	_, env := startGroq(t, false)
	env["PARLEY_DATABASE_URL"] = testenv.NewPostgresDB(t)
	env["PARLEY_REDIS_URL"] = testenv.RedisURL()
	a := startParley(t, env)
	b := startParley(t, env)

	reg := callJSON(t, "POST", a.URL+"/api/v1/auth/register", "", map[string]string{"email": "replicas@example.com", "password": "password-replicas"}, 201)
	access := reg["access_token"].(string)
	tok := callJSON(t, "POST", a.URL+"/api/v1/tokens", access, map[string]string{"name": "ci"}, 201)
	apiToken, tokID := tok["token"].(string), tok["id"].(string)
	for range 3 { // B looks the token up and caches it
		callJSON(t, "GET", b.URL+"/v1/models", apiToken, nil, 200)
	}
	if s, _ := call(t, "DELETE", a.URL+"/api/v1/tokens/"+tokID, access, nil); s != 204 {
		t.Fatalf("revoke: %d", s)
	}
	if s, body := call(t, "GET", b.URL+"/v1/models", apiToken, nil); s != 401 {
		t.Errorf("replica B accepted a token revoked on replica A: %d %s", s, body)
	}

	conv := callJSON(t, "POST", a.URL+"/api/v1/conversations", access, map[string]string{"title": "before"}, 201)
	list := callJSON(t, "GET", b.URL+"/api/v1/conversations", access, nil, 200) // B caches the first page
	if got := title0(list); got != "before" {
		t.Fatalf("B lists %q", got)
	}
	callJSON(t, "PATCH", a.URL+"/api/v1/conversations/"+conv["id"].(string), access, map[string]string{"title": "after"}, 200)
	if got := title0(callJSON(t, "GET", b.URL+"/api/v1/conversations", access, nil, 200)); got != "after" {
		t.Errorf("replica B lists %q after the rename on replica A", got)
	}
}

func title0(list map[string]any) string {
	data, _ := list["data"].([]any)
	if len(data) == 0 {
		return ""
	}
	c, _ := data[0].(map[string]any)
	s, _ := c["title"].(string)
	return s
}
