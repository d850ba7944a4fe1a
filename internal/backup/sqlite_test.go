package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/errs"
)

func sqliteRows(t *testing.T, path string) []string {
	t.Helper()
	db, err := openSQLite(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id || ':' || body FROM notes ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestSQLiteBackupRestore backs up a live SQLite database in WAL mode (an open
// writer connection holding un-checkpointed pages), changes it, and restores
// the backup by file replacement.
func TestSQLiteBackupRestore(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	dbPath := filepath.Join(dataDir, "parley.db")
	live, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := live.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 100; i++ {
		if _, err := live.Exec(`INSERT INTO notes (body) VALUES (?)`, fmt.Sprintf("note %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	want := sqliteRows(t, dbPath)

	dir := filepath.Join(t.TempDir(), "backups")
	at := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	res, err := Run(ctx, Options{Database: "sqlite:" + dbPath, Dir: dir, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if res.Database != SQLite || filepath.Base(res.Path) != "parley-sqlite-20261125T030000Z.db" {
		t.Fatalf("result %+v", res)
	}
	if err := Verify(res.Path); err != nil {
		t.Fatalf("verify: %v", err)
	}
	// The same second again is a conflict, not an overwrite.
	if _, err := Run(ctx, Options{Database: dbPath, Dir: dir, Now: func() time.Time { return at }}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second backup in the same second: %v", err)
	}

	if _, err := live.Exec(`DELETE FROM notes WHERE id > 10; INSERT INTO notes (body) VALUES ('after backup')`); err != nil {
		t.Fatal(err)
	}
	live.Close() // the server is stopped for a restore

	if err := Restore(ctx, RestoreOptions{File: res.Path, Database: dbPath}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if diff := cmp.Diff(want, sqliteRows(t, dbPath)); diff != "" {
		t.Fatalf("restored rows (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(dbPath + ".pre-restore"); err != nil {
		t.Fatalf("old database not kept aside: %v", err)
	}
}

func TestSQLiteRestoreRejectsBadBackups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	target := filepath.Join(dir, "parley.db")
	if err := os.WriteFile(target, []byte("current"), 0o600); err != nil {
		t.Fatal(err)
	}
	notDB := filepath.Join(dir, "parley-sqlite-20261125T030000Z.db")
	if err := os.WriteFile(notDB, []byte("this is not sqlite"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, _, err := fileSHA256(notDB)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		setup    func()
		file     string
		database string
		wantCode errs.Code
		wantIs   error
	}{
		{"no checksum file", func() {}, notDB, target, errs.Invalid, nil},
		{"checksum mismatch", func() { _ = os.WriteFile(notDB+checksumExt, []byte(sumOf("other")+"  x\n"), 0o600) }, notDB, target, errs.Invalid, ErrChecksumMismatch},
		{"valid checksum, not a database", func() { _ = writeChecksum(notDB, sum) }, notDB, target, errs.Invalid, nil},
		{"postgres dump into sqlite", func() {}, filepath.Join(dir, "parley-pg-20261125T030000Z.dump"), target, errs.Invalid, nil},
		{"unsupported database", func() {}, notDB, "mysql://x/y", errs.Invalid, nil},
		{"missing file", func() {}, "", target, errs.Invalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			err := Restore(ctx, RestoreOptions{File: tt.file, Database: tt.database})
			if errs.CodeOf(err) != tt.wantCode {
				t.Fatalf("err = %v, want code %s", err, tt.wantCode)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("err = %v, want %v", err, tt.wantIs)
			}
			got, _ := os.ReadFile(target)
			if string(got) != "current" {
				t.Fatalf("target changed by a refused restore: %q", got)
			}
		})
	}
}

func sumOf(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 64)
	for i := range b {
		b[i] = hex[(int(s[i%len(s)])+i)%16]
	}
	return string(b)
}

func TestRunAppliesRetention(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "parley.db")
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		at := start.AddDate(0, 0, i)
		if _, err := Run(ctx, Options{Database: dbPath, Dir: dir, Keep: Retention{Daily: 2}, Now: func() time.Time { return at }}); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"README",
		"parley-sqlite-20261104T030000Z.db", "parley-sqlite-20261104T030000Z.db.sha256",
		"parley-sqlite-20261105T030000Z.db", "parley-sqlite-20261105T030000Z.db.sha256"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("files after retention (-want +got):\n%s", diff)
	}
}
