package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestNoSecretInLogs runs a full session against the real binary — register,
// a failed and a good login, refresh, a password change, a chat stream, an
// API token, /v1 completions plain and streamed, a forged token, logout —
// and then searches everything parley wrote for the secrets it handled.
func TestNoSecretInLogs(t *testing.T) {
	testenv.Redis(t) // the cache and limiter run on Redis here
	_, groqEnv := startGroq(t, false)
	groqEnv["PARLEY_REDIS_URL"] = testenv.RedisURL()
	p := startParley(t, groqEnv)
	n := strings.ReplaceAll(uuid.NewString(), "-", "")
	secrets := map[string]string{
		"password":       "Pw-" + n[:20],
		"wrong password": "Wrong-" + n[:20],
		"new password":   "New-" + n[:20],
		"prompt":         "prompt-" + n + " tell me about otters",
		"v1 prompt":      "v1prompt-" + n + " and beavers",
		"v1 stream":      "v1stream-" + n + " and voles",
		"forged token":   "plt_forged" + n,
		"groq key":       groqKey,
	}
	api := p.URL + "/api/v1"
	email := "logcheck-" + n[:8] + "@example.com"
	reg := callJSON(t, "POST", api+"/auth/register", "", map[string]string{"email": email, "password": secrets["password"]}, 201)
	secrets["access token"] = reg["access_token"].(string)
	secrets["refresh token"] = reg["refresh_token"].(string)
	if s, _ := call(t, "POST", api+"/auth/login", "", map[string]string{"email": email, "password": secrets["wrong password"]}); s != 401 {
		t.Fatalf("wrong password: %d", s)
	}
	login := callJSON(t, "POST", api+"/auth/login", "", map[string]string{"email": email, "password": secrets["password"]}, 200)
	access := login["access_token"].(string)
	secrets["login access token"] = access
	secrets["login refresh token"] = login["refresh_token"].(string)
	ref := callJSON(t, "POST", api+"/auth/refresh", "", map[string]string{"refresh_token": login["refresh_token"].(string)}, 200)
	access = ref["access_token"].(string)
	secrets["refreshed access token"], secrets["refreshed refresh token"] = access, ref["refresh_token"].(string)
	// Presenting its refresh token keeps this session (and its access token) signed in, as the web app does.
	callJSON(t, "PATCH", api+"/me", access, map[string]string{"password": secrets["new password"], "current_password": secrets["password"],
		"refresh_token": secrets["refreshed refresh token"]}, 200)

	conv := callJSON(t, "POST", api+"/conversations", access, map[string]string{}, 201)
	status, body := call(t, "POST", api+"/conversations/"+conv["id"].(string)+"/messages", access, map[string]string{"content": secrets["prompt"]})
	if status != 200 || !strings.Contains(string(body), "event: done") {
		t.Fatalf("chat stream: %d %s", status, body)
	}
	tok := callJSON(t, "POST", api+"/tokens", access, map[string]string{"name": "ci"}, 201)
	apiToken := tok["token"].(string)
	secrets["api token"] = apiToken
	model := groqEnv["PARLEY_DEFAULT_MODEL"]
	callJSON(t, "POST", p.URL+"/v1/chat/completions", apiToken, map[string]any{"model": model,
		"messages": []map[string]string{{"role": "user", "content": secrets["v1 prompt"]}}}, 200)
	status, body = call(t, "POST", p.URL+"/v1/chat/completions", apiToken, map[string]any{"model": model, "stream": true,
		"messages": []map[string]string{{"role": "user", "content": secrets["v1 stream"]}}})
	if status != 200 || !strings.Contains(string(body), "[DONE]") {
		t.Fatalf("v1 stream: %d %s", status, body)
	}
	callJSON(t, "GET", p.URL+"/v1/models", apiToken, nil, 200)
	if s, _ := call(t, "GET", p.URL+"/v1/models", secrets["forged token"], nil); s != 401 {
		t.Fatalf("forged token: %d", s)
	}
	if s, _ := call(t, "POST", api+"/auth/logout", "", map[string]string{"refresh_token": secrets["refreshed refresh token"]}); s != 204 {
		t.Fatalf("logout: %d", s)
	}

	p.terminate(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err, ok := p.wait(ctx); !ok || err != nil {
		t.Fatalf("parley did not exit cleanly: %v (exited %v)", err, ok)
	}
	out := p.Output.String()
	lines, requests, withID := 0, 0, 0
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines++
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			t.Errorf("a log line is not JSON: %.200s", sc.Text())
			continue
		}
		if rec["msg"] == "http request" {
			requests++
			if id, _ := rec["request_id"].(string); id != "" {
				withID++
			}
		}
	}
	found := grepSecrets(out, secrets)
	sort.Strings(found)
	t.Logf("%d log lines (%d request lines, %d with a request id) searched for %d secrets: %d found %v",
		lines, requests, withID, len(secrets), len(found), found)
	if len(found) > 0 {
		t.Errorf("secrets in the log: %v", found)
	}
	if requests == 0 || withID != requests {
		t.Errorf("%d of %d request lines carry a request id", withID, requests)
	}
}
