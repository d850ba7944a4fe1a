package groqmock

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

type wireExecuted struct {
	Choices []struct {
		Message struct {
			Content       string         `json:"content"`
			Reasoning     string         `json:"reasoning"`
			ExecutedTools []executedTool `json:"executed_tools"`
		} `json:"message"`
	} `json:"choices"`
	UsageBreakdown *struct {
		Models []struct {
			Model string `json:"model"`
		} `json:"models"`
	} `json:"usage_breakdown"`
	SystemFingerprint *string `json:"system_fingerprint"`
}

func withCompound() Config { return Config{Models: append(DefaultModels(), CompoundModels()...)} }

func TestBrowserSearchOnGPTOSS(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	got, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: testModel, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("latest Go release")},
	}, option.WithJSONSet("tools", []map[string]string{{"type": "browser_search"}}),
		option.WithJSONSet("search_settings", map[string]any{"include_domains": []string{"go.dev"}}))
	if err != nil {
		t.Fatal(err)
	}
	var body wireExecuted
	_ = json.Unmarshal([]byte(got.RawJSON()), &body)
	m := body.Choices[0].Message
	if len(m.ExecutedTools) != 1 || m.ExecutedTools[0].Type != "search" || m.ExecutedTools[0].Name != "browser.search" ||
		m.ExecutedTools[0].SearchResults == nil || len(m.ExecutedTools[0].SearchResults.Results) != 3 {
		t.Fatalf("executed_tools %s", got.Choices[0].Message.RawJSON())
	}
	first := m.ExecutedTools[0].SearchResults.Results[0]
	if !strings.HasPrefix(first.URL, "https://go.dev/") || !strings.Contains(m.Content, "**Sources**") ||
		!strings.Contains(m.Content, "("+first.URL+")") || !strings.Contains(m.ExecutedTools[0].Arguments, `"query":"latest Go release"`) {
		t.Errorf("sources: %s", got.Choices[0].Message.RawJSON())
	}
	// Code interpreter: the output is computed from the prompt.
	r := post(t, hs, "gsk_a1", chatBody(testModel, "calculate the length", map[string]any{
		"tools": []map[string]string{{"type": "code_interpreter"}, {"type": "browser_search"}}}))
	_ = json.Unmarshal([]byte(r.body), &body)
	ex := body.Choices[0].Message.ExecutedTools
	if len(ex) != 1 || ex[0].Type != "python" || *ex[0].Output != "20\n" || ex[0].CodeResults[0].Text != "20\n" {
		t.Errorf("code interpreter: %s", r.body)
	}
}

func TestBuiltinToolRefusals(t *testing.T) {
	_, hs, _ := start(t, withCompound())
	tests := []struct {
		name  string
		body  map[string]any
		wants string
	}{
		{"on a model without them", chatBody("qwen/qwen3.8-27b", "x", map[string]any{"tools": []map[string]string{{"type": "browser_search"}}}),
			"`browser_search` is not supported with this model"},
		{"with structured output", chatBody(testModel, "x", map[string]any{"tools": []map[string]string{{"type": "browser_search"}},
			"response_format": map[string]any{"type": "json_object"}}), "cannot be used together with the `browser_search` tool"},
		{"custom tools on compound", chatBody("groq/compound", "x", map[string]any{"tools": []map[string]any{
			{"type": "function", "function": map[string]any{"name": "f"}}}}), "Custom user-provided tools are not supported"},
	}
	for _, tt := range tests {
		r := post(t, hs, "gsk_a1", tt.body)
		if r.status != 400 || !strings.Contains(apiErr(t, r.body).Message, tt.wants) {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
}

func TestCompoundSystems(t *testing.T) {
	_, hs, _ := start(t, withCompound())
	r := post(t, hs, "gsk_a1", chatBody("groq/compound", "calculate how many letters are in the weather report", nil))
	var body wireExecuted
	_ = json.Unmarshal([]byte(r.body), &body)
	m := body.Choices[0].Message
	if r.status != 200 || len(m.ExecutedTools) != 2 || m.ExecutedTools[0].Type != "python" || m.ExecutedTools[1].Type != "search" ||
		m.ExecutedTools[0].Name != "" || m.Reasoning == "" || body.SystemFingerprint != nil ||
		body.UsageBreakdown == nil || body.UsageBreakdown.Models[0].Model != "openai/gpt-oss-120b" {
		t.Fatalf("compound: %s", r.body)
	}
	// compound-mini makes one call; enabled_tools restricts the choice.
	r = post(t, hs, "gsk_a1", chatBody("groq/compound-mini", "calculate the weather", nil))
	_ = json.Unmarshal([]byte(r.body), &body)
	if len(body.Choices[0].Message.ExecutedTools) != 1 {
		t.Errorf("compound-mini: %s", r.body)
	}
	r = post(t, hs, "gsk_a1", chatBody("groq/compound", "calculate the weather", map[string]any{
		"compound_custom": map[string]any{"tools": map[string]any{"enabled_tools": []string{"web_search"}}}}))
	_ = json.Unmarshal([]byte(r.body), &body)
	if ex := body.Choices[0].Message.ExecutedTools; len(ex) != 1 || ex[0].Type != "search" {
		t.Errorf("enabled_tools: %s", r.body)
	}
	// Streamed: reasoning, then one chunk with the executed tools, then content.
	r = post(t, hs, "gsk_a1", chatBody("groq/compound", "news about Groq", map[string]any{"stream": true}))
	var order []string
	for _, d := range sseData(r.body) {
		switch {
		case strings.Contains(d, `"delta":{"reasoning"`):
			if len(order) == 0 || order[len(order)-1] != "reasoning" {
				order = append(order, "reasoning")
			}
		case strings.Contains(d, `"executed_tools"`):
			order = append(order, "tools")
		case strings.Contains(d, `"delta":{"content":"`) && !strings.Contains(d, `"role"`):
			if order[len(order)-1] != "content" {
				order = append(order, "content")
			}
		}
	}
	if strings.Join(order, ",") != "reasoning,tools,content" {
		t.Errorf("stream order %v: %s", order, r.body)
	}
}
