package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/migrate"
)

// Check (the readiness probe with PARLEY_MIGRATE=off) only reads: it does
// not create goose's table, and it answers while another instance holds the
// migration lock.
func TestCheckOnlyReads(t *testing.T) {
	ctx := t.Context()
	url := testenv.NewPostgresDB(t)
	s := open(t, url)
	if err := s.Migrator().Check(ctx); !errors.Is(err, migrate.ErrSchemaBehind) {
		t.Fatalf("Check on an empty database: %v, want ErrSchemaBehind", err)
	}
	var table *string
	if err := s.Pool().QueryRow(ctx, `SELECT to_regclass('goose_db_version')::text`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	if table != nil {
		t.Fatal("Check created goose_db_version")
	}
	if err := store.MigrateAuto(ctx, s); err != nil {
		t.Fatal(err)
	}

	locker, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(context.Background())
	if _, err := locker.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrate.AdvisoryLockKey); err != nil {
		t.Fatal(err)
	}
	// The deadline only bounds a hang; Check returns at once when correct.
	guard, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := s.Migrator().Check(guard); err != nil {
		t.Fatalf("Check while the migration lock is held elsewhere: %v", err)
	}
}
