package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// replicaRetryAfter is how long lag-tolerant reads stay on the primary after
// the replica failed, before the next read tries the replica again: a
// replica that is down costs one failed attempt per period, not per read.
const replicaRetryAfter = 5 * time.Second

// reader runs the lag-tolerant reads: on the replica when one is configured
// and answering, else on the primary. A read the replica cannot serve
// (connection refused or lost, shutting down, recovery conflict, too many
// connections) is run again on the primary, so a replica outage costs the
// primary extra load, not errors; it is logged once per outage and counted
// (Store.ReplicaFallbacks).
type reader struct {
	w, r      *pgxpool.Pool // r == w without a replica
	log       *slog.Logger
	now       func() time.Time
	downUntil atomic.Int64 // unix nanoseconds; reads skip the replica before it
	down      atomic.Bool  // an outage is being reported
	fallbacks atomic.Uint64
}

// Query runs sql on the replica, or on the primary when the replica is
// known down or fails before yielding a row.
func (rd *reader) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !rd.useReplica() {
		return rd.w.Query(ctx, sql, args...)
	}
	rows, err := rd.r.Query(ctx, sql, args...)
	if err != nil {
		if rows != nil {
			rows.Close()
		}
		if !rd.fault(ctx, err) {
			return rows, err
		}
		return rd.w.Query(ctx, sql, args...)
	}
	return &fallbackRows{Rows: rows, rd: rd, ctx: ctx, sql: sql, args: args}, nil
}

// QueryRow is Query for one row: Scan falls back like Query.
func (rd *reader) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if !rd.useReplica() {
		return rd.w.QueryRow(ctx, sql, args...)
	}
	return fallbackRow{rd: rd, ctx: ctx, sql: sql, args: args}
}

type fallbackRow struct {
	rd   *reader
	ctx  context.Context
	sql  string
	args []any
}

func (f fallbackRow) Scan(dest ...any) error {
	err := f.rd.r.QueryRow(f.ctx, f.sql, f.args...).Scan(dest...)
	if err == nil || !f.rd.fault(f.ctx, err) {
		if err == nil {
			f.rd.healthy()
		}
		return err
	}
	return f.rd.w.QueryRow(f.ctx, f.sql, f.args...).Scan(dest...)
}

// fallbackRows reads the replica's rows; if they end in a replica fault
// before the first row, it swaps in the same query's rows from the primary.
type fallbackRows struct {
	pgx.Rows // the replica's rows, then perhaps the primary's
	rd       *reader
	ctx      context.Context
	sql      string
	args     []any
	started  bool
}

func (f *fallbackRows) Next() bool {
	if f.started {
		return f.Rows.Next()
	}
	f.started = true
	if f.Rows.Next() {
		f.rd.healthy()
		return true
	}
	err := f.Rows.Err()
	if err == nil || !f.rd.fault(f.ctx, err) {
		if err == nil {
			f.rd.healthy()
		}
		return false
	}
	f.Rows.Close()
	f.Rows, _ = f.rd.w.Query(f.ctx, f.sql, f.args...) // an error is in Rows.Err
	return f.Rows.Next()
}

// useReplica says whether the next read tries the replica; every read
// that does not is counted as a fallback.
func (rd *reader) useReplica() bool {
	if rd.r == rd.w {
		return false
	}
	if rd.now().UnixNano() < rd.downUntil.Load() {
		rd.fallbacks.Add(1)
		return false
	}
	return true
}

// fault says whether err means the replica could not serve the read (the
// primary can); if so it counts the fallback, keeps reads off the replica
// for replicaRetryAfter and logs the start of the outage.
func (rd *reader) fault(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, pgx.ErrNoRows) || !replicaFault(err) {
		return false
	}
	rd.fallbacks.Add(1)
	rd.downUntil.Store(rd.now().Add(replicaRetryAfter).UnixNano())
	if rd.down.CompareAndSwap(false, true) {
		rd.log.WarnContext(ctx, "read replica unavailable: lag-tolerant reads use the primary",
			"err", err.Error(), "retry_after", replicaRetryAfter.String())
	}
	return true
}

// healthy notes that the replica answered, ending a reported outage.
func (rd *reader) healthy() {
	if rd.down.CompareAndSwap(true, false) {
		rd.log.Info("read replica answers again: lag-tolerant reads use it")
	}
}

// replicaFault is true for errors of the replica rather than of the query:
// anything not from the server (connect, network, EOF), connection
// exceptions (08), recovery conflicts (40001), insufficient resources (53),
// operator intervention such as shutdown or start-up (57), system errors
// (58), and a table or column the replica has not replayed yet.
func replicaFault(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return true
	}
	if len(pe.Code) != 5 {
		return false
	}
	switch pe.Code[:2] {
	case "08", "53", "57", "58":
		return true
	}
	return pe.Code == "40001" || pe.Code == "42P01" || pe.Code == "42703"
}

// ReplicaFallbacks counts the lag-tolerant reads served by the primary
// because the configured replica could not serve them.
func (s *Store) ReplicaFallbacks() uint64 { return s.r.fallbacks.Load() }

// ReplicaPing checks that the read replica answers; nil without one. A
// failing replica does not fail Ping: its reads fall back to the primary.
func (s *Store) ReplicaPing(ctx context.Context) error {
	if s.r.r == s.w {
		return nil
	}
	if err := s.r.r.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping replica: %w", err)
	}
	return nil
}
