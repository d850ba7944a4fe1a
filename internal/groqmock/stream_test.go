package groqmock

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
)

func TestStreamWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:         testModel,
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("stream this")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	want := Reply("stream this")
	if got := acc.Choices[0].Message.Content; got != want {
		t.Errorf("content = %q, want %q", got, want)
	}
	if acc.Choices[0].FinishReason != "stop" {
		t.Errorf("finish = %q", acc.Choices[0].FinishReason)
	}
	if acc.Usage.PromptTokens != 7 || acc.Usage.CompletionTokens != int64(CountTokens(want)) {
		t.Errorf("usage = %+v, want prompt 7 completion %d", acc.Usage, CountTokens(want))
	}
}

// sseFrames reads a raw event stream into its frames: event name and data.
func sseFrames(t *testing.T, body string) (events []string, data []string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(body))
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			events = append(events, event)
			data = append(data, strings.TrimPrefix(line, "data: "))
			event = ""
		case line != "":
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	return events, data
}

type rawChunk struct {
	ID                string `json:"id"`
	Object            string `json:"object"`
	SystemFingerprint string `json:"system_fingerprint"`
	Choices           []struct {
		Delta        map[string]json.RawMessage `json:"delta"`
		FinishReason *string                    `json:"finish_reason"`
	} `json:"choices"`
	XGroq *struct {
		ID    string          `json:"id"`
		Seed  *int64          `json:"seed"`
		Usage json.RawMessage `json:"usage"`
	} `json:"x_groq"`
	Usage json.RawMessage `json:"usage"`
}

func TestStreamWireShape(t *testing.T) {
	_, hs, _ := start(t, Config{})
	for _, includeUsage := range []bool{false, true} {
		extra := map[string]any{"stream": true}
		if includeUsage {
			extra["stream_options"] = map[string]any{"include_usage": true}
		}
		r := post(t, hs, "gsk_a1", chatBody(testModel, "hello", extra))
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("status %d type %q", r.status, r.header.Get("Content-Type"))
		}
		_, data := sseFrames(t, r.body)
		if data[len(data)-1] != "[DONE]" {
			t.Fatalf("stream does not end with [DONE]: %q", data[len(data)-1])
		}
		chunks := make([]rawChunk, len(data)-1)
		for i, d := range data[:len(data)-1] {
			if err := json.Unmarshal([]byte(d), &chunks[i]); err != nil {
				t.Fatal(err)
			}
			if chunks[i].ID != chunks[0].ID || chunks[i].Object != "chat.completion.chunk" || chunks[i].SystemFingerprint == "" {
				t.Errorf("chunk %d repeats id/object/fingerprint wrongly: %s", i, d)
			}
		}
		first, last := chunks[0], chunks[len(chunks)-1]
		if string(first.Choices[0].Delta["role"]) != `"assistant"` || string(first.Choices[0].Delta["content"]) != `""` ||
			first.XGroq == nil || first.XGroq.Seed == nil || !reqIDPattern.MatchString(first.XGroq.ID) {
			t.Errorf("first chunk = %s", data[0])
		}
		middle := chunks[1 : len(chunks)-1]
		if len(middle) != CountTokens(Reply("hello")) {
			t.Errorf("%d content chunks, want one per token (%d)", len(middle), CountTokens(Reply("hello")))
		}
		for i, c := range middle {
			if c.XGroq != nil || c.Choices[0].FinishReason != nil || c.Usage != nil {
				t.Errorf("middle chunk %d carries x_groq, finish or usage: %s", i, data[i+1])
			}
		}
		if len(last.Choices[0].Delta) != 0 || last.Choices[0].FinishReason == nil || *last.Choices[0].FinishReason != "stop" ||
			last.XGroq == nil || last.XGroq.ID != first.XGroq.ID || last.XGroq.Usage == nil {
			t.Errorf("last chunk = %s", data[len(data)-2])
		}
		if (last.Usage != nil) != includeUsage {
			t.Errorf("include_usage %v: top-level usage present = %v", includeUsage, last.Usage != nil)
		}
	}
}

func TestStreamedToolCallWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:    testModel,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(`please call get_weather {"city": "Paris"}`)},
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	calls := acc.Choices[0].Message.ToolCalls
	if len(calls) != 1 || calls[0].Function.Name != "get_weather" || calls[0].Function.Arguments != `{"city":"Paris"}` ||
		calls[0].ID == "" || acc.Choices[0].FinishReason != "tool_calls" {
		t.Errorf("tool calls %+v finish %q", calls, acc.Choices[0].FinishReason)
	}
}

func TestPacedStreamFlushesEachChunk(t *testing.T) {
	// At 20 tokens/s the whole reply takes seconds; the first chunks must arrive on their own.
	_, hs, _ := start(t, Config{TokensPerSecond: 20, FirstTokenLatency: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := openStream(t, ctx, hs, "hello")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	readFrames(t, bufio.NewReader(resp.Body), 2)
}
