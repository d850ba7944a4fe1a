package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/groqmock"
)

// chatAttack is what people ask about all day: it must reach the model.
const chatAttack = "SELECT * FROM users WHERE id = 1 OR 1=1; DROP TABLE users; <script>alert(1)</script>"

// TestServeWithTheFirewall runs serve with PARLEY_WAF=block: the API's own
// traffic is never refused (a sweep of register, login, conversation CRUD,
// tokens, chat), chat text about SQL and HTML streams, a completion carrying
// it passes, and probes in query strings and headers get a 403 problem.
func TestServeWithTheFirewall(t *testing.T) {
	mock := groqmock.New(groqmock.Config{Orgs: []groqmock.Org{{ID: "org_test", Keys: []string{"gsk_testkey123"}}}})
	up := httptest.NewServer(mock)
	t.Cleanup(up.Close)
	t.Cleanup(mock.Close)
	vars := baseVars(t)
	vars["PARLEY_WAF"] = "block"
	vars["PARLEY_GROQ_API_KEYS"] = "gsk_testkey123@org_test"
	vars["PARLEY_GROQ_BASE_URL"] = up.URL + "/openai/v1"
	vars["PARLEY_DEFAULT_MODEL"] = groqmock.DefaultModels()[0].ID
	vars["PARLEY_RATE_LIMIT_RPS"] = "1000"
	vars["PARLEY_RATE_LIMIT_BURST"] = "1000"
	s := startServe(t, vars)

	calls := 0
	call := func(method, path, token string, body any, want int) map[string]any {
		t.Helper()
		calls++
		var rd io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, s.url+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			var wafLines []string
			for _, l := range strings.Split(s.out.String(), "\n") {
				if strings.Contains(l, `"msg":"waf`) {
					wafLines = append(wafLines, l)
				}
			}
			t.Fatalf("%s %s: %d %s, want %d; firewall log:\n%s", method, path, res.StatusCode, raw, want, strings.Join(wafLines, "\n"))
		}
		var m map[string]any
		if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			_ = json.Unmarshal(raw, &m)
		} else {
			m = map[string]any{"raw": string(raw)}
		}
		return m
	}

	// The false-positive sweep: what the web app and API clients do.
	call("POST", "/api/v1/auth/register", "", map[string]string{"email": "o'brien+waf@example.com", "password": "p@ss' OR word-1", "name": "Seán O'Brien"}, 201)
	auth := call("POST", "/api/v1/auth/login", "", map[string]string{"email": "o'brien+waf@example.com", "password": "p@ss' OR word-1"}, 200)
	auth = call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": auth["refresh_token"].(string)}, 200)
	tok := auth["access_token"].(string)
	call("GET", "/api/v1/me", tok, nil, 200)
	call("PATCH", "/api/v1/me", tok, map[string]string{"name": "Seán \"Ó\" Briain <dev>"}, 200)
	conv := call("POST", "/api/v1/conversations", tok, map[string]string{"title": "Q&A: joins, indexes & <div> layout"}, 201)
	id := conv["id"].(string)
	call("GET", "/api/v1/conversations?limit=20", tok, nil, 200)
	call("GET", "/api/v1/conversations?q="+url.QueryEscape("select"), tok, nil, 200)
	call("GET", "/api/v1/conversations/"+id, tok, nil, 200)
	call("PATCH", "/api/v1/conversations/"+id, tok, map[string]string{"title": "Why is my query slow?"}, 200)
	call("GET", "/api/v1/models", tok, nil, 200)
	call("GET", "/api/v1/usage", tok, nil, 200)
	stream := call("POST", "/api/v1/conversations/"+id+"/messages", tok, map[string]string{"content": chatAttack}, 200)
	if !strings.Contains(stream["raw"].(string), "event: done") {
		t.Fatalf("chat stream did not finish: %s", stream["raw"])
	}
	got := call("GET", "/api/v1/conversations/"+id, tok, nil, 200)
	if msgs, _ := got["messages"].([]any); len(msgs) < 1 || msgs[0].(map[string]any)["content"] != chatAttack {
		t.Errorf("stored conversation %v, want the message kept as sent", got["messages"])
	}
	call("POST", "/api/v1/conversations/"+id+"/regenerate", tok, map[string]string{}, 200)
	apiTok := call("POST", "/api/v1/tokens", tok, map[string]any{"name": "laptop (work) - CLI", "expires_in_days": 30}, 201)
	call("GET", "/api/v1/tokens", tok, nil, 200)
	completion := call("POST", "/v1/chat/completions", apiTok["token"].(string), map[string]any{
		"model": groqmock.DefaultModels()[0].ID,
		"messages": []map[string]string{
			{"role": "system", "content": "You review <b>SQL</b> and HTML."}, {"role": "user", "content": chatAttack}},
	}, 200)
	if completion["choices"] == nil {
		t.Errorf("completion answer %v", completion)
	}
	call("GET", "/v1/models", apiTok["token"].(string), nil, 200)
	call("DELETE", "/api/v1/tokens/"+apiTok["id"].(string), tok, nil, 204)
	call("DELETE", "/api/v1/conversations/"+id, tok, nil, 204)
	call("GET", "/api/v1/status", "", nil, 200)
	call("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": auth["refresh_token"].(string)}, 204)
	t.Logf("false-positive sweep: %d API calls, none refused", calls)
	// The logout ended that session's access token too: the probes sign in afresh.
	call("GET", "/api/v1/me", tok, nil, 401)
	auth = call("POST", "/api/v1/auth/login", "", map[string]string{"email": "o'brien+waf@example.com", "password": "p@ss' OR word-1"}, 200)
	tok = auth["access_token"].(string)

	// Probes are refused with a problem that names no payload.
	for _, probe := range []string{
		"/api/v1/conversations?q=" + url.QueryEscape("1' UNION SELECT password FROM users--"),
		"/api/v1/conversations?q=" + url.QueryEscape("<script>alert(document.cookie)</script>"),
	} {
		p := call("GET", probe, tok, nil, 403)
		if p["code"] != "forbidden" || p["detail"] != "blocked by the web application firewall" || p["request_id"] == "" || p["request_id"] == nil {
			t.Errorf("GET %s: problem %v", probe, p)
		}
	}
	// /v1 clients get OpenAI's envelope, and the request id as a header.
	req, _ := http.NewRequest("GET", s.url+"/v1/models?x="+url.QueryEscape("1' UNION SELECT password FROM users--"), nil)
	req.Header.Set("Authorization", "Bearer "+apiTok["token"].(string))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var env struct {
		Error struct{ Message, Type, Code string }
	}
	_ = json.Unmarshal(raw, &env)
	if res.StatusCode != 403 || env.Error.Code != "forbidden" || env.Error.Message != "blocked by the web application firewall" ||
		res.Header.Get("X-Request-Id") == "" {
		t.Errorf("/v1 probe: %d %s (X-Request-Id %q)", res.StatusCode, raw, res.Header.Get("X-Request-Id"))
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	logs := s.out.String()
	if !strings.Contains(logs, `"msg":"web application firewall on"`) || !strings.Contains(logs, `"msg":"waf blocked a request"`) {
		t.Errorf("start-up or block not logged:\n%s", logs)
	}
	for _, leak := range []string{"UNION", "document.cookie", "DROP TABLE"} {
		if strings.Contains(logs, leak) {
			t.Errorf("the log holds a payload (%q)", leak)
		}
	}
}
