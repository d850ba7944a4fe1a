package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestServeProductionShape runs serve as production does — PostgreSQL,
// Redis, a Groq key (the groqmock double) — and streams one chat answer
// through every layer: edge limits, auth, chat, pool, usage, status page.
func TestServeProductionShape(t *testing.T) {
	mock := groqmock.New(groqmock.Config{Orgs: []groqmock.Org{{ID: "org_test", Keys: []string{"gsk_testkey123"}}}})
	up := httptest.NewServer(mock)
	t.Cleanup(up.Close)
	t.Cleanup(mock.Close)
	_, prefix := testenv.Redis(t)

	vars := baseVars(t)
	vars["PARLEY_DATABASE_URL"] = testenv.NewPostgresDB(t)
	vars["PARLEY_REDIS_URL"] = testenv.RedisURL()
	vars["PARLEY_GROQ_API_KEYS"] = "gsk_testkey123@org_test"
	vars["PARLEY_GROQ_BASE_URL"] = up.URL + "/openai/v1"
	vars["PARLEY_DEFAULT_MODEL"] = groqmock.DefaultModels()[0].ID
	s := startServeEnv(t, vars, prefix)

	status, auth := post(t, s.url+"/api/v1/auth/register", "", map[string]string{"email": "chat@example.com", "password": "password-1"})
	if status != 201 {
		t.Fatalf("register: %d %v", status, auth)
	}
	tok := auth["access_token"].(string)
	status, conv := post(t, s.url+"/api/v1/conversations", tok, map[string]string{})
	if status != 201 {
		t.Fatalf("create conversation: %d %v", status, conv)
	}
	raw, _ := json.Marshal(map[string]string{"content": "Say hello"})
	req, _ := http.NewRequest("POST", s.url+"/api/v1/conversations/"+conv["id"].(string)+"/messages", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "event: done") {
		t.Fatalf("stream %s: %d\n%s\n%s", req.URL, res.StatusCode, body, s.out.String())
	}
	if status, m := get(t, s.url+"/api/v1/models", tok); status != 200 || m["configured"] != true {
		t.Errorf("models: %d %v", status, m)
	}
	if status, m := get(t, s.url+"/api/v1/status", ""); status != 200 || m["status"] == nil {
		t.Errorf("status page: %d %v", status, m)
	}
	if status, m := get(t, s.url+"/readyz", ""); status != 200 {
		t.Errorf("readyz: %d %v", status, m)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.out.String(), "gsk_testkey123") || strings.Contains(s.out.String(), "password-1") {
		t.Error("a secret reached the log")
	}
}
