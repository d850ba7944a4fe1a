package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// sentBody is the newest upstream request's JSON.
func (e *chatEnv) sentBody(t *testing.T) map[string]any {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(e.upstream.last(t), &body); err != nil {
		t.Fatal(err)
	}
	return body
}

// TestConversationSettings: system_prompt and params are validated, kept,
// and sent to the model (the system prompt first); reasoning_effort is
// refused for a model that takes none and left out when a turn changes to
// such a model.
func TestConversationSettings(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		var c httpapi.ConversationJSON
		e.Want(e.Call("POST", "/api/v1/conversations", tok, map[string]any{
			"system_prompt": "Answer like a pirate.",
			"params":        map[string]any{"temperature": 0.2, "top_p": 0.5, "max_tokens": 300, "reasoning_effort": "low"},
		}), 201).Decode(t, &c)
		if c.SystemPrompt != "Answer like a pirate." || c.Params.Temperature == nil || *c.Params.Temperature != 0.2 ||
			*c.Params.TopP != 0.5 || *c.Params.MaxTokens != 300 || *c.Params.ReasoningEffort != "low" {
			t.Fatalf("created %+v", c)
		}
		path := "/api/v1/conversations/" + c.ID
		res := e.Want(e.Call("GET", path, tok, nil), 200)
		if !strings.Contains(string(res.Body), `"params":{"temperature":0.2,"top_p":0.5,"max_tokens":300,"reasoning_effort":"low"}`) {
			t.Errorf("GET body %s", res.Body)
		}

		e.turnAt(t, tok, c.ID, "messages", map[string]any{"content": "hello"})
		body := e.sentBody(t)
		msgs := body["messages"].([]any)
		first := msgs[0].(map[string]any)
		if first["role"] != "system" || first["content"] != "Answer like a pirate." || len(msgs) != 2 {
			t.Errorf("sent messages %v, want the system prompt first", msgs)
		}
		if body["temperature"] != 0.2 || body["top_p"] != 0.5 || body["max_completion_tokens"] != 300.0 || body["reasoning_effort"] != "low" {
			t.Errorf("sent %v", body)
		}
		// A turn on a model without reasoning_effort leaves it out.
		e.turnAt(t, tok, c.ID, "messages", map[string]any{"content": "again", "model": "allam-2-7b"})
		if body := e.sentBody(t); body["reasoning_effort"] != nil || body["temperature"] != 0.2 {
			t.Errorf("sent to allam-2-7b: %v", body)
		}

		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"params": map[string]any{"temperature": 2.01}}, "params.temperature"},
			{map[string]any{"params": map[string]any{"temperature": -0.1}}, "params.temperature"},
			{map[string]any{"params": map[string]any{"top_p": 1.5}}, "params.top_p"},
			{map[string]any{"params": map[string]any{"top_p": -1}}, "params.top_p"},
			{map[string]any{"params": map[string]any{"max_tokens": 0}}, "params.max_tokens"},
			{map[string]any{"params": map[string]any{"max_tokens": 4097}}, "params.max_tokens"},
			{map[string]any{"params": map[string]any{"reasoning_effort": "high"}}, "params.reasoning_effort"}, // allam takes none
			{map[string]any{"model": "openai/gpt-oss-20b", "params": map[string]any{"reasoning_effort": "extreme"}}, "params.reasoning_effort"},
			{map[string]any{"model": "qwen/qwen3.8-27b", "params": map[string]any{"reasoning_effort": "high"}}, "params.reasoning_effort"},
			{map[string]any{"system_prompt": strings.Repeat("s", 32001)}, "system_prompt"},
		} {
			wantProblemField(t, e.Call("PATCH", path, tok, tc.body), 422, tc.field)
		}
		for _, body := range []map[string]any{
			{"params": map[string]any{"temperature": "hot"}}, {"params": map[string]any{"seed": 1}}, {"params": "x"},
		} {
			e.Want(e.Call("PATCH", path, tok, body), 422)
		}
		wantProblemField(t, e.Call("POST", "/api/v1/conversations", tok,
			map[string]any{"model": "allam-2-7b", "params": map[string]any{"reasoning_effort": "low"}}), 422, "params.reasoning_effort")

		// params are replaced as a whole; the rest stays.
		var got httpapi.ConversationJSON
		e.Want(e.Call("PATCH", path, tok, map[string]any{"model": "qwen/qwen3.8-27b", "params": map[string]any{"reasoning_effort": "none"}}), 200).Decode(t, &got)
		if got.Params.ReasoningEffort == nil || *got.Params.ReasoningEffort != "none" || got.Params.Temperature != nil || got.SystemPrompt != "Answer like a pirate." {
			t.Fatalf("after PATCH %+v", got)
		}
		e.Want(e.Call("PATCH", path, tok, map[string]any{"system_prompt": ""}), 200).Decode(t, &got)
		e.turnAt(t, tok, c.ID, "messages", map[string]any{"content": "no pirates"})
		body = e.sentBody(t)
		if first := body["messages"].([]any)[0].(map[string]any); first["role"] == "system" {
			t.Errorf("an emptied system prompt is still sent: %v", first)
		}
		if body["reasoning_effort"] != "none" || body["temperature"] != nil {
			t.Errorf("sent %v", body)
		}
	})
}
