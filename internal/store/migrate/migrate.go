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
	"github.com/pressly/goose/v3/database"
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
	p           *goose.Provider
	table       database.Store // goose's version table, read by Check
	checkDB     *sql.DB
	existsQuery string
}

// Config tells New what to migrate and how.
type Config struct {
	Dialect goose.Dialect
	DB      *sql.DB // runs the migrations
	// CheckDB is what Check reads through (DB when nil): Check takes no
	// lock and writes nothing, so readiness probes neither wait for a
	// migration elsewhere nor queue behind writes.
	CheckDB *sql.DB
	FS      fs.FS // SQL files at its root
	// Locker, when set, serialises Up, Down and Status across processes.
	Locker lock.SessionLocker
	// TableExistsQuery returns one boolean: whether goose's version table
	// exists. Empty uses goose's query for the dialect.
	TableExistsQuery string
}

// New builds a Runner from cfg.
func New(cfg Config) (*Runner, error) {
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if cfg.Locker != nil {
		opts = append(opts, goose.WithSessionLocker(cfg.Locker))
	}
	p, err := goose.NewProvider(cfg.Dialect, cfg.DB, cfg.FS, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	st, err := database.NewStore(cfg.Dialect, goose.DefaultTablename)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	r := &Runner{p: p, table: st, checkDB: cfg.CheckDB, existsQuery: cfg.TableExistsQuery}
	if r.checkDB == nil {
		r.checkDB = cfg.DB
	}
	return r, nil
}

// tableExists reports whether goose's version table exists yet.
func (r *Runner) tableExists(ctx context.Context) (bool, error) {
	if r.existsQuery != "" {
		var ok bool
		err := r.checkDB.QueryRowContext(ctx, r.existsQuery).Scan(&ok)
		return ok, err
	}
	ext, ok := r.table.(database.StoreExtender)
	if !ok {
		return false, errors.ErrUnsupported
	}
	return ext.TableExists(ctx, r.checkDB)
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
// with pending migrations. It only reads.
func (r *Runner) Check(ctx context.Context) error {
	known := r.p.ListSources()
	applied := map[int64]bool{}
	var dbVersion int64
	exists, err := r.tableExists(ctx)
	if err != nil {
		return fmt.Errorf("migrate check: %w", err)
	}
	if exists {
		rows, err := r.table.ListMigrations(ctx, r.checkDB)
		if err != nil {
			return fmt.Errorf("migrate check: %w", err)
		}
		for _, m := range rows {
			if m.IsApplied {
				applied[m.Version] = true
				dbVersion = max(dbVersion, m.Version)
			}
		}
	}
	newest := known[len(known)-1].Version
	if dbVersion > newest {
		return errs.Wrap(errs.Unavailable, ErrSchemaAhead,
			"database schema version %d is newer than this binary knows (%d): upgrade parley", dbVersion, newest)
	}
	pending := 0
	for _, src := range known {
		if !applied[src.Version] {
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
