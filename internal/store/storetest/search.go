package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/store"
)

func searchIDs(t *testing.T, s store.Store, userID string, p chat.SearchParams) []string {
	t.Helper()
	var ids []string
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("search pages do not end")
		}
		hits, next, err := s.Search(t.Context(), userID, p)
		ok(t, err)
		for _, h := range hits {
			id := h.MessageID
			if id == "" {
				id = "title:" + h.ConversationID
			}
			ids = append(ids, id)
		}
		if next == "" {
			return ids
		}
		p.Cursor = next
	}
}

// testSearch: every term must match, in a message or a title, of the
// user's own conversations only, newest first, paged; the indexes follow
// inserts, title changes and deletes (cascades included); terms with
// FTS syntax characters are harmless.
func testSearch(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := newUser(t, s, ""), newUser(t, s, "")
	_, err := s.CreateConversation(ctx, chat.Conversation{ID: "c1", UserID: u.ID, Title: "Zebra notes", CreatedAt: t0})
	ok(t, err)
	_, err = s.CreateConversation(ctx, chat.Conversation{ID: "c2", UserID: u.ID, Title: "Other", CreatedAt: t0.Add(time.Second)})
	ok(t, err)
	_, err = s.CreateConversation(ctx, chat.Conversation{ID: "x1", UserID: other.ID, Title: "zebra too", CreatedAt: t0})
	ok(t, err)
	add := func(user, conv, id, content string, sec int) {
		t.Helper()
		_, err := s.AddMessage(ctx, user, chat.Message{ID: id, ConversationID: conv, Role: chat.RoleUser, Content: content,
			CreatedAt: t0.Add(time.Duration(sec) * time.Minute)})
		ok(t, err)
	}
	add(u.ID, "c1", "m1", "Zebras have stripes", 1)
	add(u.ID, "c1", "m2", "The zebra is striped; lions are not.", 2)
	add(u.ID, "c2", "m3", "A ZEBRA crossing in London", 3)
	add(u.ID, "c2", "m4", "nothing to see", 4)
	add(other.ID, "x1", "xm", "zebra zebra zebra", 5)

	want := func(terms []string, ids ...string) {
		t.Helper()
		got := searchIDs(t, s, u.ID, chat.SearchParams{Terms: terms, Limit: 2})
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Fatalf("search %q = %v, want %v", terms, got, ids)
		}
	}
	want([]string{"zebra"}, "m3", "m2", "title:c1")
	want([]string{"zebra", "london"}, "m3")
	want([]string{"lions", "striped"}, "m2")
	want([]string{"giraffe"})
	want(nil)
	for _, hostile := range [][]string{{`"`}, {`*`}, {"near", "or"}, {"-zebra"}, {`a"b`}, {"NEAR(zebra"}, {"and", "not"}} {
		_, _, err := s.Search(ctx, u.ID, chat.SearchParams{Terms: hostile})
		ok(t, err)
	}
	hits, _, err := s.Search(ctx, u.ID, chat.SearchParams{Terms: []string{"crossing"}})
	ok(t, err)
	if len(hits) != 1 || hits[0].ConversationID != "c2" || hits[0].Title != "Other" || hits[0].Body != "A ZEBRA crossing in London" ||
		!hits[0].CreatedAt.Equal(us(t0.Add(3*time.Minute))) {
		t.Fatalf("hit %+v", hits)
	}
	_, _, err = s.Search(ctx, u.ID, chat.SearchParams{Terms: []string{"zebra"}, Cursor: "garbage"})
	wantField(t, err, "cursor")

	// The indexes follow writes.
	title := "Okapi notes"
	_, err = s.UpdateConversation(ctx, u.ID, "c1", chat.ConversationUpdate{Title: &title})
	ok(t, err)
	want([]string{"zebra"}, "m3", "m2")
	want([]string{"okapi"}, "title:c1")
	ok(t, s.DeleteMessage(ctx, u.ID, "c2", "m3"))
	want([]string{"zebra"}, "m2")
	ok(t, s.DeleteConversation(ctx, u.ID, "c1"))
	want([]string{"zebra"})
	want([]string{"okapi"})
	if got := searchIDs(t, s, other.ID, chat.SearchParams{Terms: []string{"zebra"}}); fmt.Sprint(got) != "[xm title:x1]" {
		t.Fatalf("other user's search = %v", got)
	}
}

// testSearchMigration: messages stored before the search indexes existed
// are found once they do.
func testSearchMigration(t *testing.T, o Opener) {
	ctx := t.Context()
	s := o.migrated(t)
	m := s.Migrator()
	for {
		st, err := m.Status(ctx)
		ok(t, err)
		newest := int64(0)
		for _, x := range st {
			if x.Applied {
				newest = max(newest, x.Version)
			}
		}
		if newest < 24 {
			break
		}
		ok(t, m.Down(ctx))
	}
	u := newUser(t, s, "")
	// Rows as that schema held them, written in its own SQL: today's store
	// code writes columns of later migrations.
	ex := s.(Execer)
	at := fmt.Sprintf("'%s'", t0.Format(time.RFC3339Nano))
	if s.Engine() == "sqlite" {
		at = fmt.Sprint(t0.UnixMicro())
	}
	ok(t, ex.Exec(ctx, fmt.Sprintf(`INSERT INTO conversations (id, user_id, title, model, created_at, updated_at)
		VALUES ('c', '%s', 'Before', 'm', %s, %s)`, u.ID, at, at)))
	ok(t, ex.Exec(ctx, fmt.Sprintf(`INSERT INTO messages (id, conversation_id, role, content, created_at)
		VALUES ('m', 'c', 'user', 'old armadillo', %s)`, at)))
	ok(t, store.MigrateAuto(ctx, s))
	if got := searchIDs(t, s, u.ID, chat.SearchParams{Terms: []string{"armadillo"}}); fmt.Sprint(got) != "[m]" {
		t.Fatalf("after migrating: %v", got)
	}
	if got := searchIDs(t, s, u.ID, chat.SearchParams{Terms: []string{"before"}}); fmt.Sprint(got) != "[title:c]" {
		t.Fatalf("title after migrating: %v", got)
	}
}
