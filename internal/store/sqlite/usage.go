package sqlite

import (
	"context"
	"time"

	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
	"github.com/parley-chat/parley/internal/usage"
)

const dayLayout = "2006-01-02"

// AddUsage adds each record's counts to the stored totals of its user, UTC
// day and model, all records in one transaction. Each upsert adds in SQL,
// so concurrent calls sum exactly.
func (s *Store) AddUsage(ctx context.Context, recs []usage.Record) error {
	const op = "add usage"
	if err := sqlkit.CheckUsage(recs); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	for _, r := range recs {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO usage_daily (user_id, day, model, requests, prompt_tokens, completion_tokens)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id, day, model) DO UPDATE SET
				requests = usage_daily.requests + excluded.requests,
				prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
				completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens`,
			r.UserID, sqlkit.Day(r.Day).Format(dayLayout), r.Model, r.Requests, r.PromptTokens, r.CompletionTokens)
		if err != nil {
			return fail(ctx, op, err, sqlkit.Msgs{NotFound: "user not found"})
		}
	}
	return fail(ctx, op, tx.Commit(), sqlkit.Msgs{})
}

// UsageByDay returns the user's records for day's UTC date, one per model.
func (s *Store) UsageByDay(ctx context.Context, userID string, day time.Time) ([]usage.Record, error) {
	return s.usage(ctx, "usage by day", userID, day, day)
}

// UsageRange returns the user's records for the UTC dates from..to
// (inclusive), ordered by day then model.
func (s *Store) UsageRange(ctx context.Context, userID string, from, to time.Time) ([]usage.Record, error) {
	return s.usage(ctx, "usage range", userID, from, to)
}

func (s *Store) usage(ctx context.Context, op, userID string, from, to time.Time) ([]usage.Record, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT user_id, day, model, requests, prompt_tokens, completion_tokens FROM usage_daily
		WHERE user_id = ? AND day BETWEEN ? AND ? ORDER BY day, model`,
		userID, sqlkit.Day(from).Format(dayLayout), sqlkit.Day(to).Format(dayLayout))
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer rows.Close()
	out := []usage.Record{}
	for rows.Next() {
		var r usage.Record
		var day string
		if err := rows.Scan(&r.UserID, &day, &r.Model, &r.Requests, &r.PromptTokens, &r.CompletionTokens); err != nil {
			return nil, fail(ctx, op, err, sqlkit.Msgs{})
		}
		if r.Day, err = time.Parse(dayLayout, day); err != nil {
			return nil, fail(ctx, op, err, sqlkit.Msgs{})
		}
		out = append(out, r)
	}
	return out, fail(ctx, op, rows.Err(), sqlkit.Msgs{})
}
