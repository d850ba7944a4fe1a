package storetest

import (
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
)

// testReasoning: an answer's reasoning and thinking time are stored and read
// back with it; bad reasoning text is a field error.
func testReasoning(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "")
	c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: "t", Model: "m", CreatedAt: t0})
	ok(t, err)
	q, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: chat.RoleUser, Content: "why?", CreatedAt: t0})
	ok(t, err)
	a, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, ParentID: q.ID, Role: chat.RoleAssistant,
		Content: "because", Reasoning: "The user asks why. ünïcode ✓", ReasoningMS: 2100, CreatedAt: t0.Add(1)})
	ok(t, err)
	msgs, err := s.Messages(ctx, u.ID, c.ID)
	ok(t, err)
	if len(msgs) != 2 || msgs[0].Reasoning != "" || msgs[0].ReasoningMS != 0 ||
		msgs[1].ID != a.ID || msgs[1].Reasoning != "The user asks why. ünïcode ✓" || msgs[1].ReasoningMS != 2100 {
		t.Fatalf("messages = %+v", msgs)
	}
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: chat.RoleAssistant, Content: "x", Reasoning: "a\x00b"})
	wantField(t, err, "reasoning")
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: chat.RoleAssistant, Content: "x", ReasoningMS: -1})
	wantCode(t, err, errs.Invalid)
}

// testSetTitleIf: the title changes only while it is still the expected
// one, only for the owner, and UpdatedAt stays.
func testSetTitleIf(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := newUser(t, s, ""), newUser(t, s, "")
	c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: "placeholder", Model: "m", CreatedAt: t0})
	ok(t, err)
	changed, err := s.SetTitleIf(ctx, other.ID, c.ID, "placeholder", "stolen")
	ok(t, err)
	if changed {
		t.Fatal("another user's SetTitleIf changed the title")
	}
	changed, err = s.SetTitleIf(ctx, u.ID, c.ID, "not the title", "nope")
	ok(t, err)
	if changed {
		t.Fatal("SetTitleIf with a stale old title changed it")
	}
	changed, err = s.SetTitleIf(ctx, u.ID, c.ID, "placeholder", "Auto title")
	ok(t, err)
	if !changed {
		t.Fatal("SetTitleIf did not change a placeholder title")
	}
	got, err := s.Conversation(ctx, u.ID, c.ID)
	ok(t, err)
	if got.Title != "Auto title" || !got.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("after SetTitleIf: %q updated %v (was %v)", got.Title, got.UpdatedAt, c.UpdatedAt)
	}
	_, err = s.SetTitleIf(ctx, u.ID, c.ID, "Auto title", "bad\x00")
	wantField(t, err, "title")
}
