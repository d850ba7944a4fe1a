package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/sqlite"
)

// Reads use their own connections: an open write transaction (which holds
// the only write connection) neither blocks them nor shows them its
// uncommitted changes.
func TestReadsDoNotQueueBehindWrites(t *testing.T) {
	ctx := t.Context()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := store.MigrateAuto(ctx, s); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, account.User{Email: "a@x.io", Name: "before"}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.WriteDB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET name = 'after' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("read during a write transaction: %v", err)
	}
	if got.Name != "before" {
		t.Fatalf("read saw uncommitted name %q", got.Name)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByID(ctx, u.ID); err != nil || got.Name != "after" {
		t.Fatalf("after commit: %q, %v; want the committed name at once", got.Name, err)
	}
}

func TestNewFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "p.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := store.MigrateAuto(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			t.Fatalf("%s has mode %v, want no group/other access", filepath.Base(p), mode)
		}
	}
}
