// Package sqlite implements every parley Store on an SQLite file through
// modernc.org/sqlite (pure Go, no cgo), with embedded goose migrations.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
	"github.com/parley-chat/parley/internal/store/migrate"
	"github.com/parley-chat/parley/internal/store/sqlite/migrations"
)

// Store is parley's storage on one SQLite file. Writes go through a single
// connection (SQLite has one writer; queuing in Go avoids SQLITE_BUSY); reads
// use a separate pool of read-only connections, which WAL mode never blocks.
// A committed write is visible to every read that starts after it.
type Store struct {
	w, r *sql.DB
	mig  *migrate.Runner
}

func init() {
	// parley_lower folds case like Go (and PostgreSQL's lower() under a
	// UTF-8 locale), not only ASCII as SQLite's built-in lower() does.
	sqlite.MustRegisterDeterministicScalarFunction("parley_lower", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return strings.ToLower(v), nil
			case []byte:
				return strings.ToLower(string(v)), nil
			}
			return args[0], nil
		})
}

// Open opens (creating if needed) the database file at path. It does not
// migrate: see Migrator.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: create data dir: %w", err)
	}
	// The file holds password hashes: create it readable by its owner only
	// (SQLite gives the -wal and -shm files the same mode).
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	_ = f.Close()
	w, err := sql.Open("sqlite", dsn(abs, "_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// The writer creates the file and switches it to WAL before readers open.
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	r, err := sql.Open("sqlite", dsn(abs, "_pragma=query_only(1)"))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s := &Store{w: w, r: r}
	s.mig, err = migrate.New(migrate.Config{Dialect: goose.DialectSQLite3, DB: w, CheckDB: r, FS: migrations.FS,
		TableExistsQuery: `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version')`})
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func dsn(abs, extra string) string {
	q := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&" + extra
	return "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + q
}

// Engine names the backend: "sqlite".
func (s *Store) Engine() string { return "sqlite" }

// Migrator runs this database's migrations.
func (s *Store) Migrator() migrate.Migrator { return s.mig }

// Ping checks that both handles answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping reader: %w", err)
	}
	return nil
}

// Close closes both handles.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// WriteDB is the single-connection write handle, for tests and backups.
func (s *Store) WriteDB() *sql.DB { return s.w }

// fail translates a driver error for op; see sqlkit.Fail.
func fail(ctx context.Context, op string, err error, m sqlkit.Msgs) error {
	return sqlkit.Fail(ctx, op, err, classify(err), m)
}

func classify(err error) sqlkit.Kind {
	if errors.Is(err, sql.ErrNoRows) {
		return sqlkit.NoRows
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlkit.Other
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlkit.Unique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlkit.ForeignKey
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return sqlkit.Check
	}
	return sqlkit.Other
}

// Instants are stored as INTEGER microseconds since the epoch (UTC).

func tIn(t time.Time) int64 { return sqlkit.Time(t).UnixMicro() }

func tOut(v int64) time.Time { return time.UnixMicro(v).UTC() }

func tpIn(t *time.Time) any {
	if t == nil {
		return nil
	}
	return tIn(*t)
}

func tpOut(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := tOut(v.Int64)
	return &t
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// affected returns RowsAffected, or the error.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Exec runs one raw statement on the write handle (tools and tests).
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	_, err := s.w.ExecContext(ctx, query, args...)
	return err
}

// PoolStats counts the connections of both handles.
func (s *Store) PoolStats() (inUse, idle, max int) {
	for _, db := range []*sql.DB{s.w, s.r} {
		st := db.Stats()
		inUse, idle, max = inUse+st.InUse, idle+st.Idle, max+st.MaxOpenConnections
	}
	return inUse, idle, max
}
