// Package backup takes, checks, prunes and restores parley's database backups:
// PostgreSQL through the real pg_dump/pg_restore (custom format, compressed)
// and SQLite through its online backup (VACUUM INTO), each with a SHA-256
// checksum file beside it and a daily/weekly/monthly retention policy.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/errs"
)

// Options configures one backup run (`parley backup`).
type Options struct {
	// Database is a PostgreSQL URL (postgres:// or postgresql://) or a SQLite
	// file path, optionally prefixed "sqlite:" or "file:". Required.
	Database string
	// Dir receives the backup and its .sha256 file; it is created if missing. Required.
	Dir string
	// Keep is the retention policy applied after a successful backup. The zero
	// value keeps everything.
	Keep Retention
	// PGDump is the pg_dump binary; "pg_dump" (from PATH) when empty.
	PGDump string
	// Now names the backup; time.Now when nil.
	Now func() time.Time
}

// Result describes a finished backup.
type Result struct {
	Path     string    // the backup file
	SHA256   string    // hex checksum, also written to Path+".sha256"
	Size     int64     // bytes
	Taken    time.Time // the time in the file name (UTC, whole seconds)
	Removed  []string  // backups (not checksum files) deleted by retention
	Database Kind      // which engine was backed up
}

// Kind is the database engine a backup holds.
type Kind string

// The engines parley runs on.
const (
	Postgres Kind = "pg"
	SQLite   Kind = "sqlite"
)

// Run takes one backup of o.Database into o.Dir, writes its checksum file and
// then applies the retention policy. A failed run leaves no file behind.
func Run(ctx context.Context, o Options) (Result, error) {
	kind, target, err := parseDatabase(o.Database)
	if err != nil {
		return Result{}, err
	}
	if o.Dir == "" {
		return Result{}, errs.Validation(map[string]string{"dir": "a backup directory is required"})
	}
	if err := o.Keep.validate(); err != nil {
		return Result{}, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return Result{}, fmt.Errorf("create backup dir: %w", err)
	}
	taken := now().UTC().Truncate(time.Second)
	final := filepath.Join(o.Dir, fileName(kind, taken))
	if _, err := os.Stat(final); err == nil {
		return Result{}, errs.E(errs.Conflict, "a backup named %s already exists", filepath.Base(final))
	}
	tmp := final + ".partial"
	_ = os.Remove(tmp)
	switch kind {
	case Postgres:
		err = dumpPostgres(ctx, o.PGDump, target, tmp)
	case SQLite:
		err = dumpSQLite(ctx, target, tmp)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return Result{}, err
	}
	sum, size, err := fileSHA256(tmp)
	if err != nil {
		_ = os.Remove(tmp)
		return Result{}, err
	}
	if err := syncFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return Result{}, err
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return Result{}, fmt.Errorf("publish backup: %w", err)
	}
	if err := writeChecksum(final, sum); err != nil {
		_ = os.Remove(final)
		return Result{}, err
	}
	res := Result{Path: final, SHA256: sum, Size: size, Taken: taken, Database: kind}
	removed, err := Prune(o.Dir, o.Keep)
	res.Removed = removed
	if err != nil {
		return res, fmt.Errorf("apply retention: %w", err)
	}
	return res, nil
}

// RestoreOptions configures `parley restore`.
type RestoreOptions struct {
	// File is the backup to restore; its .sha256 file must sit beside it and match.
	File string
	// Database is where to restore: a PostgreSQL URL (an existing, normally
	// empty database) or the SQLite file path the server uses (server stopped).
	Database string
	// Clean drops the PostgreSQL objects the backup contains before recreating
	// them (pg_restore --clean --if-exists), for restoring over a live schema.
	Clean bool
	// PGRestore is the pg_restore binary; "pg_restore" (from PATH) when empty.
	PGRestore string
}

// Restore verifies f.File against its checksum and restores it into
// o.Database. PostgreSQL restores run in one transaction (all or nothing);
// SQLite restores replace the database file atomically, keeping the old file
// as <db>.pre-restore. A checksum mismatch restores nothing.
func Restore(ctx context.Context, o RestoreOptions) error {
	kind, target, err := parseDatabase(o.Database)
	if err != nil {
		return err
	}
	if o.File == "" {
		return errs.Validation(map[string]string{"file": "a backup file is required"})
	}
	fileKind, _, ok := parseFileName(filepath.Base(o.File))
	if ok && fileKind != kind {
		return errs.E(errs.Invalid, "backup %s holds a %s database, not %s", filepath.Base(o.File), fileKind, kind)
	}
	if err := Verify(o.File); err != nil {
		return err
	}
	if kind == Postgres {
		return restorePostgres(ctx, o.PGRestore, target, o.File, o.Clean)
	}
	return restoreSQLite(ctx, o.File, target)
}

// parseDatabase tells the engine of a Database option and returns the
// connection URL (PostgreSQL) or file path (SQLite).
func parseDatabase(db string) (Kind, string, error) {
	switch {
	case db == "":
		return "", "", errs.Validation(map[string]string{"database": "a database URL or SQLite path is required"})
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return Postgres, db, nil
	case strings.Contains(db, "://") && !strings.HasPrefix(db, "sqlite://") && !strings.HasPrefix(db, "file://"):
		return "", "", errs.Validation(map[string]string{"database": "only postgres:// URLs and SQLite paths are supported"})
	}
	p := db
	for _, prefix := range []string{"sqlite://", "file://", "sqlite:", "file:"} {
		if strings.HasPrefix(p, prefix) {
			p = strings.TrimPrefix(p, prefix)
			break
		}
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "", "", errs.Validation(map[string]string{"database": "the SQLite path is empty"})
	}
	return SQLite, p, nil
}

const stampLayout = "20060102T150405Z"

// fileName is the name of a backup taken at t: parley-<kind>-<stamp>.<ext>.
func fileName(k Kind, t time.Time) string {
	ext := ".dump"
	if k == SQLite {
		ext = ".db"
	}
	return "parley-" + string(k) + "-" + t.UTC().Format(stampLayout) + ext
}

// parseFileName is the inverse of fileName; ok is false for any other file.
func parseFileName(name string) (Kind, time.Time, bool) {
	rest, found := strings.CutPrefix(name, "parley-")
	if !found {
		return "", time.Time{}, false
	}
	kind, rest, found := strings.Cut(rest, "-")
	if !found {
		return "", time.Time{}, false
	}
	var ext string
	switch Kind(kind) {
	case Postgres:
		ext = ".dump"
	case SQLite:
		ext = ".db"
	default:
		return "", time.Time{}, false
	}
	stamp, found := strings.CutSuffix(rest, ext)
	if !found {
		return "", time.Time{}, false
	}
	t, err := time.Parse(stampLayout, stamp)
	if err != nil {
		return "", time.Time{}, false
	}
	return Kind(kind), t, true
}

// Backup is one backup file found in a directory.
type Backup struct {
	Path  string
	Kind  Kind
	Taken time.Time
}

// List returns the backups in dir, newest first. Files that are not parley
// backups are ignored.
func List(dir string) ([]Backup, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var out []Backup
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		k, t, ok := parseFileName(e.Name())
		if !ok {
			continue
		}
		out = append(out, Backup{Path: filepath.Join(dir, e.Name()), Kind: k, Taken: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Taken.After(out[j].Taken) })
	return out, nil
}

// Prune deletes the backups in dir (and their checksum files) that the
// retention policy r does not keep, and returns the deleted backup paths.
func Prune(dir string, r Retention) ([]string, error) {
	if r.keepsAll() {
		return nil, nil
	}
	all, err := List(dir)
	if err != nil {
		return nil, err
	}
	times := make([]time.Time, len(all))
	for i, b := range all {
		times[i] = b.Taken
	}
	keep := r.Select(times)
	var removed []string
	var errList []error
	for i, b := range all {
		if keep[i] {
			continue
		}
		if err := os.Remove(b.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errList = append(errList, err)
			continue
		}
		_ = os.Remove(b.Path + checksumExt)
		removed = append(removed, b.Path)
	}
	return removed, errors.Join(errList...)
}
