package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
)

// Engines are the storage engines every end-to-end test runs on.
var Engines = []string{"sqlite", "postgres"}

// Open opens a fresh, migrated store of engine ("sqlite": a file in a
// temp dir; "postgres": a new database on the test server), closed and
// removed when the test ends.
func Open(t testing.TB, engine string) store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var cfg store.Config
	switch engine {
	case "sqlite":
		cfg = store.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "parley.db")}
	case "postgres":
		cfg = store.Config{URL: testenv.NewPostgresDB(t), MaxConns: 8}
	default:
		t.Fatalf("storetest: unknown engine %q", engine)
	}
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("storetest: open %s store: %v", engine, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := store.MigrateAuto(ctx, st); err != nil {
		t.Fatalf("storetest: migrate %s store: %v", engine, err)
	}
	return st
}

// ForEachEngine runs fn as a subtest per engine, each with its own store.
func ForEachEngine(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, engine))
		})
	}
}
