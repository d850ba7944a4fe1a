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

// testFolders: folders per user; filing only in one's own folder; pinned
// first, archived apart, filters, pagination across the pinned boundary;
// deleting a folder unfiles its conversations.
func testFolders(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := newUser(t, s, ""), newUser(t, s, "")
	work, err := s.CreateFolder(ctx, chat.Folder{ID: "work", UserID: u.ID, Name: "Work", CreatedAt: t0})
	ok(t, err)
	_, err = s.CreateFolder(ctx, chat.Folder{ID: "alpha", UserID: u.ID, Name: "alpha", CreatedAt: t0})
	ok(t, err)
	_, err = s.CreateFolder(ctx, chat.Folder{ID: "theirs", UserID: other.ID, Name: "theirs", CreatedAt: t0})
	ok(t, err)
	fs, err := s.Folders(ctx, u.ID)
	ok(t, err)
	if len(fs) != 2 || fs[0].ID != "alpha" || cmp.Diff(work, fs[1]) != "" {
		t.Fatalf("Folders = %+v", fs)
	}
	f, err := s.RenameFolder(ctx, u.ID, "work", "Job")
	ok(t, err)
	if f.Name != "Job" {
		t.Fatalf("renamed %+v", f)
	}
	_, err = s.RenameFolder(ctx, other.ID, "work", "mine")
	wantCode(t, err, errs.NotFound)
	_, err = s.CreateFolder(ctx, chat.Folder{UserID: u.ID, Name: "x\x00"})
	wantField(t, err, "name")

	for i := range 6 {
		_, err := s.CreateConversation(ctx, chat.Conversation{ID: fmt.Sprint("c", i), UserID: u.ID, Title: "t",
			CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
		ok(t, err)
	}
	set := func(id string, upd chat.ConversationUpdate) chat.Conversation {
		t.Helper()
		c, err := s.UpdateConversation(ctx, u.ID, id, upd)
		ok(t, err)
		return c
	}
	yes, no := true, false
	c := set("c1", chat.ConversationUpdate{FolderID: new("work"), Pinned: &yes})
	if c.FolderID != "work" || !c.Pinned || c.Archived {
		t.Fatalf("filed and pinned: %+v", c)
	}
	set("c2", chat.ConversationUpdate{FolderID: new("work")})
	set("c3", chat.ConversationUpdate{Archived: &yes})
	set("c4", chat.ConversationUpdate{Pinned: &yes})
	_, err = s.UpdateConversation(ctx, u.ID, "c0", chat.ConversationUpdate{FolderID: new("theirs")})
	wantField(t, err, "folder_id")
	_, err = s.UpdateConversation(ctx, u.ID, "c0", chat.ConversationUpdate{FolderID: new("ghost")})
	wantField(t, err, "folder_id")
	if c, _ := s.Conversation(ctx, u.ID, "c0"); c.FolderID != "" {
		t.Fatalf("refused filing wrote %+v", c)
	}

	list := func(p chat.ListParams) []string {
		t.Helper()
		var ids []string
		for {
			cs, next, err := s.ListConversations(ctx, u.ID, p)
			ok(t, err)
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			if next == "" {
				return ids
			}
			p.Cursor = next
		}
	}
	// UpdateConversation bumped updated_at in call order: c1, c2, c3, c4 are
	// newer than c0 and c5 (by creation), newest last set.
	all := list(chat.ListParams{Limit: 1})
	if len(all) != 5 || all[0] != "c4" || all[1] != "c1" || contains(all, "c3") {
		t.Fatalf("list pinned first without archived = %v", all)
	}
	if d := cmp.Diff(all, list(chat.ListParams{Limit: 100})); d != "" {
		t.Fatalf("pages of 1 and one page differ (-1 +100):\n%s", d)
	}
	if got := list(chat.ListParams{Archived: true}); cmp.Diff([]string{"c3"}, got) != "" {
		t.Fatalf("archived = %v", got)
	}
	if got := list(chat.ListParams{FolderID: "work"}); cmp.Diff([]string{"c1", "c2"}, got) != "" {
		t.Fatalf("in folder work = %v", got)
	}
	if got := list(chat.ListParams{Pinned: &yes}); cmp.Diff([]string{"c4", "c1"}, got) != "" {
		t.Fatalf("pinned = %v", got)
	}
	if got := list(chat.ListParams{Pinned: &no}); len(got) != 3 || contains(got, "c1") {
		t.Fatalf("not pinned = %v", got)
	}
	set("c2", chat.ConversationUpdate{FolderID: new("")})
	if got := list(chat.ListParams{FolderID: "work"}); cmp.Diff([]string{"c1"}, got) != "" {
		t.Fatalf("after unfiling c2: %v", got)
	}

	wantCode(t, s.DeleteFolder(ctx, other.ID, "work"), errs.NotFound)
	ok(t, s.DeleteFolder(ctx, u.ID, "work"))
	wantCode(t, s.DeleteFolder(ctx, u.ID, "work"), errs.NotFound)
	c, err = s.Conversation(ctx, u.ID, "c1")
	ok(t, err)
	if c.FolderID != "" || !c.Pinned {
		t.Fatalf("after deleting its folder: %+v, want unfiled and still pinned", c)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
