package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestReadyWhileNewerVersionMigrated: during a rolling update the new
// version migrates first. The replicas still running the old version stay
// ready (expand/contract migrations keep the old code working), and say so
// in the log; a schema behind the binary is still not ready; and a fresh
// start on a schema newer than the binary is refused.
func TestReadyWhileNewerVersionMigrated(t *testing.T) {
	dbURL := testenv.NewPostgresDB(t)
	vars := baseVars(t)
	vars["PARLEY_DATABASE_URL"] = dbURL
	vars["PARLEY_JWT_SECRET"] = "a-configured-secret-0123456789abcdef"
	s := startServe(t, vars)

	readyz := func() int {
		t.Helper()
		res, err := http.Get(s.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := readyz(); got != http.StatusOK {
		t.Fatalf("/readyz before = %d", got)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// A newer parley applied a migration this binary does not know.
	if _, err := conn.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	if got := readyz(); got != http.StatusOK {
		t.Errorf("/readyz with a newer schema = %d, want 200 (old replicas keep serving during a rollout)", got)
	}
	if !strings.Contains(s.out.String(), "schema is newer than this binary") {
		t.Errorf("no warning about the newer schema in the log:\n%s", s.out.String())
	}

	// A binary that starts on that schema refuses it.
	vars2 := baseVars(t)
	vars2["PARLEY_DATABASE_URL"] = dbURL
	vars2["PARLEY_JWT_SECRET"] = vars["PARLEY_JWT_SECRET"]
	if _, _, err := cli(t, vars2, "", "serve"); err == nil {
		t.Error("serve started on a schema newer than it knows")
	}

	// A schema behind the binary is not ready.
	if _, err := conn.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id >= 1`); err != nil {
		t.Fatal(err)
	}
	if got := readyz(); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz with pending migrations = %d, want 503", got)
	}
}
