package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
)

// testBranches: messages form a tree under parent_id; AddMessage makes the
// new message the active leaf; a parent or leaf outside the conversation
// is refused on its field without writing; DeleteMessage takes the subtree.
func testBranches(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "")
	other := newUser(t, s, "")
	_, err := s.CreateConversation(ctx, chat.Conversation{ID: "tree", UserID: u.ID, CreatedAt: t0})
	ok(t, err)
	_, err = s.CreateConversation(ctx, chat.Conversation{ID: "elsewhere", UserID: u.ID, CreatedAt: t0})
	ok(t, err)
	add := func(id, parent, role string, at int) chat.Message {
		t.Helper()
		m, err := s.AddMessage(ctx, u.ID, chat.Message{ID: id, ConversationID: "tree", ParentID: parent, Role: role,
			Content: id, CreatedAt: t0.Add(time.Duration(at) * time.Second)})
		ok(t, err)
		return m
	}
	leaf := func() string {
		t.Helper()
		c, err := s.Conversation(ctx, u.ID, "tree")
		ok(t, err)
		return c.ActiveLeafID
	}
	if got := leaf(); got != "" {
		t.Fatalf("new conversation's leaf = %q, want none", got)
	}
	q1 := add("q1", "", chat.RoleUser, 1)
	a1 := add("a1", "q1", chat.RoleAssistant, 2)
	q2 := add("q2", "a1", chat.RoleUser, 3)
	a1b := add("a1b", "q1", chat.RoleAssistant, 4) // a regenerated answer: a sibling of a1
	if got := leaf(); got != "a1b" {
		t.Fatalf("leaf after the last AddMessage = %q, want a1b", got)
	}
	msgs, err := s.Messages(ctx, u.ID, "tree")
	ok(t, err)
	want := []chat.Message{q1, a1, q2, a1b}
	if len(msgs) != len(want) {
		t.Fatalf("Messages = %+v, want every branch", msgs)
	}
	for i, m := range msgs {
		if m.ID != want[i].ID || m.ParentID != want[i].ParentID {
			t.Fatalf("Messages[%d] = %s under %q, want %s under %q", i, m.ID, m.ParentID, want[i].ID, want[i].ParentID)
		}
	}

	// A parent that is not a message of this conversation: refused, nothing written.
	_, err = s.AddMessage(ctx, other.ID, chat.Message{ConversationID: "tree", ParentID: "q1", Role: chat.RoleUser, Content: "x"})
	wantCode(t, err, errs.NotFound)
	e1, err := s.AddMessage(ctx, u.ID, chat.Message{ID: "e1", ConversationID: "elsewhere", Role: chat.RoleUser, Content: "e"})
	ok(t, err)
	for _, parent := range []string{"nope", e1.ID, "q1' OR '1'='1"} {
		_, err = s.AddMessage(ctx, u.ID, chat.Message{ID: "bad", ConversationID: "tree", ParentID: parent, Role: chat.RoleUser, Content: "x"})
		wantField(t, err, "parent_id")
	}
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ID: "bad", ConversationID: "tree", ParentID: "a\x00b", Role: chat.RoleUser, Content: "x"})
	wantField(t, err, "parent_id")
	if msgs, _ := s.Messages(ctx, u.ID, "tree"); len(msgs) != 4 || leaf() != "a1b" {
		t.Fatalf("a refused message changed the tree: %d messages, leaf %q", len(msgs), leaf())
	}

	// Switching branch.
	id := "q2"
	c, err := s.UpdateConversation(ctx, u.ID, "tree", chat.ConversationUpdate{ActiveLeafID: &id})
	ok(t, err)
	if c.ActiveLeafID != "q2" || leaf() != "q2" {
		t.Fatalf("after switching: %+v, stored leaf %q", c, leaf())
	}
	for _, bad := range []string{e1.ID, "nope", ""} {
		_, err = s.UpdateConversation(ctx, u.ID, "tree", chat.ConversationUpdate{ActiveLeafID: &bad})
		wantField(t, err, "active_leaf_id")
	}
	title := "kept?"
	_, err = s.UpdateConversation(ctx, u.ID, "tree", chat.ConversationUpdate{Title: &title, ActiveLeafID: new("nope")})
	wantField(t, err, "active_leaf_id")
	if c, _ := s.Conversation(ctx, u.ID, "tree"); c.ActiveLeafID != "q2" || c.Title == title {
		t.Fatalf("a refused switch wrote %+v", c)
	}
	_, err = s.UpdateConversation(ctx, other.ID, "tree", chat.ConversationUpdate{ActiveLeafID: &id})
	wantCode(t, err, errs.NotFound)
	_, err = s.UpdateConversation(ctx, u.ID, "ghost", chat.ConversationUpdate{ActiveLeafID: &id})
	wantCode(t, err, errs.NotFound)

	// Deleting a1 takes q2 (which follows it) too; the leaf q2 moves up to q1.
	wantCode(t, s.DeleteMessage(ctx, other.ID, "tree", "a1"), errs.NotFound)
	ok(t, s.DeleteMessage(ctx, u.ID, "tree", "a1"))
	msgs, err = s.Messages(ctx, u.ID, "tree")
	ok(t, err)
	if len(msgs) != 2 || msgs[0].ID != "q1" || msgs[1].ID != "a1b" || leaf() != "q1" {
		t.Fatalf("after deleting a1: %+v, leaf %q; want q1, a1b and leaf q1", msgs, leaf())
	}
	// Deleting a message outside the leaf's branch leaves the leaf alone.
	id = "a1b"
	_, err = s.UpdateConversation(ctx, u.ID, "tree", chat.ConversationUpdate{ActiveLeafID: &id})
	ok(t, err)
	add("q3", "q1", chat.RoleUser, 5)
	_, err = s.UpdateConversation(ctx, u.ID, "tree", chat.ConversationUpdate{ActiveLeafID: &id})
	ok(t, err)
	ok(t, s.DeleteMessage(ctx, u.ID, "tree", "q3"))
	if leaf() != "a1b" {
		t.Fatalf("deleting another branch moved the leaf to %q", leaf())
	}
	// Deleting the root empties the conversation.
	ok(t, s.DeleteMessage(ctx, u.ID, "tree", "q1"))
	if msgs, _ := s.Messages(ctx, u.ID, "tree"); len(msgs) != 0 || leaf() != "" {
		t.Fatalf("after deleting the root: %+v, leaf %q", msgs, leaf())
	}
}

// testBranchesConcurrent: answers written at once under one parent are all
// kept, as siblings.
func testBranchesConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "")
	_, err := s.CreateConversation(ctx, chat.Conversation{ID: "c", UserID: u.ID, CreatedAt: t0})
	ok(t, err)
	root, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: "c", Role: chat.RoleUser, Content: "q", CreatedAt: t0})
	ok(t, err)
	const n = 8
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: "c", ParentID: root.ID, Role: chat.RoleAssistant,
				Content: fmt.Sprint("answer ", i), CreatedAt: t0.Add(time.Second)})
			errc <- err
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		ok(t, err)
	}
	msgs, err := s.Messages(ctx, u.ID, "c")
	ok(t, err)
	if len(msgs) != n+1 {
		t.Fatalf("%d messages after %d concurrent answers, want %d", len(msgs), n, n+1)
	}
	for _, m := range msgs[1:] {
		if m.ParentID != root.ID {
			t.Fatalf("answer %s under %q, want %s", m.ID, m.ParentID, root.ID)
		}
	}
}

// testBranchesMigration: messages stored before parent_id existed become
// one chain in (created_at, id) order, and each conversation's leaf its
// newest message.
func testBranchesMigration(t *testing.T, o Opener) {
	ctx := t.Context()
	s := o.migrated(t)
	m := s.Migrator()
	for { // down to the schema before 00020_branches
		st, err := m.Status(ctx)
		ok(t, err)
		newest := int64(0)
		for _, x := range st {
			if x.Applied {
				newest = max(newest, x.Version)
			}
		}
		if newest < 20 {
			break
		}
		ok(t, m.Down(ctx))
	}
	u := newUser(t, s, "")
	ex := s.(Execer)
	at := func(sec int) string {
		if s.Engine() == "sqlite" {
			return fmt.Sprint(t0.Add(time.Duration(sec) * time.Second).UnixMicro())
		}
		return fmt.Sprintf("'%s'", t0.Add(time.Duration(sec)*time.Second).Format(time.RFC3339Nano))
	}
	for _, c := range []string{"old", "empty"} {
		ok(t, ex.Exec(ctx, fmt.Sprintf(`INSERT INTO conversations (id, user_id, title, model, created_at, updated_at)
			VALUES ('%s', '%s', 't', 'm', %s, %s)`, c, u.ID, at(0), at(0))))
	}
	// Inserted out of order; m2 and m3 share an instant (ordered by id).
	for _, r := range []struct {
		id, role string
		sec      int
	}{{"m3", "user", 2}, {"m1", "user", 1}, {"m4", "assistant", 3}, {"m2", "assistant", 2}} {
		ok(t, ex.Exec(ctx, fmt.Sprintf(`INSERT INTO messages (id, conversation_id, role, content, created_at)
			VALUES ('%s', 'old', '%s', '%s', %s)`, r.id, r.role, r.id, at(r.sec))))
	}
	ok(t, store.MigrateAuto(ctx, s))
	msgs, err := s.Messages(ctx, u.ID, "old")
	ok(t, err)
	want := [][2]string{{"m1", ""}, {"m2", "m1"}, {"m3", "m2"}, {"m4", "m3"}}
	if len(msgs) != len(want) {
		t.Fatalf("after migrating: %+v", msgs)
	}
	for i, m := range msgs {
		if m.ID != want[i][0] || m.ParentID != want[i][1] {
			t.Fatalf("message %d = %s under %q, want %s under %q", i, m.ID, m.ParentID, want[i][0], want[i][1])
		}
	}
	c, err := s.Conversation(ctx, u.ID, "old")
	ok(t, err)
	e, err := s.Conversation(ctx, u.ID, "empty")
	ok(t, err)
	if c.ActiveLeafID != "m4" || e.ActiveLeafID != "" {
		t.Fatalf("leaves after migrating: %q and %q, want m4 and none", c.ActiveLeafID, e.ActiveLeafID)
	}
}
