package postgres_test

import (
	"sync"
	"testing"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/postgres"
)

// Several parley processes starting together: the advisory lock lets
// exactly one migrate while the others wait, on a fresh database and on one
// whose goose table exists with migrations pending (an upgrade).
func TestMigrateAutoTwoInstances(t *testing.T) {
	t.Run("Fresh", func(t *testing.T) { migrateTogether(t, testenv.NewPostgresDB(t), false) })
	t.Run("Upgrade", func(t *testing.T) { migrateTogether(t, testenv.NewPostgresDB(t), true) })
}

func migrateTogether(t *testing.T, url string, pending bool) {
	const n = 3
	stores := make([]*postgres.Store, n)
	for i := range stores {
		stores[i] = open(t, url)
	}
	if pending {
		m := stores[0].Migrator()
		if err := m.Up(t.Context()); err != nil {
			t.Fatal(err)
		}
		for {
			if err := m.Down(t.Context()); err != nil {
				break // nothing left to roll back
			}
		}
	}
	errc := make(chan error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, s := range stores {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; errc <- store.MigrateAuto(t.Context(), s) }()
	}
	close(start)
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatalf("MigrateAuto: %v", err)
		}
	}
	st, err := stores[0].Migrator().Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if !m.Applied {
			t.Fatalf("migration %d not applied", m.Version)
		}
	}
	var rows int
	if err := stores[0].Pool().QueryRow(t.Context(),
		`SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(st) {
		t.Fatalf("goose_db_version has %d rows for %d migrations: some ran twice", rows, len(st))
	}
	if _, err := stores[1].CreateUser(t.Context(), account.User{Email: "a@x.io"}, account.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Lag-tolerant lists read from the replica; read-after-write lookups use
// the primary. A separate database stands in for a replica that has not
// caught up yet, which makes the routing visible.
func TestReadReplicaRouting(t *testing.T) {
	ctx := t.Context()
	primaryURL, replicaURL := testenv.NewPostgresDB(t), testenv.NewPostgresDB(t)
	replica := open(t, replicaURL)
	if err := store.MigrateAuto(ctx, replica); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, postgres.Config{URL: primaryURL, ReadURL: replicaURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := store.MigrateAuto(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, account.User{Email: "a@x.io"}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	// Primary: visible at once.
	if _, err := s.UserByEmail(ctx, "a@x.io"); err != nil {
		t.Fatalf("UserByEmail on primary: %v", err)
	}
	if _, err := s.Conversation(ctx, u.ID, c.ID); err != nil {
		t.Fatalf("Conversation on primary: %v", err)
	}
	if _, err := s.Messages(ctx, u.ID, c.ID); err != nil {
		t.Fatalf("Messages on primary: %v", err)
	}
	// Replica: not there yet.
	list, _, err := s.ListConversations(ctx, u.ID, chat.ListParams{})
	if err != nil || len(list) != 0 {
		t.Fatalf("ListConversations = %v, %v; want the (empty) replica's answer", list, err)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers = %d, %v; want the (empty) replica's answer", n, err)
	}
	if s.ReadPool() == s.Pool() {
		t.Fatal("ReadPool is the primary although ReadURL is set")
	}
}
