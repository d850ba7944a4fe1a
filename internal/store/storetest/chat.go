package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
)

func testChat(t *testing.T, o Opener) {
	t.Run("ConversationsAndMessages", func(t *testing.T) { testConversations(t, o.migrated(t)) })
	t.Run("CrossUser", func(t *testing.T) { testCrossUser(t, o.migrated(t)) })
	t.Run("ListAndSearch", func(t *testing.T) { testListConversations(t, o.migrated(t)) })
	t.Run("Branches", func(t *testing.T) { testBranches(t, o.migrated(t)) })
	t.Run("BranchesConcurrent", func(t *testing.T) { testBranchesConcurrent(t, o.migrated(t)) })
	t.Run("BranchesMigration", func(t *testing.T) { testBranchesMigration(t, o) })
	t.Run("Settings", func(t *testing.T) { testConversationSettings(t, o.migrated(t)) })
	t.Run("Presets", func(t *testing.T) { testPresets(t, o.migrated(t)) })
	t.Run("Folders", func(t *testing.T) { testFolders(t, o.migrated(t)) })
	t.Run("Search", func(t *testing.T) { testSearch(t, o.migrated(t)) })
	t.Run("SearchMigration", func(t *testing.T) { testSearchMigration(t, o) })
	t.Run("Reasoning", func(t *testing.T) { testReasoning(t, o.migrated(t)) })
	t.Run("SetTitleIf", func(t *testing.T) { testSetTitleIf(t, o.migrated(t)) })
}

func testConversations(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "")
	c, err := s.CreateConversation(ctx, chat.Conversation{ID: "c1", UserID: u.ID, Title: "Hello", Model: "m1", CreatedAt: t0})
	ok(t, err)
	want := chat.Conversation{ID: "c1", UserID: u.ID, Title: "Hello", Model: "m1", CreatedAt: us(t0), UpdatedAt: us(t0)}
	if d := cmp.Diff(want, c); d != "" {
		t.Fatalf("CreateConversation (-want +got):\n%s", d)
	}
	got, err := s.Conversation(ctx, u.ID, "c1")
	ok(t, err)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Conversation (-want +got):\n%s", d)
	}
	_, err = s.CreateConversation(ctx, chat.Conversation{ID: "c1", UserID: u.ID})
	wantCode(t, err, errs.Conflict)
	_, err = s.CreateConversation(ctx, chat.Conversation{UserID: "ghost"})
	wantCode(t, err, errs.NotFound)

	msgs, err := s.Messages(ctx, u.ID, "c1")
	ok(t, err)
	if msgs == nil || len(msgs) != 0 {
		t.Fatalf("Messages of a new conversation = %#v, want empty, non-nil", msgs)
	}

	m1, err := s.AddMessage(ctx, u.ID, chat.Message{ID: "m1", ConversationID: "c1", Role: chat.RoleUser,
		Content: "hi", CreatedAt: t0.Add(time.Minute)})
	ok(t, err)
	if m1.Status != chat.StatusComplete {
		t.Fatalf("default status = %q, want complete", m1.Status)
	}
	m2, err := s.AddMessage(ctx, u.ID, chat.Message{ID: "m2", ConversationID: "c1", Role: chat.RoleAssistant,
		Content: "hello!", Model: "m1", Status: chat.StatusPartial, PromptTokens: 12, CompletionTokens: 3,
		CreatedAt: t0.Add(2 * time.Minute)})
	ok(t, err)
	// Same instant as m2: ordered by id after it.
	m3, err := s.AddMessage(ctx, u.ID, chat.Message{ID: "m3", ConversationID: "c1", Role: chat.RoleUser,
		Content: "more", CreatedAt: t0.Add(2 * time.Minute)})
	ok(t, err)
	msgs, err = s.Messages(ctx, u.ID, "c1")
	ok(t, err)
	if d := cmp.Diff([]chat.Message{m1, m2, m3}, msgs); d != "" {
		t.Fatalf("Messages (-want +got):\n%s", d)
	}
	if m2.CreatedAt != us(t0.Add(2*time.Minute)) || m2.ID != "m2" {
		t.Fatalf("AddMessage returned %+v", m2)
	}
	c, err = s.Conversation(ctx, u.ID, "c1")
	ok(t, err)
	if !c.UpdatedAt.Equal(us(t0.Add(2 * time.Minute))) {
		t.Fatalf("UpdatedAt after messages = %v, want the last message's time", c.UpdatedAt)
	}
	// An older message (clock skew) never moves UpdatedAt back.
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ID: "m0", ConversationID: "c1", Role: chat.RoleSystem,
		Content: "sys", CreatedAt: t0})
	ok(t, err)
	if c2, _ := s.Conversation(ctx, u.ID, "c1"); !c2.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("UpdatedAt moved back to %v", c2.UpdatedAt)
	}
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: "c1", Role: "robot", Content: "x"})
	wantField(t, err, "role")
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: "c1", Role: chat.RoleUser, Content: "x", Status: "weird"})
	wantField(t, err, "status")
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: "c1", Role: chat.RoleUser, Content: "x", PromptTokens: -1})
	wantField(t, err, "tokens")
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ID: "m1", ConversationID: "c1", Role: chat.RoleUser, Content: "dup"})
	wantCode(t, err, errs.Conflict)
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: "nope", Role: chat.RoleUser, Content: "x"})
	wantCode(t, err, errs.NotFound)

	ok(t, s.DeleteMessage(ctx, u.ID, "c1", "m2"))
	wantCode(t, s.DeleteMessage(ctx, u.ID, "c1", "m2"), errs.NotFound)
	msgs, err = s.Messages(ctx, u.ID, "c1")
	ok(t, err)
	if len(msgs) != 3 {
		t.Fatalf("after DeleteMessage: %d messages, want 3", len(msgs))
	}

	title, model := "Renamed", "m2"
	before := c.UpdatedAt
	c, err = s.UpdateConversation(ctx, u.ID, "c1", chat.ConversationUpdate{Title: &title, Model: &model})
	ok(t, err)
	if c.Title != title || c.Model != model || c.UpdatedAt.Before(before) || c.CreatedAt != us(t0) {
		t.Fatalf("UpdateConversation = %+v", c)
	}
	_, err = s.UpdateConversation(ctx, u.ID, "nope", chat.ConversationUpdate{Title: &title})
	wantCode(t, err, errs.NotFound)

	ok(t, s.DeleteConversation(ctx, u.ID, "c1"))
	wantCode(t, s.DeleteConversation(ctx, u.ID, "c1"), errs.NotFound)
	_, err = s.Conversation(ctx, u.ID, "c1")
	wantCode(t, err, errs.NotFound)
	_, err = s.Messages(ctx, u.ID, "c1")
	wantCode(t, err, errs.NotFound)
	// The messages went with it: a conversation reusing the id starts empty,
	// and the old message ids are free again.
	_, err = s.CreateConversation(ctx, chat.Conversation{ID: "c1", UserID: u.ID})
	ok(t, err)
	msgs, err = s.Messages(ctx, u.ID, "c1")
	ok(t, err)
	if len(msgs) != 0 {
		t.Fatalf("messages survived their conversation: %+v", msgs)
	}
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ID: "m1", ConversationID: "c1", Role: chat.RoleUser, Content: "x"})
	ok(t, err)
}

func testCrossUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, mallory := newUser(t, s, ""), newUser(t, s, "")
	_, err := s.CreateConversation(ctx, chat.Conversation{ID: "secret", UserID: alice.ID, Title: "Alice's plans"})
	ok(t, err)
	_, err = s.AddMessage(ctx, alice.ID, chat.Message{ID: "sm", ConversationID: "secret", Role: chat.RoleUser, Content: "private"})
	ok(t, err)

	title := "pwned"
	_, err = s.Conversation(ctx, mallory.ID, "secret")
	wantCode(t, err, errs.NotFound)
	_, err = s.UpdateConversation(ctx, mallory.ID, "secret", chat.ConversationUpdate{Title: &title})
	wantCode(t, err, errs.NotFound)
	_, err = s.Messages(ctx, mallory.ID, "secret")
	wantCode(t, err, errs.NotFound)
	_, err = s.AddMessage(ctx, mallory.ID, chat.Message{ConversationID: "secret", Role: chat.RoleUser, Content: "x"})
	wantCode(t, err, errs.NotFound)
	wantCode(t, s.DeleteMessage(ctx, mallory.ID, "secret", "sm"), errs.NotFound)
	wantCode(t, s.DeleteConversation(ctx, mallory.ID, "secret"), errs.NotFound)
	list, _, err := s.ListConversations(ctx, mallory.ID, chat.ListParams{})
	ok(t, err)
	if len(list) != 0 {
		t.Fatalf("mallory lists %+v", list)
	}

	c, err := s.Conversation(ctx, alice.ID, "secret")
	ok(t, err)
	msgs, err := s.Messages(ctx, alice.ID, "secret")
	ok(t, err)
	if c.Title != "Alice's plans" || len(msgs) != 1 {
		t.Fatalf("alice's data changed: %+v, %d messages", c, len(msgs))
	}
}

func testListConversations(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := newUser(t, s, ""), newUser(t, s, "")
	titles := []string{"100% sure", "snake_case notes", "Plain", "100 percent", "snakeXcase", `back\slash`,
		"ÉCOLE d'été", "مرحبا بالعالم", "party 🎉 time"}
	var want []string
	for i, title := range titles {
		// Pairs share UpdatedAt, so ties must order by id.
		at := t0.Add(time.Duration(i/2) * time.Second)
		c, err := s.CreateConversation(ctx, chat.Conversation{ID: fmt.Sprintf("c%02d", i), UserID: u.ID,
			Title: title, CreatedAt: at})
		ok(t, err)
		want = append([]string{c.ID}, want...)
	}
	_, err := s.CreateConversation(ctx, chat.Conversation{UserID: other.ID, Title: "100% other"})
	ok(t, err)

	var got []string
	cursor := ""
	for {
		page, next, err := s.ListConversations(ctx, u.ID, chat.ListParams{Limit: 2, Cursor: cursor})
		ok(t, err)
		for _, c := range page {
			got = append(got, c.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("paging newest first (-want +got):\n%s", d)
	}

	search := map[string][]string{
		"%":       {"c00"},
		"100%":    {"c00"},
		"_":       {"c01"},
		"e_c":     {"c01"},
		`\`:       {"c05"},
		"PLAIN":   {"c02"},
		"école":   {"c06"},
		"D'ÉTÉ":   {"c06"},
		"بالعالم": {"c07"},
		"🎉":       {"c08"},
		"nothing": {},
	}
	for q, want := range search {
		page, _, err := s.ListConversations(ctx, u.ID, chat.ListParams{Query: q})
		ok(t, err)
		got := []string{}
		for _, c := range page {
			got = append(got, c.ID)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("search %q (-want +got):\n%s", q, d)
		}
	}

	// A message moves its conversation to the top.
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: "c00", Role: chat.RoleUser, Content: "bump",
		CreatedAt: t0.Add(time.Hour)})
	ok(t, err)
	page, _, err := s.ListConversations(ctx, u.ID, chat.ListParams{Limit: 1})
	ok(t, err)
	if len(page) != 1 || page[0].ID != "c00" {
		t.Fatalf("after a new message, first = %+v, want c00", page)
	}
	_, _, err = s.ListConversations(ctx, u.ID, chat.ListParams{Cursor: "%%%"})
	wantCode(t, err, errs.Invalid)
}
