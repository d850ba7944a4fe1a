// Package migrate runs parley's numbered, embedded SQL migrations with goose
// and tells whether a database's schema matches this binary.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/parley-chat/parley/internal/errs"
)

// Errors that Check wraps, for errors.Is.
var (
	// ErrSchemaAhead: the database has migrations this binary does not know
	// (a newer parley ran against it).
	ErrSchemaAhead = errors.New("database schema is newer than this binary")
	// ErrSchemaBehind: the database lacks migrations this binary needs.
	ErrSchemaBehind = errors.New("database schema is older than this binary")
)

// Status is the state of one known migration.
type Status struct {
	Version   int64
	Name      string // file name, e.g. "00001_init.sql"
	Applied   bool
	AppliedAt time.Time // zero when pending
}

// Migrator moves a database's schema and checks it against this binary.
type Migrator interface {
	// Up applies every pending migration.
	Up(ctx context.Context) error
	// Down rolls back the most recently applied migration (one step).
	Down(ctx context.Context) error
	// Status lists every migration this binary knows, oldest first.
	Status(ctx context.Context) ([]Status, error)
	// Check returns an errs.Unavailable error (wrapping ErrSchemaAhead or
	// ErrSchemaBehind) unless the schema is exactly the one this binary knows.
	Check(ctx context.Context) error
}

// Runner is the goose-backed Migrator both engines use.
type Runner struct {
	p *goose.Provider
}

// New builds a Runner over db for migrations in fsys (SQL files at its
// root). locker, when not nil, serialises Up, Down and Status across
// processes (PostgreSQL's advisory lock).
func New(dialect goose.Dialect, db *sql.DB, fsys fs.FS, locker lock.SessionLocker) (*Runner, error) {
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return &Runner{p: p}, nil
}

// Up applies every pending migration.
func (r *Runner) Up(ctx context.Context) error {
	if _, err := r.p.Up(ctx); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// Down rolls back the most recently applied migration. It is an
// errs.NotFound error when nothing is applied.
func (r *Runner) Down(ctx context.Context) error {
	_, err := r.p.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return errs.E(errs.NotFound, "no migration to roll back")
	}
	if err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// Status lists every migration this binary knows, oldest first.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	st, err := r.p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]Status, 0, len(st))
	for _, s := range st {
		m := Status{Version: s.Source.Version, Name: baseName(s.Source.Path), Applied: s.State == goose.StateApplied}
		if m.Applied {
			m.AppliedAt = s.AppliedAt.UTC()
		}
		out = append(out, m)
	}
	return out, nil
}

// Check refuses a schema newer than the newest embedded migration, and one
// with pending migrations.
func (r *Runner) Check(ctx context.Context) error {
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	dbVersion, err := r.p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrate check: %w", err)
	}
	known := st[len(st)-1].Version
	if dbVersion > known {
		return errs.Wrap(errs.Unavailable, ErrSchemaAhead,
			"database schema version %d is newer than this binary knows (%d): upgrade parley", dbVersion, known)
	}
	pending := 0
	for _, s := range st {
		if !s.Applied {
			pending++
		}
	}
	if pending > 0 {
		return errs.Wrap(errs.Unavailable, ErrSchemaBehind,
			"database schema is %d migration(s) behind: run `parley migrate up` or set PARLEY_MIGRATE=auto", pending)
	}
	return nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

var _ Migrator = (*Runner)(nil)
