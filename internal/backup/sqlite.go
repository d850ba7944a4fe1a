package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/parley-chat/parley/internal/errs"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
)

// openSQLite opens an existing SQLite file; it never creates one.
func openSQLite(path string, readOnly bool) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errs.E(errs.NotFound, "SQLite database %s does not exist", filepath.Base(path))
		}
		return nil, fmt.Errorf("stat sqlite database: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Set("mode", "ro")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite database: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// dumpSQLite copies a live SQLite database into out with VACUUM INTO, SQLite's
// online, transactionally consistent backup.
func dumpSQLite(ctx context.Context, path, out string) error {
	db, err := openSQLite(path, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return fmt.Errorf("sqlite online backup: %w", err)
	}
	return nil
}

// checkSQLite proves path is a healthy SQLite database.
func checkSQLite(ctx context.Context, path string) error {
	db, err := openSQLite(path, true)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return errs.Wrap(errs.Invalid, err, "backup %s is not a SQLite database", filepath.Base(path))
	}
	if res != "ok" {
		return errs.E(errs.Invalid, "backup %s fails SQLite's integrity check", filepath.Base(path))
	}
	return nil
}

// restoreSQLite replaces the database at target with the backup at file. The
// server must be stopped: the previous file (and any -wal/-shm beside it) is
// moved aside to target+".pre-restore" rather than deleted.
func restoreSQLite(ctx context.Context, file, target string) error {
	if err := checkSQLite(ctx, file); err != nil {
		return err
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	staged := target + ".restoring"
	if err := copyFile(file, staged); err != nil {
		_ = os.Remove(staged)
		return err
	}
	if err := rebuildSearch(ctx, staged); err != nil {
		_ = os.Remove(staged)
		return err
	}
	aside := target + ".pre-restore"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(target+suffix, aside+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(staged)
			return fmt.Errorf("move old database aside: %w", err)
		}
	}
	if err := os.Rename(staged, target); err != nil {
		_ = os.Remove(staged)
		return fmt.Errorf("put restored database in place: %w", err)
	}
	return nil
}

// rebuildSearch builds the full-text indexes of a staged SQLite restore
// again from its rows. They are keyed by rowid, which VACUUM INTO (the
// backup) may renumber in tables without an INTEGER PRIMARY KEY; rebuilt,
// search finds exactly the restored messages and titles. A database from
// before the search migration has no index and is left as it is.
func rebuildSearch(ctx context.Context, path string) error {
	db, err := openSQLite(path, false)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, table := range []string{"messages_fts", "conversations_fts"} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil {
			return fmt.Errorf("look for %s: %w", table, err)
		}
		if n == 0 {
			continue
		}
		// table is one of the two names above, never input.
		if _, err := db.ExecContext(ctx, "INSERT INTO "+table+" ("+table+") VALUES ('rebuild')"); err != nil {
			return fmt.Errorf("rebuild the search index %s: %w", table, err)
		}
	}
	return db.Close()
}

// copyFile copies src to dst (created 0600) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("stage restore: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("stage restore: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("stage restore: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("stage restore: %w", err)
	}
	return nil
}
