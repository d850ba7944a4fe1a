package sqlite

import (
	"context"
	"time"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

// InsertAudit appends entries in one transaction. Text is sanitised, not
// refused (see sqlkit.Sanitize): an audit batch is never dropped for it.
func (s *Store) InsertAudit(ctx context.Context, entries []audit.Entry) error {
	const op = "insert audit"
	if len(entries) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO audit_log (at, user_id, action, method, route, status, client_ip, user_agent,
			request_id, latency_ms, target, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer stmt.Close()
	for _, e := range entries {
		e = sqlkit.SanitizeEntry(e)
		if _, err := stmt.ExecContext(ctx, tIn(e.At), e.UserID, e.Action, e.Method, e.Route, e.Status,
			e.ClientIP, e.UserAgent, e.RequestID, e.LatencyMS, e.Target, e.Detail); err != nil {
			return fail(ctx, op, err, sqlkit.Msgs{})
		}
	}
	return fail(ctx, op, tx.Commit(), sqlkit.Msgs{})
}

// ListAudit returns entries matching f, newest (highest ID) first. Since
// and Until bound At inclusively.
func (s *Store) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, string, error) {
	const op = "list audit"
	limit := sqlkit.Limit(f.Limit)
	cur, hasCur, err := sqlkit.DecodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT id, at, user_id, action, method, route, status, client_ip, user_agent, request_id,
		latency_ms, target, detail FROM audit_log WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) { q += " AND " + cond; args = append(args, v) }
	if f.UserID != "" {
		add("user_id = ?", f.UserID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Route != "" {
		add("route = ?", f.Route)
	}
	if f.Status != 0 {
		add("status = ?", f.Status)
	}
	if f.Since != nil {
		add("at >= ?", tIn(*f.Since))
	}
	if f.Until != nil {
		add("at <= ?", tIn(*f.Until))
	}
	if hasCur {
		add("id < ?", cur.N)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, err := collect(rows, func(row rowScanner) (audit.Entry, error) {
		var e audit.Entry
		var at int64
		err := row.Scan(&e.ID, &at, &e.UserID, &e.Action, &e.Method, &e.Route, &e.Status, &e.ClientIP,
			&e.UserAgent, &e.RequestID, &e.LatencyMS, &e.Target, &e.Detail)
		e.At = tOut(at)
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
	n, err := affected(s.w.ExecContext(ctx, `DELETE FROM audit_log WHERE at < ?`, tIn(before)))
	return n, fail(ctx, "prune audit", err, sqlkit.Msgs{})
}

// CountAudit returns how many entries the log holds.
func (s *Store) CountAudit(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&n)
	return n, fail(ctx, "count audit", err, sqlkit.Msgs{})
}
