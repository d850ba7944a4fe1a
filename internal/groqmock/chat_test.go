package groqmock

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openai/openai-go/v3"
)

var (
	reqIDPattern  = regexp.MustCompile(`^req_[0-9a-hjkmnp-tv-z]{26}$`)
	chatIDPattern = regexp.MustCompile(`^chatcmpl-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func TestPlainCompletionWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	got, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    testModel,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("be brief"), openai.UserMessage("hello")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Reply("hello")
	if got.Choices[0].Message.Content != want {
		t.Errorf("content = %q, want %q", got.Choices[0].Message.Content, want)
	}
	if got.Choices[0].FinishReason != "stop" || got.Model != testModel || got.Object != "chat.completion" {
		t.Errorf("finish %q model %q object %q", got.Choices[0].FinishReason, got.Model, got.Object)
	}
	if !chatIDPattern.MatchString(got.ID) {
		t.Errorf("id %q is not chatcmpl-<uuid>", got.ID)
	}
	// Two messages: 4 overhead each + "be brief" (2) + "hello" (2).
	wantUsage := []int64{12, int64(CountTokens(want)), 12 + int64(CountTokens(want))}
	gotUsage := []int64{got.Usage.PromptTokens, got.Usage.CompletionTokens, got.Usage.TotalTokens}
	if diff := cmp.Diff(wantUsage, gotUsage); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
}

func TestPlainCompletionWireShape(t *testing.T) {
	_, hs, _ := start(t, Config{})
	r := post(t, hs, "gsk_a1", chatBody(testModel, "shape check", map[string]any{"seed": 42}))
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d type %q: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var body struct {
		SystemFingerprint string          `json:"system_fingerprint"`
		ServiceTier       string          `json:"service_tier"`
		UsageBreakdown    json.RawMessage `json:"usage_breakdown"`
		XGroq             struct {
			ID   string `json:"id"`
			Seed int64  `json:"seed"`
		} `json:"x_groq"`
		Choices []struct {
			Logprobs json.RawMessage `json:"logprobs"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatal(err)
	}
	if !reqIDPattern.MatchString(body.XGroq.ID) || r.header.Get("X-Request-Id") != body.XGroq.ID {
		t.Errorf("x_groq.id %q, x-request-id %q", body.XGroq.ID, r.header.Get("X-Request-Id"))
	}
	if body.XGroq.Seed != 42 || body.ServiceTier != "on_demand" || !strings.HasPrefix(body.SystemFingerprint, "fp_") {
		t.Errorf("seed %d tier %q fingerprint %q", body.XGroq.Seed, body.ServiceTier, body.SystemFingerprint)
	}
	if string(body.UsageBreakdown) != "null" || string(body.Choices[0].Logprobs) != "null" {
		t.Errorf("usage_breakdown %s logprobs %s, want null", body.UsageBreakdown, body.Choices[0].Logprobs)
	}
	usageOrder := regexp.MustCompile(`"usage":\{"queue_time":[0-9.e-]+,"prompt_tokens":\d+,"prompt_time":[0-9.e-]+,` +
		`"completion_tokens":\d+,"completion_time":[0-9.e-]+,"total_tokens":\d+,"total_time":[0-9.e-]+\}`)
	if !usageOrder.MatchString(r.body) {
		t.Errorf("usage keys not in Groq's order: %s", r.body)
	}
}

func TestRepliesAreDeterministic(t *testing.T) {
	_, hs, _ := start(t, Config{})
	content := func(text string) string {
		var body struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
		}
		r := post(t, hs, "gsk_a1", chatBody(testModel, text, nil))
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Fatal(err)
		}
		return body.Choices[0].Message.Content
	}
	a, b, c := content("same words"), content("same words"), content("other words")
	if a != b || a == c || a != Reply("same words") {
		t.Errorf("replies %q, %q, %q: want the first two equal to Reply and the third different", a, b, c)
	}
}

func TestMaxTokensCutsTheReply(t *testing.T) {
	_, hs, _ := start(t, Config{})
	for _, field := range []string{"max_tokens", "max_completion_tokens"} {
		r := post(t, hs, "gsk_a1", chatBody(testModel, "hello", map[string]any{field: 3}))
		var body struct {
			Choices []struct {
				Message      struct{ Content string } `json:"message"`
				FinishReason string                   `json:"finish_reason"`
			} `json:"choices"`
			Usage struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Fatal(err)
		}
		want := string([]rune(Reply("hello"))[:12])
		got := body.Choices[0]
		if got.Message.Content != want || got.FinishReason != "length" || body.Usage.CompletionTokens != 3 {
			t.Errorf("%s: content %q finish %q tokens %d; want %q length 3", field, got.Message.Content,
				got.FinishReason, body.Usage.CompletionTokens, want)
		}
	}
}

func TestCountTokens(t *testing.T) {
	for in, want := range map[string]int{"": 0, "a": 1, "abcd": 1, "hello": 2, "héllo wörld": 3, "日本語のテキスト": 2} {
		if got := CountTokens(in); got != want {
			t.Errorf("CountTokens(%q) = %d, want %d", in, got, want)
		}
	}
}
