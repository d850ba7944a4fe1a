// Package usage accounts tokens to users by day and model, for quotas and
// the usage page.
package usage

import (
	"context"
	"time"
)

// Record is the aggregated usage of one user, one UTC day and one model.
type Record struct {
	UserID           string
	Day              time.Time // midnight UTC
	Model            string
	Requests         int64
	PromptTokens     int64
	CompletionTokens int64
}

// Store persists usage aggregates.
type Store interface {
	// AddUsage adds each record's counts to the stored totals (upsert),
	// in one transaction.
	AddUsage(ctx context.Context, recs []Record) error
	// UsageByDay returns a user's records for one day, one per model.
	UsageByDay(ctx context.Context, userID string, day time.Time) ([]Record, error)
	// UsageRange returns a user's records for days in [from, to].
	UsageRange(ctx context.Context, userID string, from, to time.Time) ([]Record, error)
}
