// Package audit records every API call and admin action in an append-only log.
package audit

import (
	"context"
	"time"
)

// Entry is one audit row.
type Entry struct {
	ID        int64 // assigned by the store
	At        time.Time
	UserID    string // empty when anonymous
	Action    string // "http" for API calls, or an admin action such as "admin.user.update"
	Method    string
	Route     string // the route pattern, e.g. "GET /api/v1/conversations/{id}"
	Status    int
	ClientIP  string
	UserAgent string
	RequestID string
	LatencyMS float64
	Target    string // the object an admin action touched, e.g. a user id
	Detail    string // small JSON document with extra facts; never a secret
}

// Filter selects entries, newest first.
type Filter struct {
	UserID string
	Action string
	Route  string
	Status int
	Since  *time.Time
	Until  *time.Time
	Limit  int
	Cursor string // opaque: the last ID seen
}

// Store persists audit entries.
type Store interface {
	InsertAudit(ctx context.Context, entries []Entry) error
	ListAudit(ctx context.Context, f Filter) (entries []Entry, nextCursor string, err error)
	// PruneAudit deletes entries older than before and returns how many.
	PruneAudit(ctx context.Context, before time.Time) (int64, error)
	CountAudit(ctx context.Context) (int64, error)
}
