package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
	"github.com/parley-chat/parley/internal/usage"
)

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
	err := pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, r := range recs {
			b.Queue(`
				INSERT INTO usage_daily (user_id, day, model, requests, prompt_tokens, completion_tokens)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (user_id, day, model) DO UPDATE SET
					requests = usage_daily.requests + excluded.requests,
					prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
					completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens`,
				r.UserID, sqlkit.Day(r.Day), r.Model, r.Requests, r.PromptTokens, r.CompletionTokens)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	return fail(ctx, op, err, sqlkit.Msgs{NotFound: "user not found"})
}

// UsageByDay returns the user's records for day's UTC date, one per model
// (primary: quota checks need fresh totals).
func (s *Store) UsageByDay(ctx context.Context, userID string, day time.Time) ([]usage.Record, error) {
	return s.usage(ctx, s.w.Query, "usage by day", userID, day, day)
}

// UsageRange returns the user's records for the UTC dates from..to
// (inclusive), ordered by day then model (read pool).
func (s *Store) UsageRange(ctx context.Context, userID string, from, to time.Time) ([]usage.Record, error) {
	return s.usage(ctx, s.r.Query, "usage range", userID, from, to)
}

type queryFunc func(ctx context.Context, sql string, args ...any) (pgx.Rows, error)

func (s *Store) usage(ctx context.Context, query queryFunc, op, userID string, from, to time.Time) ([]usage.Record, error) {
	rows, err := query(ctx, `
		SELECT user_id, day, model, requests, prompt_tokens, completion_tokens FROM usage_daily
		WHERE user_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day, model`,
		userID, sqlkit.Day(from), sqlkit.Day(to))
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, err := collect(rows, func(row pgx.Row) (usage.Record, error) {
		var r usage.Record
		err := row.Scan(&r.UserID, &r.Day, &r.Model, &r.Requests, &r.PromptTokens, &r.CompletionTokens)
		r.Day = sqlkit.Day(r.Day)
		return r, err
	})
	return out, fail(ctx, op, err, sqlkit.Msgs{})
}
