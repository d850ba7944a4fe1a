package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/store"
)

// testConversationSettings: a conversation's system prompt and parameters
// read back as written, from every read, and PATCH replaces the parameters.
func testConversationSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "")
	temp, topP, maxTok, effort := 0.7, 0.9, 256, "high"
	p := chat.Params{Temperature: &temp, TopP: &topP, MaxTokens: &maxTok, ReasoningEffort: &effort}
	c, err := s.CreateConversation(ctx, chat.Conversation{ID: "set", UserID: u.ID, Title: "t", Model: "m",
		SystemPrompt: "You are a pirate. «Arr»", Params: p, CreatedAt: t0})
	ok(t, err)
	got, err := s.Conversation(ctx, u.ID, "set")
	ok(t, err)
	if d := cmp.Diff(c, got); d != "" {
		t.Fatalf("Conversation (-created +read):\n%s", d)
	}
	if got.SystemPrompt != "You are a pirate. «Arr»" || *got.Params.Temperature != 0.7 || *got.Params.ReasoningEffort != "high" {
		t.Fatalf("read back %+v", got)
	}
	list, _, err := s.ListConversations(ctx, u.ID, chat.ListParams{})
	ok(t, err)
	if len(list) != 1 || cmp.Diff(c.Params, list[0].Params) != "" || list[0].SystemPrompt != c.SystemPrompt {
		t.Fatalf("listed %+v", list)
	}
	zero := 0.0
	sys := ""
	upd, err := s.UpdateConversation(ctx, u.ID, "set", chat.ConversationUpdate{SystemPrompt: &sys, Params: &chat.Params{Temperature: &zero}})
	ok(t, err)
	if upd.SystemPrompt != "" || upd.Params.Temperature == nil || *upd.Params.Temperature != 0 || upd.Params.TopP != nil || upd.Params.MaxTokens != nil {
		t.Fatalf("after replacing: %+v", upd.Params)
	}
	if again, _ := s.Conversation(ctx, u.ID, "set"); cmp.Diff(upd, again) != "" {
		t.Fatalf("update answered %+v, read %+v", upd, again)
	}
	bad := "a\x00b"
	_, err = s.UpdateConversation(ctx, u.ID, "set", chat.ConversationUpdate{SystemPrompt: &bad})
	wantField(t, err, "system_prompt")
	_, err = s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, SystemPrompt: bad})
	wantField(t, err, "system_prompt")
}
