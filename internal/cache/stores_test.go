package cache

import (
	"context"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestCachedStoresAcrossReplicas runs two replicas' cached stores over one
// database and one Redis: a write through one is seen by the other at once.
func TestCachedStoresAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	ca, cb := pair(t, true)
	accA, accB := NewAccountStore(db, ca), NewAccountStore(db, cb)
	chA, chB := NewChatStore(db, ca), NewChatStore(db, cb)

	u, err := db.CreateUser(ctx, account.User{Email: "ann@example.com", Name: "Ann", PasswordHash: "$argon2id$x", Role: account.RoleUser}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := accB.UserByID(ctx, u.ID); err != nil || got.Name != "Ann" {
		t.Fatalf("B: %v %v", got.Name, err)
	}
	name := "Annie"
	if _, err := accA.UpdateUser(ctx, u.ID, account.UserUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if got, _ := accB.UserByID(ctx, u.ID); got.Name != "Annie" {
		t.Errorf("replica B still serves name %q", got.Name)
	}

	tok := account.APIToken{ID: "01900000-0000-7000-8000-000000000001", UserID: u.ID, Name: "ci", Prefix: "plt_abc", TokenHash: "hash1", CreatedAt: time.Now()}
	if err := db.CreateAPIToken(ctx, tok, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := accB.APITokenByHash(ctx, "hash1"); err != nil || got.RevokedAt != nil {
		t.Fatalf("B token: %+v %v", got, err)
	}
	if err := accA.RevokeAPIToken(ctx, u.ID, tok.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := accB.APITokenByHash(ctx, "hash1"); got.RevokedAt == nil {
		t.Error("replica B still accepts a revoked token")
	}

	list := func(s *ChatStore) []string {
		convs, _, err := s.ListConversations(ctx, u.ID, chat.ListParams{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, c := range convs {
			titles = append(titles, c.Title)
		}
		return titles
	}
	if got := list(chB); len(got) != 0 {
		t.Fatalf("B: %v", got)
	}
	c1, err := chA.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: "first", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if got := list(chB); len(got) != 1 || got[0] != "first" {
		t.Errorf("B after create: %v", got)
	}
	title := "renamed"
	if _, err := chA.UpdateConversation(ctx, u.ID, c1.ID, chat.ConversationUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if got := list(chB); len(got) != 1 || got[0] != "renamed" {
		t.Errorf("B after rename: %v", got)
	}
	if err := chA.DeleteConversation(ctx, u.ID, c1.ID); err != nil {
		t.Fatal(err)
	}
	if got := list(chB); len(got) != 0 {
		t.Errorf("B after delete: %v", got)
	}
}
