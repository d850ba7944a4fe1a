package chat_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// send runs one complete turn and returns the stored answer.
func (e *env) send(t *testing.T, convID, content, model string) chat.Message {
	t.Helper()
	turn, err := e.svc.Send(context.Background(), e.user, convID, chat.SendInput{Content: content, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drain(t, turn); !errors.Is(err, io.EOF) {
		t.Fatalf("turn ended with %v", err)
	}
	return turn.Message()
}

// TestHistoryIsTrimmedToTheContextWindow talks to a model with a 300-token
// window (100 of them for the answer): the prompt upstream counted stays
// within the 200 left, though the conversation has grown far past it.
func TestHistoryIsTrimmedToTheContextWindow(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			e := newEnv(t, eng, envOptions{})
			conv := e.newConversation(t, tinyModel)
			var last chat.Message
			for i := range 6 {
				last = e.send(t, conv.ID, strings.Repeat("lorem ipsum ", 8)+string(rune('a'+i)), "")
				if last.PromptTokens > 200 {
					t.Fatalf("turn %d: upstream counted %d prompt tokens, over the 200-token budget", i, last.PromptTokens)
				}
			}
			total := 0
			for _, m := range e.messages(t, conv.ID) {
				total += chat.EstimateTokens(m.Content)
			}
			if total <= 200 {
				t.Fatalf("the conversation holds %d tokens; the test needs more than the budget", total)
			}
			if last.PromptTokens < 100 {
				t.Errorf("the last prompt had %d tokens: trimming dropped more than it had to", last.PromptTokens)
			}
		})
	}
}

func TestSendRefusesBadInput(t *testing.T) {
	e := newEnv(t, engines(t)[0], envOptions{maxContentChars: 50})
	conv := e.newConversation(t, "")
	tests := []struct {
		name    string
		user    bool // send as the other user
		conv    string
		content string
		model   string
		code    errs.Code
		fields  map[string]string
	}{
		{name: "empty", conv: conv.ID, content: " \n\t", code: errs.Invalid, fields: map[string]string{"content": "must not be empty"}},
		{name: "too long", conv: conv.ID, content: strings.Repeat("é", 51), code: errs.Invalid, fields: map[string]string{"content": "must be at most 50 characters"}},
		{name: "unknown model", conv: conv.ID, content: "hi", model: "nope/model", code: errs.Invalid, fields: map[string]string{"model": "unknown model nope/model"}},
		{name: "no such conversation", conv: "0190a0a0-0000-7000-8000-000000000000", content: "hi", code: errs.NotFound},
		{name: "another user's conversation", user: true, conv: conv.ID, content: "hi", code: errs.NotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := e.user
			if tc.user {
				u = e.other
			}
			_, err := e.svc.Send(context.Background(), u, tc.conv, chat.SendInput{Content: tc.content, Model: tc.model})
			ce, ok := errs.As(err)
			if !ok || ce.Code != tc.code {
				t.Fatalf("Send = %v, want code %s", err, tc.code)
			}
			if diff := cmp.Diff(tc.fields, ce.Fields); tc.fields != nil && diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(e.messages(t, conv.ID)); n != 0 {
		t.Errorf("refused sends stored %d messages", n)
	}
}

func TestModelChoice(t *testing.T) {
	e := newEnv(t, engines(t)[0], envOptions{})
	const other = "qwen/qwen3.8-27b"
	for _, tc := range []struct {
		name, convModel, requested, want string
	}{
		{"default", "", "", bigModel},
		{"conversation's", other, "", other},
		{"request's over conversation's", other, "openai/gpt-oss-120b", "openai/gpt-oss-120b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conv := e.newConversation(t, tc.convModel)
			if got := e.send(t, conv.ID, "hi", tc.requested); got.Model != tc.want {
				t.Errorf("answered by %q, want %q", got.Model, tc.want)
			}
		})
	}
}

func TestQuotaStopsSending(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			e := newEnv(t, eng, envOptions{quota: 20})
			conv := e.newConversation(t, "")
			e.send(t, conv.ID, "hello", "") // over 20 tokens with its answer
			_, err := e.svc.Send(context.Background(), e.user, conv.ID, chat.SendInput{Content: "again", Model: ""})
			ce, ok := errs.As(err)
			if !ok || ce.Code != errs.QuotaExceeded || ce.RetryAfterSeconds <= 0 || ce.RetryAfterSeconds > 86400 {
				t.Fatalf("Send over quota = %v; want quota_exceeded with seconds to UTC midnight", err)
			}
			if _, err := e.svc.Regenerate(context.Background(), e.user, conv.ID, chat.RegenerateInput{Model: ""}); errs.CodeOf(err) != errs.QuotaExceeded {
				t.Errorf("Regenerate over quota = %v", err)
			}
			if n := len(e.messages(t, conv.ID)); n != 2 {
				t.Errorf("%d messages; the refused send must store nothing", n)
			}
		})
	}
}
