package chat_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/groqmock"
)

func TestSendStreamsAndStores(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			e := newEnv(t, eng, envOptions{})
			ctx := context.Background()
			conv := e.newConversation(t, "")
			prompt := "What is the capital of France?\nAnswer briefly."
			turn, err := e.svc.Send(ctx, e.user, conv.ID, chat.SendInput{Content: prompt, Model: ""})
			if err != nil {
				t.Fatal(err)
			}
			if turn.UserMessage == nil || turn.UserMessage.Content != prompt || turn.Model != bigModel {
				t.Fatalf("turn %+v: want the stored user message and the default model", turn)
			}
			deltas, err := drain(t, turn)
			if !errors.Is(err, io.EOF) {
				t.Fatalf("Next ended with %v, want io.EOF", err)
			}
			want := groqmock.Reply(prompt)
			if len(deltas) < 5 || strings.Join(deltas, "") != want {
				t.Fatalf("%d deltas %q; want several that make %q", len(deltas), strings.Join(deltas, ""), want)
			}
			msg := turn.Message()
			if msg.ID != turn.AssistantID || msg.Status != chat.StatusComplete || msg.Content != want ||
				msg.CompletionTokens != groqmock.CountTokens(want) || msg.PromptTokens == 0 {
				t.Errorf("answer %+v", msg)
			}
			if u := turn.Usage(); u.TotalTokens != u.PromptTokens+u.CompletionTokens || u.CompletionTokens != msg.CompletionTokens {
				t.Errorf("usage %+v", u)
			}
			stored := e.messages(t, conv.ID)
			if len(stored) != 2 || stored[0].Role != chat.RoleUser || stored[1].ID != msg.ID || stored[1].Content != want {
				t.Fatalf("stored %+v", stored)
			}
			got, err := e.st.Conversation(ctx, e.user.ID, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != "What is the capital of France?" || got.Model != bigModel {
				t.Errorf("conversation title %q model %q", got.Title, got.Model)
			}
			sum, err := e.rec.Usage(ctx, e.user)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Used != int64(msg.PromptTokens+msg.CompletionTokens) {
				t.Errorf("usage counted %d tokens, want %d", sum.Used, msg.PromptTokens+msg.CompletionTokens)
			}
		})
	}
}

// TestUserMessageStoredBeforeUpstream watches the upstream request arrive
// and checks the user message is already stored then; when the upstream
// call then fails, the message stays.
func TestUserMessageStoredBeforeUpstream(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			e := newEnv(t, eng, envOptions{})
			conv := e.newConversation(t, "")
			e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := e.svc.Send(ctx, e.user, conv.ID, chat.SendInput{Content: "hello there", Model: ""})
				done <- err
			}()
			<-e.arrived
			stored := e.messages(t, conv.ID)
			if len(stored) != 1 || stored[0].Role != chat.RoleUser || stored[0].Content != "hello there" {
				t.Fatalf("while upstream works, stored = %+v; want the user message", stored)
			}
			cancel()
			if err := <-done; err == nil {
				t.Fatal("Send succeeded after its context was cancelled")
			}
			if err := <-e.ended; !errors.Is(err, context.Canceled) {
				t.Errorf("upstream request ended with %v, want it cancelled", err)
			}
			if n := len(e.messages(t, conv.ID)); n != 1 {
				t.Errorf("%d messages after the failed call, want the user message only", n)
			}
		})
	}
}

// TestClientGoneKeepsPartial cancels the request mid-answer: the upstream
// call is cancelled and what came is stored as partial.
func TestClientGoneKeepsPartial(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			e := newEnv(t, eng, envOptions{})
			conv := e.newConversation(t, "")
			e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 3})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			turn, err := e.svc.Send(ctx, e.user, conv.ID, chat.SendInput{Content: "tell me a long story", Model: ""})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for got.Len() < len(groqmock.Reply("tell me a long story")[:8]) {
				d, err := turn.Next()
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				got.WriteString(d)
			}
			cancel() // the client goes away while upstream hangs after 3 chunks
			for {
				if _, err := turn.Next(); err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("Next after cancel = %v, want context.Canceled", err)
					}
					break
				}
			}
			_ = turn.Close()
			if err := <-e.ended; !errors.Is(err, context.Canceled) {
				t.Errorf("upstream request ended with %v, want it cancelled", err)
			}
			stored := e.messages(t, conv.ID)
			if len(stored) != 2 {
				t.Fatalf("stored %d messages, want 2", len(stored))
			}
			a := stored[1]
			want := strings.Join(firstChunks(groqmock.Reply("tell me a long story"), 3), "")
			if a.Status != chat.StatusPartial || a.Content != want || a.CompletionTokens == 0 {
				t.Errorf("stored answer %+v; want partial %q with estimated tokens", a, want)
			}
		})
	}
}

// firstChunks returns the first n streamed pieces of reply (groqmock cuts
// replies into groups of four characters).
func firstChunks(reply string, n int) []string {
	var out []string
	r := []rune(reply)
	for i := 0; i < len(r) && len(out) < n; i += 4 {
		out = append(out, string(r[i:min(i+4, len(r))]))
	}
	return out
}

func TestMidStreamErrorStoresError(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			e := newEnv(t, eng, envOptions{})
			conv := e.newConversation(t, "")
			e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultMidStreamError, AfterChunks: 2, Status: 500,
				Message: "internal upstream detail that must not leak"})
			turn, err := e.svc.Send(context.Background(), e.user, conv.ID, chat.SendInput{Content: "hi", Model: ""})
			if err != nil {
				t.Fatal(err)
			}
			deltas, err := drain(t, turn)
			ce, ok := errs.As(err)
			if !ok || ce.Code != errs.Upstream || strings.Contains(ce.Message, "must not leak") {
				t.Fatalf("Next ended with %v; want a client-safe upstream error", err)
			}
			want := strings.Join(firstChunks(groqmock.Reply("hi"), 2), "")
			if strings.Join(deltas, "") != want {
				t.Errorf("deltas %q, want %q", strings.Join(deltas, ""), want)
			}
			stored := e.messages(t, conv.ID)
			if len(stored) != 2 || stored[1].Status != chat.StatusError || stored[1].Content != want {
				t.Fatalf("stored %+v; want the user message and the cut answer with status error", stored)
			}
		})
	}
}

// TestRegenerateKeepsBothAnswers: regenerate adds a sibling answer under
// the same question; the first answer stays, and the new one is the leaf.
func TestRegenerateKeepsBothAnswers(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			e := newEnv(t, eng, envOptions{})
			ctx := context.Background()
			conv := e.newConversation(t, "")
			turn, err := e.svc.Send(ctx, e.user, conv.ID, chat.SendInput{Content: "first question", Model: ""})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := drain(t, turn); !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			old := turn.Message()
			turn, err = e.svc.Regenerate(ctx, e.user, conv.ID, chat.RegenerateInput{Model: "openai/gpt-oss-120b"})
			if err != nil {
				t.Fatal(err)
			}
			if turn.UserMessage != nil {
				t.Errorf("regenerate reported a new user message %+v", turn.UserMessage)
			}
			if _, err := drain(t, turn); !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			stored := e.messages(t, conv.ID)
			if len(stored) != 3 || stored[0].Content != "first question" || stored[1].ID != old.ID ||
				stored[2].ParentID != stored[0].ID || stored[1].ParentID != stored[0].ID ||
				stored[2].Model != "openai/gpt-oss-120b" || stored[2].Content != groqmock.Reply("first question") {
				t.Fatalf("after regenerate stored %+v", stored)
			}
			got, _ := e.st.Conversation(ctx, e.user.ID, conv.ID)
			if got.Model != "openai/gpt-oss-120b" || got.ActiveLeafID != stored[2].ID {
				t.Errorf("conversation %+v, want the regenerate's model and its answer as leaf", got)
			}
		})
	}
}

func TestRegenerateWithoutUserMessage(t *testing.T) {
	e := newEnv(t, engines(t)[0], envOptions{})
	conv := e.newConversation(t, "")
	_, err := e.svc.Regenerate(context.Background(), e.user, conv.ID, chat.RegenerateInput{Model: ""})
	if errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("regenerate on an empty conversation = %v, want invalid", err)
	}
}
