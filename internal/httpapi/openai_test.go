package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// openAIClient is the official client pointed at parley's /v1 with a
// personal API token; opts come after the defaults.
func (e *chatEnv) openAIClient(token string, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(e.URL + "/v1"), option.WithAPIKey(token), option.WithMaxRetries(0),
	}, opts...)...)
}

// apiUser registers a user and gives them a personal API token.
func (e *chatEnv) apiUser() (access, apiToken string) {
	access, _ = e.NewUser()
	return access, e.newAPIToken(access, map[string]any{"name": "sdk"}).Token
}

func userMessage(text string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    chatModel,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(text)},
	}
}

func TestOpenAICompletions(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		access, key := e.apiUser()
		c := e.openAIClient(key)
		ctx := context.Background()

		t.Run("plain", func(t *testing.T) {
			got, err := c.Chat.Completions.New(ctx, userMessage("plain question"))
			if err != nil {
				t.Fatal(err)
			}
			want := groqmock.Reply("plain question")
			if got.Choices[0].Message.Content != want || got.Model != chatModel || got.Usage.CompletionTokens != int64(groqmock.CountTokens(want)) ||
				got.Usage.TotalTokens != got.Usage.PromptTokens+got.Usage.CompletionTokens {
				t.Errorf("answer %s", got.RawJSON())
			}
		})

		t.Run("streaming with usage", func(t *testing.T) {
			p := userMessage("stream please")
			p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			s := c.Chat.Completions.NewStreaming(ctx, p)
			var acc openai.ChatCompletionAccumulator
			chunks := 0
			var usage openai.CompletionUsage
			for s.Next() {
				ch := s.Current()
				acc.AddChunk(ch)
				chunks++
				if ch.Usage.TotalTokens > 0 {
					usage = ch.Usage
				}
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
			want := groqmock.Reply("stream please")
			if chunks < 5 || acc.Choices[0].Message.Content != want {
				t.Errorf("%d chunks making %q, want several making %q", chunks, acc.Choices[0].Message.Content, want)
			}
			if usage.CompletionTokens != int64(groqmock.CountTokens(want)) || usage.PromptTokens == 0 {
				t.Errorf("usage %+v", usage)
			}
		})

		t.Run("tool calls pass through", func(t *testing.T) {
			p := userMessage(`call get_weather {"city":"Oslo"}`)
			p.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
				Name:       "get_weather",
				Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
			})}
			got, err := c.Chat.Completions.New(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			calls := got.Choices[0].Message.ToolCalls
			if len(calls) != 1 || calls[0].Function.Name != "get_weather" || calls[0].Function.Arguments != `{"city":"Oslo"}` ||
				got.Choices[0].FinishReason != "tool_calls" {
				t.Fatalf("answer %s", got.RawJSON())
			}
			s := c.Chat.Completions.NewStreaming(ctx, p)
			var acc openai.ChatCompletionAccumulator
			for s.Next() {
				acc.AddChunk(s.Current())
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
			if tc := acc.Choices[0].Message.ToolCalls; len(tc) != 1 || tc[0].Function.Arguments != `{"city":"Oslo"}` {
				t.Errorf("streamed tool calls %+v", tc)
			}
		})

		t.Run("models", func(t *testing.T) {
			page, err := c.Models.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, m := range page.Data {
				ids[m.ID] = true
			}
			if !ids[chatModel] {
				t.Errorf("models %v lack %s", ids, chatModel)
			}
		})

		// Every call above was accounted to the token's user.
		var u httpapi.UsageJSON
		e.Want(e.Call("GET", "/api/v1/usage", access, nil), 200).Decode(t, &u)
		if len(u.ByModel) != 1 || u.ByModel[0].Requests != 4 || u.Used == 0 {
			t.Errorf("usage %+v, want 4 requests on %s", u, chatModel)
		}
	})
}

// apiError unwraps the client's error.
func apiError(t *testing.T, err error) *openai.Error {
	t.Helper()
	var ae *openai.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	return ae
}

func TestOpenAIErrors(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	_, key := e.apiUser()
	ctx := context.Background()

	bad, good := e.openAIClient("pk_not-a-token"), e.openAIClient(key)
	_, err := bad.Chat.Completions.New(ctx, userMessage("hi"))
	if ae := apiError(t, err); ae.StatusCode != 401 || ae.Code != "invalid_api_key" {
		t.Errorf("bad key: %d %s %s", ae.StatusCode, ae.Code, ae.RawJSON())
	}

	p := userMessage("hi")
	p.Model = "gpt-4o"
	_, err = good.Chat.Completions.New(ctx, p)
	if ae := apiError(t, err); ae.StatusCode != 404 || ae.Code != "model_not_found" || ae.Param != "model" || !strings.Contains(ae.Message, "gpt-4o") {
		t.Errorf("unknown model: %d %s", ae.StatusCode, ae.RawJSON())
	}

	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultJSON, Status: 429, RetryAfter: 7,
		Message: "Rate limit reached for model `" + chatModel + "` in organization `" + mockOrg + "` on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in 7s."})
	_, err = good.Chat.Completions.New(ctx, userMessage("hi"))
	ae := apiError(t, err)
	if ae.StatusCode != 429 || ae.Code != "rate_limit_exceeded" {
		t.Errorf("rate limited: %d %s", ae.StatusCode, ae.RawJSON())
	}
	if ra := ae.Response.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("429 without Retry-After")
	}

	for _, tc := range []struct {
		name, body, param string
	}{
		{"no model", `{"messages":[{"role":"user","content":"hi"}]}`, "model"},
		{"no messages", `{"model":"` + chatModel + `"}`, "messages"},
		{"empty messages", `{"model":"` + chatModel + `","messages":[]}`, "messages"},
		{"not JSON", `{"model":`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.Want(e.Do(apitest.Request{Method: "POST", Path: "/v1/chat/completions", Token: key, Body: tc.body}), 400)
			got := openAIErr(t, res)
			if got.Type != "invalid_request_error" || (tc.param != "" && (got.Param == nil || *got.Param != tc.param)) {
				t.Errorf("%+v", got)
			}
		})
	}
}

// recordingTransport notes every attempt the client makes.
type recordingTransport struct {
	mu       sync.Mutex
	attempts []attempt
}

type attempt struct {
	at         time.Time
	status     int
	retryAfter string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		rt.mu.Lock()
		rt.attempts = append(rt.attempts, attempt{time.Now(), res.StatusCode, res.Header.Get("Retry-After")})
		rt.mu.Unlock()
	}
	return res, err
}

// TestOpenAIClientRetryHonoursRetryAfter: the pool's 429 carries a true
// Retry-After; the client, retrying, waits that long and then succeeds.
func TestOpenAIClientRetryHonoursRetryAfter(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	_, key := e.apiUser()
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultJSON, Status: 429, RetryAfter: 1,
		Message: "Rate limit reached for model `" + chatModel + "` in organization `" + mockOrg + "` on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in 1s."})
	rt := &recordingTransport{}
	c := e.openAIClient(key, option.WithMaxRetries(2), option.WithHTTPClient(&http.Client{Transport: rt}))
	got, err := c.Chat.Completions.New(context.Background(), userMessage("retry me"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Content != groqmock.Reply("retry me") {
		t.Errorf("answer %s", got.RawJSON())
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.attempts) != 2 || rt.attempts[0].status != 429 || rt.attempts[0].retryAfter != "1" || rt.attempts[1].status != 200 {
		t.Fatalf("attempts %+v; want a 429 with Retry-After 1, then 200", rt.attempts)
	}
	if gap := rt.attempts[1].at.Sub(rt.attempts[0].at); gap < time.Second {
		t.Errorf("the client retried after %v, before the Retry-After second", gap)
	}
}
