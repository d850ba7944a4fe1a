// Package postgres implements every parley Store on PostgreSQL through a
// pgx/v5 pool, with embedded goose migrations and an optional read replica.
//
// Reads that tolerate replication lag go to the read pool (the replica when
// PARLEY_DATABASE_READ_URL is set, else the primary): ListUsers, CountUsers,
// ListInvites, ListConversations, UsageRange, ListAudit, CountAudit and
// ListIncidents. Everything else, including every lookup used for
// authentication, read-after-write paths (Conversation, Messages, UsageByDay
// for quotas, OpenIncident) and all writes, uses the primary. When the
// replica cannot serve a read it is run on the primary (logged once per
// outage, counted by ReplicaFallbacks), and Ping keeps answering for the
// primary alone: a replica outage must not take every instance out of
// readiness. ReplicaPing reports the replica.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
	"github.com/parley-chat/parley/internal/store/migrate"
	"github.com/parley-chat/parley/internal/store/postgres/migrations"
)

// Config says how to reach PostgreSQL. Zero pool values keep pgx defaults.
type Config struct {
	URL     string // primary, postgres:// or postgresql://
	ReadURL string // optional read replica; "" reads from the primary
	// CAFile, when set, becomes sslrootcert of both URLs (unless they name
	// one): use it with sslmode=verify-full.
	CAFile          string
	MaxConns        int32
	MinConns        int32
	MaxConnIdleTime time.Duration
	MaxConnLifetime time.Duration
	// Logger receives the replica's outage and recovery; nil is slog.Default().
	Logger *slog.Logger
}

// Store is parley's storage on PostgreSQL.
type Store struct {
	w   *pgxpool.Pool // primary: writes and fresh reads
	r   *reader       // lag-tolerant reads: the replica, or w
	db  *sql.DB       // database/sql view of w, for goose
	mig *migrate.Runner
}

// Open connects both pools and checks the primary answers. It does not
// migrate: see Migrator.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	wcfg, err := poolConfig(cfg.URL, cfg)
	if err != nil {
		return nil, err
	}
	w, err := pgxpool.NewWithConfig(ctx, wcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := w.Ping(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("postgres: ping primary: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Store{w: w, r: &reader{w: w, r: w, log: log, now: time.Now}}
	if cfg.ReadURL != "" {
		rcfg, err := poolConfig(cfg.ReadURL, cfg)
		if err != nil {
			w.Close()
			return nil, err
		}
		if s.r.r, err = pgxpool.NewWithConfig(ctx, rcfg); err != nil {
			w.Close()
			return nil, fmt.Errorf("postgres: connect replica: %w", err)
		}
	}
	s.db = stdlib.OpenDBFromPool(w)
	if s.mig, err = migrate.New(migrate.Config{Dialect: goose.DialectPostgres, DB: s.db, FS: migrations.FS,
		Locker: migrate.PostgresLock{}}); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// poolConfig parses raw with the CA file and pool sizes of cfg applied.
func poolConfig(raw string, cfg Config) (*pgxpool.Config, error) {
	if cfg.CAFile != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, errors.New("postgres: database URL must be postgres://… (URL form) to add a CA file")
		}
		q := u.Query()
		if q.Get("sslrootcert") == "" {
			q.Set("sslrootcert", cfg.CAFile)
		}
		u.RawQuery = q.Encode()
		raw = u.String()
	}
	pc, err := pgxpool.ParseConfig(raw)
	if err != nil {
		// pgx's message may quote the URL, password included: keep it out.
		return nil, errors.New("postgres: invalid database URL or TLS settings: " + redactedCause(raw, err))
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	if cfg.MinConns > 0 {
		pc.MinConns = cfg.MinConns
	}
	if pc.MinConns > pc.MaxConns {
		return nil, fmt.Errorf("postgres: min conns %d exceeds max conns %d", pc.MinConns, pc.MaxConns)
	}
	if cfg.MaxConnIdleTime > 0 {
		pc.MaxConnIdleTime = cfg.MaxConnIdleTime
	}
	if cfg.MaxConnLifetime > 0 {
		pc.MaxConnLifetime = cfg.MaxConnLifetime
	}
	return pc, nil
}

// redactedCause keeps the reason of a pgx parse error (after the quoted
// connection string) with any password of raw masked.
func redactedCause(raw string, err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "`: "); i >= 0 {
		msg = msg[i+3:]
	}
	u, perr := url.Parse(raw)
	if perr != nil {
		return "unparseable URL"
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
}

// Engine names the backend: "postgres".
func (s *Store) Engine() string { return "postgres" }

// Migrator runs this database's migrations under a PostgreSQL advisory lock.
func (s *Store) Migrator() migrate.Migrator { return s.mig }

// Ping checks that the primary answers (readiness). A replica that does not
// answer fails ReplicaPing, not Ping: its reads fall back to the primary.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping primary: %w", err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	if s.r.r != s.w {
		s.r.r.Close()
	}
	s.w.Close()
	return err
}

// Pool is the primary pool, for tests and metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.w }

// ReadPool is the pool that lag-tolerant reads use.
func (s *Store) ReadPool() *pgxpool.Pool { return s.r.r }

func fail(ctx context.Context, op string, err error, m sqlkit.Msgs) error {
	return sqlkit.Fail(ctx, op, err, classify(err), m)
}

func classify(err error) sqlkit.Kind {
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlkit.NoRows
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlkit.Other
	}
	switch pe.Code {
	case "23505":
		return sqlkit.Unique
	case "23503":
		return sqlkit.ForeignKey
	case "23514", "23502":
		return sqlkit.Check
	}
	return sqlkit.Other
}

func tIn(t time.Time) time.Time { return sqlkit.Time(t) }

func tpIn(t *time.Time) *time.Time { return sqlkit.TimePtr(t) }

// tpOut normalises a scanned optional instant to UTC.
func tpOut(t *time.Time) *time.Time { return sqlkit.TimePtr(t) }

func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Exec runs one raw statement on the primary (tools and tests).
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	_, err := s.w.Exec(ctx, query, args...)
	return err
}

// PoolStats counts the connections of the primary pool and, when separate,
// the replica pool.
func (s *Store) PoolStats() (inUse, idle, max int) {
	pools := []*pgxpool.Pool{s.w}
	if s.r.r != s.w {
		pools = append(pools, s.r.r)
	}
	for _, p := range pools {
		st := p.Stat()
		inUse += int(st.AcquiredConns())
		idle += int(st.IdleConns())
		max += int(st.MaxConns())
	}
	return inUse, idle, max
}
