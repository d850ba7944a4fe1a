package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/migrate"
)

func testMigrations(t *testing.T, o Opener) {
	t.Run("UpDownStatusCheck", func(t *testing.T) {
		ctx := t.Context()
		s := o(t)
		m := s.Migrator()
		st, err := m.Status(ctx)
		ok(t, err)
		if len(st) == 0 {
			t.Fatal("Status lists no migrations")
		}
		for _, x := range st {
			if x.Applied || x.Name == "" || x.Version <= 0 {
				t.Fatalf("fresh database: status %+v, want pending with a name", x)
			}
		}
		err = m.Check(ctx)
		wantCode(t, err, errs.Unavailable)
		if !errors.Is(err, migrate.ErrSchemaBehind) {
			t.Fatalf("Check on fresh database: %v, want ErrSchemaBehind", err)
		}

		ok(t, m.Up(ctx))
		ok(t, m.Check(ctx))
		st, err = m.Status(ctx)
		ok(t, err)
		for _, x := range st {
			if !x.Applied || x.AppliedAt.IsZero() {
				t.Fatalf("after Up: status %+v, want applied with a time", x)
			}
		}
		ok(t, m.Up(ctx)) // idempotent
		newUser(t, s, "")

		ok(t, m.Down(ctx))
		st, err = m.Status(ctx)
		ok(t, err)
		if st[len(st)-1].Applied {
			t.Fatalf("after Down: newest migration still applied")
		}
		if err := m.Check(ctx); !errors.Is(err, migrate.ErrSchemaBehind) {
			t.Fatalf("Check after Down: %v, want ErrSchemaBehind", err)
		}
		for range st[:len(st)-1] {
			ok(t, m.Down(ctx))
		}
		wantCode(t, m.Down(ctx), errs.NotFound) // nothing left to roll back

		ok(t, store.MigrateAuto(ctx, s))
		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("after down to zero and up: CountUsers = %d, %v; want 0 (tables recreated)", n, err)
		}
	})

	t.Run("NewerSchemaRefused", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		ex, isExec := s.(Execer)
		if !isExec {
			t.Fatalf("%T does not implement storetest.Execer", s)
		}
		ok(t, ex.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`))
		err := s.Migrator().Check(ctx)
		wantCode(t, err, errs.Unavailable)
		if !errors.Is(err, migrate.ErrSchemaAhead) {
			t.Fatalf("Check with version 99999 in the database: %v, want ErrSchemaAhead", err)
		}
		if err := store.MigrateAuto(ctx, s); !errors.Is(err, migrate.ErrSchemaAhead) {
			t.Fatalf("MigrateAuto against a newer schema: %v, want ErrSchemaAhead", err)
		}
	})

	t.Run("ConcurrentMigrateAuto", func(t *testing.T) {
		ctx := t.Context()
		s := o(t)
		const n = 4
		errc := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() { defer wg.Done(); errc <- store.MigrateAuto(ctx, s) }()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			ok(t, err)
		}
		ok(t, s.Migrator().Check(ctx))
		newUser(t, s, "")
	})

	t.Run("Ping", func(t *testing.T) {
		s := o.migrated(t)
		ok(t, s.Ping(t.Context()))
		if e := s.Engine(); e != "sqlite" && e != "postgres" {
			t.Fatalf("Engine() = %q", e)
		}
	})

	t.Run("ContextCancel", func(t *testing.T) { testCancel(t, o.migrated(t)) })
}
