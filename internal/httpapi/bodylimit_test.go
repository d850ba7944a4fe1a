package httpapi_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// padTo pads the JSON object obj with trailing spaces (still valid JSON,
// the same request) to exactly n bytes.
func padTo(t *testing.T, obj string, n int64) string {
	t.Helper()
	if int64(len(obj)) > n {
		t.Fatalf("body of %d bytes does not fit in %d", len(obj), n)
	}
	return obj + strings.Repeat(" ", int(n)-len(obj))
}

// TestBodyLimitsPerRoute sends each class of route a body of exactly its
// cap (served) and one byte more (413 naming the cap), once with a
// Content-Length and once chunked (no length known in advance).
func TestBodyLimitsPerRoute(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	access, apiToken := e.apiUser()
	var me httpapi.UserJSON
	e.Want(e.Call("GET", "/api/v1/me", access, nil), 200).Decode(t, &me)
	// apitest's users share one password; log in with a throwaway account.
	e.Want(e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": "limits@example.com", "password": "password-limits"}), 201)
	conv := e.conversation(access)

	cases := []struct {
		name, path, token, body string
		limit                   int64
		status                  int
		openAI                  bool
	}{
		{"login (small)", "/api/v1/auth/login", "", `{"email":"limits@example.com","password":"password-limits"}`, 16 << 10, 200, false},
		{"profile (small)", "/api/v1/me", access, `{"name":"Ada"}`, 16 << 10, 200, false},
		{"conversation (medium)", "/api/v1/conversations", access, `{"title":"padded"}`, 64 << 10, 201, false},
		{"chat message", "/api/v1/conversations/" + conv + "/messages", access, `{"content":"hello"}`, 256 << 10, 200, false},
		{"/v1 completion (PARLEY_MAX_BODY_BYTES)", "/v1/chat/completions", apiToken,
			`{"model":"` + chatModel + `","messages":[{"role":"user","content":"hello"}]}`, 1 << 20, 200, true},
	}
	for _, c := range cases {
		method := "POST"
		if c.path == "/api/v1/me" {
			method = "PATCH"
		}
		for _, chunked := range []bool{false, true} {
			send := func(n int64) *apitest.Response {
				body := padTo(t, c.body, n)
				var r any = body
				if chunked {
					r = io.MultiReader(strings.NewReader(body)) // no length: sent chunked
				}
				return e.Do(apitest.Request{Method: method, Path: c.path, Token: c.token, Body: r})
			}
			mode := map[bool]string{false: "Content-Length", true: "chunked"}[chunked]
			if res := send(c.limit); res.Status != c.status {
				t.Errorf("%s, %s, %d bytes: status %d, want %d; %.300s", c.name, mode, c.limit, res.Status, c.status, res.Body)
			} else if strings.HasSuffix(c.path, "/messages") && !strings.Contains(string(res.Body), "event: done") {
				t.Errorf("%s, %s: the stream did not finish: %.300s", c.name, mode, res.Body)
			}
			res := send(c.limit + 1)
			if res.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s, %s, %d bytes: status %d, want 413; %.300s", c.name, mode, c.limit+1, res.Status, res.Body)
				continue
			}
			limit := strconv.FormatInt(c.limit, 10)
			if c.openAI {
				var env problem.OpenAI
				res.Decode(t, &env)
				if env.Error.Code == nil || *env.Error.Code != "request_too_large" || !strings.Contains(env.Error.Message, limit) {
					t.Errorf("%s, %s: 413 body %s, want request_too_large naming %s", c.name, mode, res.Body, limit)
				}
				continue
			}
			if p := res.Problem(t); p.Code != "too_large" || !strings.Contains(p.Detail, limit) {
				t.Errorf("%s, %s: problem %+v, want too_large naming %s", c.name, mode, p, limit)
			}
		}
	}
}

// TestBodyLimitFitsLongestMessage: the chat service's longest message,
// 32,000 characters, fits the message cap even with every character sent
// as a \u escape (as Python's json.dumps does by default).
func TestBodyLimitFitsLongestMessage(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	access, _ := e.NewUser()
	conv := e.conversation(access)
	body := `{"content":"` + strings.Repeat(`\u00e9`, 32000) + `"}`
	res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/conversations/" + conv + "/messages", Token: access, Body: body})
	if res.Status != 200 || !strings.Contains(string(res.Body), "event: done") {
		t.Fatalf("a %d-byte message of 32,000 characters: status %d; %.300s", len(body), res.Status, res.Body)
	}
	var got httpapi.ConversationJSON
	e.Want(e.Call("GET", "/api/v1/conversations/"+conv, access, nil), 200).Decode(t, &got)
	if got.Messages == nil || len(*got.Messages) == 0 || (*got.Messages)[0].Content != strings.Repeat("é", 32000) {
		t.Errorf("the stored message is not the one sent")
	}
}

// TestBodyLimitTable: the caps of the route table, and
// PARLEY_MAX_BODY_BYTES as the ceiling of every one.
func TestBodyLimitTable(t *testing.T) {
	for _, ceiling := range []int64{1 << 20, 32 << 10} {
		e := apitest.Start(t, storetest.Open(t, "sqlite"), apitest.Options{MaxBodyBytes: ceiling})
		got := map[string]int64{}
		for _, rt := range e.Server.Routes() {
			got[rt.Pattern] = e.Server.BodyLimit(rt)
		}
		want := map[string]int64{
			"POST /api/v1/auth/login":                  16 << 10,
			"PATCH /api/v1/me":                         16 << 10,
			"POST /api/v1/tokens":                      16 << 10,
			"PATCH /api/v1/admin/users/{id}":           16 << 10,
			"GET /api/v1/conversations":                16 << 10,
			"POST /api/v1/conversations":               min(64<<10, ceiling),
			"PATCH /api/v1/conversations/{id}":         min(64<<10, ceiling),
			"POST /api/v1/conversations/{id}/messages": min(256<<10, ceiling),
			"POST /v1/chat/completions":                ceiling,
		}
		for pattern, w := range want {
			if got[pattern] != w {
				t.Errorf("ceiling %d: %s capped at %d, want %d", ceiling, pattern, got[pattern], w)
			}
		}
	}
}
