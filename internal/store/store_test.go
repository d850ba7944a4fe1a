package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

func open(t *testing.T, cfg store.Config) store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := store.MigrateAuto(t.Context(), s); err != nil {
		t.Fatalf("MigrateAuto: %v", err)
	}
	return s
}

func TestOpenPicksEngine(t *testing.T) {
	dir := t.TempDir()
	if s := open(t, store.Config{DataDir: filepath.Join(dir, "data")}); s.Engine() != "sqlite" {
		t.Fatalf("empty URL: engine %s", s.Engine())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "parley.db")); err != nil {
		t.Fatalf("empty URL did not create DataDir/parley.db: %v", err)
	}
	path := filepath.Join(dir, "other dir", "x.db")
	if s := open(t, store.Config{URL: "sqlite:" + path}); s.Engine() != "sqlite" {
		t.Fatalf("sqlite: URL: engine %s", s.Engine())
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("sqlite:PATH did not create the file: %v", err)
	}
	url := testenv.NewPostgresDB(t)
	if s := open(t, store.Config{URL: url, MaxConns: 4}); s.Engine() != "postgres" {
		t.Fatalf("postgres URL: engine %s", s.Engine())
	}
	for _, bad := range []string{"mysql://x", "sqlite:", "/tmp/file.db"} {
		if _, err := store.Open(t.Context(), store.Config{URL: bad}); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("Open(%q) = %v, want invalid", bad, err)
		}
	}
}

// Equal inputs read back equal from both engines, times included.
func TestEnginesAgree(t *testing.T) {
	a := open(t, store.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "p.db")})
	b := open(t, store.Config{URL: testenv.NewPostgresDB(t)})
	storetest.Compare(t, a, b)
}

func TestPoolCollector(t *testing.T) {
	s := open(t, store.Config{URL: testenv.NewPostgresDB(t), MaxConns: 5})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(store.NewPoolCollector(s))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "parley_db_pool_connections" {
			continue
		}
		for _, m := range f.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	if got["max"] != 5 || got["idle"] < 1 || got["in_use"] != 0 {
		t.Fatalf("parley_db_pool_connections = %v; want max 5, some idle, none in use", got)
	}
}
