// Package store is parley's backend-neutral entry to storage: it opens
// SQLite or PostgreSQL from one Config and runs their migrations.
//
// Both engines keep the same conventions, enforced by the conformance suite
// in storetest:
//   - IDs are text (UUIDv7 when the caller leaves them empty).
//   - Instants are stored in UTC with microsecond precision and read back in
//     UTC; equal inputs read back equal on both engines.
//   - Text with NUL bytes or invalid UTF-8 is refused with errs.Invalid
//     naming the field (PostgreSQL cannot store it), except in the audit
//     log, which replaces such bytes with U+FFFD rather than lose an entry.
//   - Missing rows and references to missing rows are errs.NotFound, unique
//     violations errs.Conflict, and driver text stays in the internal cause.
//   - Paged lists are newest first, pages of 20 by default and 100 at most, with
//     opaque cursors that stay stable when timestamps tie.
//
// PARLEY_MIGRATE=auto calls MigrateAuto at start; PARLEY_MIGRATE=off calls
// Migrator().Check, which refuses a schema that is behind or ahead.
package store

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/store/migrate"
	"github.com/parley-chat/parley/internal/store/postgres"
	"github.com/parley-chat/parley/internal/store/sqlite"
	"github.com/parley-chat/parley/internal/usage"
)

// Migrator moves a database's schema and checks it against this binary.
type Migrator = migrate.Migrator

// MigrationStatus is the state of one known migration.
type MigrationStatus = migrate.Status

// IncidentStore persists status-page incidents.
type IncidentStore = incident.Store

// Incident is one status-page incident.
type Incident = incident.Incident

// Store is everything parley persists, on either engine.
type Store interface {
	account.Store
	chat.Store
	usage.Store
	audit.Store
	IncidentStore
	// Ping checks that the database answers (readiness).
	Ping(ctx context.Context) error
	// Close releases every connection.
	Close() error
	// Engine is "sqlite" or "postgres".
	Engine() string
	// Migrator runs this database's embedded migrations.
	Migrator() Migrator
	// PoolStats counts connections (see PoolCollector).
	PoolStats() (inUse, idle, max int)
}

// Config selects and tunes the database (PARLEY_DATABASE_* and PARLEY_DB_*).
type Config struct {
	// URL: "" → SQLite file DataDir/parley.db; "sqlite:PATH" → that file;
	// postgres:// or postgresql:// → PostgreSQL.
	URL     string
	ReadURL string // PostgreSQL read replica (optional)
	CAFile  string // PostgreSQL sslrootcert (optional)
	DataDir string
	// PostgreSQL pool tuning; zero keeps pgx's defaults.
	MaxConns        int32
	MinConns        int32
	MaxConnIdleTime time.Duration
	MaxConnLifetime time.Duration
	// Logger receives the read replica's outage and recovery lines (nil: slog's default).
	Logger *slog.Logger
}

// Open opens the database cfg names. It does not migrate: call MigrateAuto
// (PARLEY_MIGRATE=auto) or Migrator().Check (PARLEY_MIGRATE=off) next.
func Open(ctx context.Context, cfg Config) (Store, error) {
	switch u := cfg.URL; {
	case u == "":
		dir := cfg.DataDir
		if dir == "" {
			dir = "."
		}
		return sqlite.Open(ctx, filepath.Join(dir, "parley.db"))
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		if path == "" {
			return nil, errs.E(errs.Invalid, "database URL sqlite: needs a file path")
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return postgres.Open(ctx, postgres.Config{
			URL: u, ReadURL: cfg.ReadURL, CAFile: cfg.CAFile,
			MaxConns: cfg.MaxConns, MinConns: cfg.MinConns,
			MaxConnIdleTime: cfg.MaxConnIdleTime, MaxConnLifetime: cfg.MaxConnLifetime,
			Logger: cfg.Logger,
		})
	}
	return nil, errs.E(errs.Invalid, "database URL must be empty, sqlite:PATH, postgres:// or postgresql://")
}

// MigrateAuto applies pending migrations, then checks the schema is the one
// this binary knows. On PostgreSQL, Up holds pg_advisory_lock, so replicas
// starting together migrate once and the others wait; on SQLite it is a
// plain Up (one process owns the file).
func MigrateAuto(ctx context.Context, s Store) error {
	m := s.Migrator()
	if err := m.Up(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return m.Check(ctx)
}

var (
	_ Store = (*sqlite.Store)(nil)
	_ Store = (*postgres.Store)(nil)
)
