package migrate

import (
	"context"
	"database/sql"
	"fmt"
)

// AdvisoryLockKey is the pg_advisory_lock key parley's migrations hold.
const AdvisoryLockKey int64 = 0x7061726c6579 // "parley"

// PostgresLock is a goose session locker on pg_advisory_lock: it blocks
// (honouring ctx) until no other session migrates the database.
type PostgresLock struct{}

// SessionLock takes the advisory lock on conn.
func (PostgresLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", AdvisoryLockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	return nil
}

// SessionUnlock releases the advisory lock on conn.
func (PostgresLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", AdvisoryLockKey); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}
