package groqmock

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openai/openai-go/v3"
)

const invalidKeyBody = `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}` + "\n"

func TestAuthentication(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.RevokeKey("gsk_a2")
	for _, key := range []string{"", "gsk_unknown", "gsk_a2"} {
		for _, path := range []string{"/openai/v1/chat/completions", "/openai/v1/models"} {
			method := map[bool]string{true: http.MethodPost, false: http.MethodGet}[strings.HasSuffix(path, "completions")]
			r := do(t, hs, method, path, key, chatBody(testModel, "hi", nil))
			got := []string{http.StatusText(r.status), r.header.Get("Content-Type"), r.header.Get("Content-Length"), r.body}
			want := []string{"Unauthorized", "application/json", "96", invalidKeyBody}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("key %q %s (-want +got):\n%s", key, path, diff)
			}
		}
	}
	if n := mock.Stats().Unauthorized; n != 6 {
		t.Errorf("Unauthorized = %d, want 6", n)
	}
	// The official client surfaces it as a 401 API error.
	bad := client(hs, "gsk_nope")
	_, err := bad.Models.List(context.Background())
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.Code != "invalid_api_key" {
		t.Errorf("client error = %v", err)
	}
}

func TestRestrictedOrg(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.RestrictOrg("org_a")
	r := post(t, hs, "gsk_a2", chatBody(testModel, "hi", nil))
	if e := apiErr(t, r.body); r.status != http.StatusBadRequest || e.Code != "organization_restricted" {
		t.Errorf("restricted org: %d %s", r.status, r.body)
	}
	if r := post(t, hs, "gsk_b1", chatBody(testModel, "hi", nil)); r.status != http.StatusOK {
		t.Errorf("other org: %d %s", r.status, r.body)
	}
}

func TestAddOrgAtRuntime(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	if r := post(t, hs, "gsk_c1", chatBody(testModel, "hi", nil)); r.status != http.StatusUnauthorized {
		t.Fatalf("before AddOrg: %d", r.status)
	}
	mock.AddOrg(Org{ID: "org_c", Keys: []string{"gsk_c1"}, Limits: map[string]Limits{testModel: {RPM: 1}}})
	post(t, hs, "gsk_c1", chatBody(testModel, "hi", nil))
	r := post(t, hs, "gsk_c1", chatBody(testModel, "hi", nil))
	if r.status != http.StatusTooManyRequests || !strings.Contains(apiErr(t, r.body).Message, "organization `org_c`") {
		t.Errorf("after AddOrg: %d %s", r.status, r.body)
	}
}

func TestRequestValidation(t *testing.T) {
	msgs := []map[string]any{{"role": "user", "content": "hi"}}
	tests := []struct {
		name   string
		body   any
		status int
		code   string
		msg    string // exact when set
	}{
		{name: "bad json", body: `{"model":`, status: 400},
		{name: "no model", body: map[string]any{"messages": msgs}, status: 400},
		{name: "no messages", body: map[string]any{"model": testModel}, status: 400},
		{name: "empty messages", body: map[string]any{"model": testModel, "messages": []any{}}, status: 400},
		{name: "n=2", body: chatBody(testModel, "hi", map[string]any{"n": 2}), status: 400},
		{name: "bad role", body: map[string]any{"model": testModel, "messages": []map[string]any{{"role": "robot", "content": "x"}}}, status: 400},
		{name: "five stops", body: chatBody(testModel, "hi", map[string]any{"stop": []string{"a", "b", "c", "d", "e"}}), status: 400},
		{name: "temperature", body: chatBody(testModel, "hi", map[string]any{"temperature": 3}), status: 400},
		{name: "stream_options without stream", body: chatBody(testModel, "hi", map[string]any{"stream_options": map[string]any{"include_usage": true}}), status: 400},
		{name: "bad tier", body: chatBody(testModel, "hi", map[string]any{"service_tier": "gold"}), status: 400},
		{name: "max_tokens over model max", body: chatBody("qwen/qwen3.8-27b", "hi", map[string]any{"max_tokens": 16385}), status: 400},
		{name: "context too long", body: chatBody(testModel, strings.Repeat("abcd", 131072), nil), status: 400, code: "context_length_exceeded"},
		{name: "unknown model", body: chatBody("no-such-model", "hi", nil), status: 404, code: "model_not_found",
			msg: "The model `no-such-model` does not exist or you do not have access to it."},
		{name: "decommissioned", body: chatBody("llama-3.3-70b-versatile", "hi", nil), status: 400, code: "model_decommissioned",
			msg: "The model `llama-3.3-70b-versatile` has been decommissioned and is no longer supported. Please refer to " +
				"https://console.groq.com/docs/deprecations for a recommendation on which model to use instead."},
	}
	_, hs, _ := start(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, hs, "gsk_a1", tt.body)
			e := apiErr(t, r.body)
			if r.status != tt.status || e.Type != "invalid_request_error" || e.Code != tt.code || (tt.msg != "" && e.Message != tt.msg) {
				t.Errorf("got %d %s", r.status, r.body)
			}
			if !strings.HasSuffix(r.body, "}\n") || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("error body not compact JSON + newline: %q", r.body)
			}
		})
	}
}

func TestLenientFieldsAccepted(t *testing.T) {
	_, hs, _ := start(t, Config{})
	body := map[string]any{"model": testModel, "n": 1, "stop": "x", "user": "u1", "reasoning_effort": "low", "service_tier": "auto",
		"messages": []map[string]any{
			{"role": "system", "content": nil},
			{"role": "user", "content": []map[string]any{{"type": "text", "text": "look"}}},
		}}
	r := post(t, hs, "gsk_a1", body)
	if r.status != http.StatusOK || !strings.Contains(r.body, Reply("look")) || !strings.Contains(r.body, `"service_tier":"on_demand"`) {
		t.Errorf("%d %s", r.status, r.body)
	}
}

func TestFlexCapacity(t *testing.T) {
	mock, hs, _ := start(t, Config{FlexCapacityExceeded: true})
	flex := chatBody(testModel, "hi", map[string]any{"service_tier": "flex"})
	r := post(t, hs, "gsk_a1", flex)
	if e := apiErr(t, r.body); r.status != 498 || e.Code != "capacity_exceeded" || !strings.Contains(e.Message, "`flex` tier capacity exceeded") {
		t.Errorf("flex on: %d %s", r.status, r.body)
	}
	mock.SetFlexCapacityExceeded(false)
	if r := post(t, hs, "gsk_a1", flex); r.status != http.StatusOK || !strings.Contains(r.body, `"service_tier":"flex"`) {
		t.Errorf("flex off: %d %s", r.status, r.body)
	}
}

func TestUnknownURL(t *testing.T) {
	_, hs, _ := start(t, Config{})
	r := do(t, hs, http.MethodGet, "/openapi.json", "gsk_a1", nil)
	want := `{"error":{"message":"Unknown request URL: GET /openapi.json. Please check the URL for typos, or see the docs at ` +
		`https://console.groq.com/docs/","type":"invalid_request_error","code":"unknown_url"}}` + "\n"
	if r.status != http.StatusNotFound || r.body != want {
		t.Errorf("%d %q", r.status, r.body)
	}
	if r := do(t, hs, http.MethodGet, "/openai/v1/chat/completions", "gsk_a1", nil); r.status != http.StatusNotFound {
		t.Errorf("GET chat/completions: %d", r.status)
	}
}

func TestModelsWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	page, err := c.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	var want []string
	for _, m := range DefaultModels() {
		want = append(want, m.ID)
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("model ids (-want +got):\n%s", diff)
	}
	m, err := c.Models.Get(context.Background(), "openai/gpt-oss-120b")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "openai/gpt-oss-120b" || m.OwnedBy != "OpenAI" || !strings.Contains(m.RawJSON(), `"context_window":131072`) {
		t.Errorf("model = %s", m.RawJSON())
	}
	_, err = c.Models.Get(context.Background(), "nope")
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Code != "model_not_found" {
		t.Errorf("unknown model: %v", err)
	}
}
