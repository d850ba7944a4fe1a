package storetest

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// hostile strings are stored and found back exactly, never executed.
var hostile = []string{
	`'; DROP TABLE users;--`,
	`" OR 1=1 --`,
	`Robert'); DELETE FROM conversations WHERE ('1'='1`,
	`$1 ? :name @p \x00 %s`,
	"emoji 👩‍💻🔥 and combining é (e\u0301)",
	"RTL \u202Eevil\u202C مرحبا עברית",
	"\t\n\r tabs and newlines ",
	"",
}

func testHostile(t *testing.T, o Opener) {
	ctx := t.Context()
	s := o.migrated(t)
	u := newUser(t, s, "")
	for i, h := range hostile {
		name := h
		got, err := s.UpdateUser(ctx, u.ID, account.UserUpdate{Name: &name})
		ok(t, err)
		if got.Name != h {
			t.Fatalf("name %d round trip: %q, want %q", i, got.Name, h)
		}
		c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: h, Model: h})
		ok(t, err)
		m, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: chat.RoleUser, Content: h})
		ok(t, err)
		back, err := s.Conversation(ctx, u.ID, c.ID)
		ok(t, err)
		msgs, err := s.Messages(ctx, u.ID, c.ID)
		ok(t, err)
		if back.Title != h || back.Model != h || len(msgs) != 1 || msgs[0].Content != h || msgs[0].ID != m.ID {
			t.Fatalf("hostile %q did not round-trip: %+v %+v", h, back, msgs)
		}
		if h == "" {
			continue
		}
		list, _, err := s.ListConversations(ctx, u.ID, chat.ListParams{Query: h, Limit: 100})
		ok(t, err)
		found := false
		for _, c2 := range list {
			found = found || c2.ID == c.ID
			if !strings.Contains(strings.ToLower(c2.Title), strings.ToLower(h)) {
				t.Fatalf("search %q matched %q", h, c2.Title)
			}
		}
		if !found {
			t.Fatalf("search %q did not find its conversation", h)
		}
		if _, err := s.UserByEmail(ctx, h); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("UserByEmail(%q) = %v, want not found", h, err)
		}
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Fatalf("CountUsers after hostile input = %d, %v", n, err)
	}

	t.Run("LargeText", func(t *testing.T) {
		big := strings.Repeat("0123456789abcdé🎉", 1<<16) // > 1 MiB
		c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: big[:4096]})
		ok(t, err)
		_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: chat.RoleAssistant, Content: big})
		ok(t, err)
		msgs, err := s.Messages(ctx, u.ID, c.ID)
		ok(t, err)
		if len(msgs) != 1 || msgs[0].Content != big {
			t.Fatalf("1 MiB message did not round-trip (len %d)", len(msgs[0].Content))
		}
	})

	// NUL bytes and invalid UTF-8: PostgreSQL cannot store them, so both
	// engines refuse them alike, naming the field, and store nothing.
	t.Run("NULAndInvalidUTF8", func(t *testing.T) {
		for _, bad := range []string{"a\x00b", "\xff\xfe"} {
			_, err := s.CreateUser(ctx, account.User{Email: "nul" + bad + "@x.io"}, account.CreateOptions{})
			wantField(t, err, "email")
			c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: "ok"})
			ok(t, err)
			_, err = s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: chat.RoleUser, Content: bad})
			wantField(t, err, "content")
			msgs, err := s.Messages(ctx, u.ID, c.ID)
			ok(t, err)
			if len(msgs) != 0 {
				t.Fatalf("refused message was stored: %+v", msgs)
			}
			_, err = s.UpdateConversation(ctx, u.ID, c.ID, chat.ConversationUpdate{Title: &bad})
			wantField(t, err, "title")
			_, err = s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: bad})
			wantField(t, err, "title")
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 1 {
			t.Fatalf("CountUsers = %d, %v; refused users were stored", n, err)
		}
	})
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, errs.Invalid)
	e, _ := errs.As(err)
	if _, ok := e.Fields[field]; !ok {
		t.Fatalf("error %v names fields %v, want %q", err, e.Fields, field)
	}
}
