package groqmock

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
)

func TestResponsesWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	got, err := c.Responses.New(context.Background(), responses.ResponseNewParams{
		Model:        testModel,
		Instructions: openai.String("be brief"),
		Input:        responses.ResponseNewParamsInputUnion{OfString: openai.String("tell me a story")},
		Reasoning:    shared.ReasoningParam{Effort: shared.ReasoningEffortLow},
		Store:        openai.Bool(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Object != "response" || got.Status != "completed" || !strings.HasPrefix(got.ID, "resp_") || got.OutputText() != Reply("tell me a story") {
		t.Errorf("response %s", got.RawJSON())
	}
	if len(got.Output) != 2 || got.Output[0].Type != "reasoning" || got.Output[1].Type != "message" ||
		got.Output[0].Content[0].Text != ReasoningFor("tell me a story", "low", false) {
		t.Errorf("output %s", got.RawJSON())
	}
	reasoning := int64(CountTokens(ReasoningFor("tell me a story", "low", false)))
	if got.Usage.OutputTokensDetails.ReasoningTokens != reasoning || got.Usage.OutputTokens != reasoning+int64(CountTokens(Reply("tell me a story"))) ||
		got.Usage.TotalTokens != got.Usage.InputTokens+got.Usage.OutputTokens || got.Usage.InputTokens == 0 {
		t.Errorf("usage %s", got.Usage.RawJSON())
	}
	if got.PreviousResponseID != "" || !strings.Contains(got.RawJSON(), `"store":false`) || got.Reasoning.Effort != "low" {
		t.Errorf("echoed fields %s", got.RawJSON())
	}
}

func TestResponsesStreamEvents(t *testing.T) {
	_, hs, _ := start(t, Config{Answers: AnswersDemo})
	c := client(hs, "gsk_a1")
	stream := c.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "qwen/qwen3.8-27b", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("compare Go vs Rust")},
		Reasoning: shared.ReasoningParam{Effort: "default"},
	})
	var types []string
	var text, reasoning strings.Builder
	var final responses.Response
	seq := int64(-1)
	for stream.Next() {
		ev := stream.Current()
		if ev.SequenceNumber != seq+1 {
			t.Errorf("sequence %d after %d", ev.SequenceNumber, seq)
		}
		seq = ev.SequenceNumber
		if len(types) == 0 || types[len(types)-1] != ev.Type {
			types = append(types, ev.Type)
		}
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.reasoning_text.delta":
			reasoning.WriteString(ev.Delta)
		case "response.completed":
			final = ev.Response
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	want := "response.created,response.in_progress,response.output_item.added,response.reasoning_text.delta,response.reasoning_text.done," +
		"response.output_item.done,response.output_item.added,response.content_part.added,response.output_text.delta,response.output_text.done," +
		"response.content_part.done,response.output_item.done,response.completed"
	if strings.Join(types, ",") != want {
		t.Errorf("events\n%s\nwant\n%s", strings.Join(types, ","), want)
	}
	if text.String() != DemoAnswer("compare Go vs Rust") || final.OutputText() != text.String() || !strings.Contains(text.String(), "| Criterion |") {
		t.Errorf("text %q final %q", text.String(), final.OutputText())
	}
	if reasoning.String() != ReasoningFor("compare Go vs Rust", "default", true) || strings.Contains(text.String(), "<think>") {
		t.Errorf("reasoning %q", reasoning.String())
	}
}

func TestResponsesFunctionCalls(t *testing.T) {
	_, hs, _ := start(t, Config{})
	tools := []map[string]any{{"type": "function", "name": "get_weather", "parameters": map[string]any{"type": "object"}}}
	r := do(t, hs, http.MethodPost, "/openai/v1/responses", "gsk_a1", map[string]any{"model": testModel, "tools": tools,
		"input": `call get_weather {"city":"Oslo"}`})
	var out struct {
		Output []map[string]any `json:"output"`
	}
	_ = json.Unmarshal([]byte(r.body), &out)
	if r.status != 200 || len(out.Output) != 1 || out.Output[0]["type"] != "function_call" || out.Output[0]["name"] != "get_weather" ||
		out.Output[0]["arguments"] != `{"city":"Oslo"}` || out.Output[0]["call_id"] == "" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// The tool's output comes back as a function_call_output item: a text answer follows.
	r = do(t, hs, http.MethodPost, "/openai/v1/responses", "gsk_a1", map[string]any{"model": testModel, "tools": tools,
		"input": []map[string]any{{"role": "user", "content": `call get_weather {"city":"Oslo"}`},
			{"type": "function_call", "call_id": out.Output[0]["call_id"], "name": "get_weather", "arguments": `{"city":"Oslo"}`},
			{"type": "function_call_output", "call_id": out.Output[0]["call_id"], "output": `{"temp":3}`}}})
	wantText, _ := json.Marshal(Reply(`call get_weather {"city":"Oslo"}`))
	if r.status != 200 || !strings.Contains(r.body, `"text":`+string(wantText)+`,"type":"output_text"`) {
		t.Errorf("after the output: %d %s", r.status, r.body)
	}
}

func TestResponsesRefusals(t *testing.T) {
	_, hs, _ := start(t, Config{})
	tests := []struct {
		body   map[string]any
		status int
		msg    string
	}{
		{map[string]any{"model": testModel, "input": "x", "store": true}, 400, "`store` is not supported"},
		{map[string]any{"model": testModel, "input": "x", "previous_response_id": "resp_1"}, 400, "`previous_response_id` is not supported"},
		{map[string]any{"model": testModel}, 400, "property 'input' is missing"},
		{map[string]any{"model": testModel, "input": "x", "service_tier": "on_demand"}, 400, "value must be one of auto, default, flex"},
		{map[string]any{"model": "nope", "input": "x"}, 404, "does not exist"},
		{map[string]any{"model": testModel, "input": "x", "max_output_tokens": 3}, 200, `"status":"incomplete"`},
	}
	for _, tt := range tests {
		r := do(t, hs, http.MethodPost, "/openai/v1/responses", "gsk_a1", tt.body)
		if r.status != tt.status || !strings.Contains(r.body, tt.msg) {
			t.Errorf("%v: %d %s", tt.body, r.status, r.body)
		}
	}
}
