package groqmock

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

func weatherTool() openai.ChatCompletionToolUnionParam {
	return openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:       "get_weather",
		Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
	})
}

func TestToolCallWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	params := openai.ChatCompletionNewParams{
		Model:    testModel,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(`call get_weather {"city":"Oslo"}`)},
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
	}
	got, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	calls := got.Choices[0].Message.ToolCalls
	if len(calls) != 1 || calls[0].Function.Name != "get_weather" || calls[0].Function.Arguments != `{"city":"Oslo"}` ||
		got.Choices[0].FinishReason != "tool_calls" || strings.Contains(got.Choices[0].Message.RawJSON(), `"content"`) {
		t.Fatalf("message %s finish %q", got.Choices[0].Message.RawJSON(), got.Choices[0].FinishReason)
	}
	// Feeding the tool result back gets a text answer, not another call.
	params.Messages = append(params.Messages, got.Choices[0].Message.ToParam(), openai.ToolMessage(`{"temp":3}`, calls[0].ID))
	next, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if next.Choices[0].FinishReason != "stop" || next.Choices[0].Message.Content != Reply(`call get_weather {"city":"Oslo"}`) {
		t.Errorf("after the tool result: finish %q content %q", next.Choices[0].FinishReason, next.Choices[0].Message.Content)
	}
}

func TestToolRule(t *testing.T) {
	tools := []map[string]any{
		{"type": "function", "function": map[string]any{"name": "alpha"}},
		{"type": "function", "function": map[string]any{"name": "beta"}},
	}
	named := map[string]any{"type": "function", "function": map[string]any{"name": "beta"}}
	tests := []struct {
		name     string
		text     string
		choice   any
		parallel any
		want     []string // called functions, nil for a text answer
	}{
		{name: "no mention", text: "hello"},
		{name: "mention", text: "Call Beta please", want: []string{"beta"}},
		{name: "two in order", text: "call beta then call alpha", want: []string{"beta", "alpha"}},
		{name: "not parallel", text: "call beta then call alpha", parallel: false, want: []string{"beta"}},
		{name: "required", text: "hello", choice: "required", want: []string{"alpha"}},
		{name: "named", text: "call alpha", choice: named, want: []string{"beta"}},
		{name: "none", text: "call alpha", choice: "none"},
	}
	_, hs, _ := start(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := map[string]any{"tools": tools}
			if tt.choice != nil {
				extra["tool_choice"] = tt.choice
			}
			if tt.parallel != nil {
				extra["parallel_tool_calls"] = tt.parallel
			}
			r := post(t, hs, "gsk_a1", chatBody(testModel, tt.text, extra))
			var body struct {
				Choices []struct {
					Message      map[string]json.RawMessage `json:"message"`
					FinishReason string                     `json:"finish_reason"`
				} `json:"choices"`
			}
			if err := json.Unmarshal([]byte(r.body), &body); err != nil {
				t.Fatalf("%d %s: %v", r.status, r.body, err)
			}
			var calls []struct {
				Function struct{ Name string } `json:"function"`
			}
			_ = json.Unmarshal(body.Choices[0].Message["tool_calls"], &calls)
			var got []string
			for _, c := range calls {
				got = append(got, c.Function.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			_, hasContent := body.Choices[0].Message["content"]
			wantFinish := map[bool]string{true: "tool_calls", false: "stop"}[tt.want != nil]
			if body.Choices[0].FinishReason != wantFinish || hasContent == (tt.want != nil) {
				t.Errorf("finish %q, content present %v", body.Choices[0].FinishReason, hasContent)
			}
		})
	}
}

func TestToolChoiceWithoutTools(t *testing.T) {
	_, hs, _ := start(t, Config{})
	r := post(t, hs, "gsk_a1", chatBody(testModel, "hi", map[string]any{"tool_choice": "required"}))
	if r.status != http.StatusBadRequest || !strings.Contains(apiErr(t, r.body).Message, "tools") {
		t.Errorf("status %d body %s", r.status, r.body)
	}
}
