package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

// InsertAudit appends entries with one COPY. Text is sanitised, not refused
// (see sqlkit.Sanitize): an audit batch is never dropped for it.
func (s *Store) InsertAudit(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([][]any, len(entries))
	for i, e := range entries {
		e = sqlkit.SanitizeEntry(e)
		rows[i] = []any{e.At, e.UserID, e.Action, e.Method, e.Route, e.Status, e.ClientIP, e.UserAgent,
			e.RequestID, e.LatencyMS, e.Target, e.Detail}
	}
	_, err := s.w.CopyFrom(ctx, pgx.Identifier{"audit_log"},
		[]string{"at", "user_id", "action", "method", "route", "status", "client_ip", "user_agent",
			"request_id", "latency_ms", "target", "detail"}, pgx.CopyFromRows(rows))
	return fail(ctx, "insert audit", err, sqlkit.Msgs{})
}

// ListAudit returns entries matching f, newest (highest ID) first, from the
// read pool. Since and Until bound At inclusively.
func (s *Store) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, string, error) {
	const op = "list audit"
	limit := sqlkit.Limit(f.Limit)
	cur, hasCur, err := sqlkit.DecodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT id, at, user_id, action, method, route, status, client_ip, user_agent, request_id,
		latency_ms, target, detail FROM audit_log WHERE true`
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.UserID != "" {
		add("user_id = $%d", f.UserID)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.Route != "" {
		add("route = $%d", f.Route)
	}
	if f.Status != 0 {
		add("status = $%d", f.Status)
	}
	if f.Since != nil {
		add("at >= $%d", tIn(*f.Since))
	}
	if f.Until != nil {
		add("at <= $%d", tIn(*f.Until))
	}
	if hasCur {
		add("id < $%d", cur.N)
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := s.r.Query(ctx, q, args...)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, err := collect(rows, func(row pgx.Row) (audit.Entry, error) {
		var e audit.Entry
		err := row.Scan(&e.ID, &e.At, &e.UserID, &e.Action, &e.Method, &e.Route, &e.Status, &e.ClientIP,
			&e.UserAgent, &e.RequestID, &e.LatencyMS, &e.Target, &e.Detail)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, next := sqlkit.Page(out, limit, func(e audit.Entry) sqlkit.Cursor { return sqlkit.Cursor{N: e.ID} })
	return out, next, nil
}

// PruneAudit deletes entries older than before and returns how many.
func (s *Store) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.w.Exec(ctx, `DELETE FROM audit_log WHERE at < $1`, tIn(before))
	return tag.RowsAffected(), fail(ctx, "prune audit", err, sqlkit.Msgs{})
}

// CountAudit returns how many entries the log holds (read pool).
func (s *Store) CountAudit(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&n)
	return n, fail(ctx, "count audit", err, sqlkit.Msgs{})
}
