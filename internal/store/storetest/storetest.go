// Package storetest is the conformance suite every parley storage backend
// must pass, so SQLite and PostgreSQL behave the same to their callers.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
)

// Opener returns a store on a fresh, empty, unmigrated database that lives
// until the test ends.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite against the backend open returns. Every subtest
// gets its own database.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	o := Opener(open)
	t.Run("Migrations", func(t *testing.T) { testMigrations(t, o) })
	t.Run("Users", func(t *testing.T) { testUsers(t, o) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, o) })
	t.Run("Chat", func(t *testing.T) { testChat(t, o) })
	t.Run("Usage", func(t *testing.T) { testUsage(t, o) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, o) })
	t.Run("Incidents", func(t *testing.T) { testIncidents(t, o) })
	t.Run("Hostile", func(t *testing.T) { testHostile(t, o) })
}

// migrated opens a fresh store and migrates it.
func (o Opener) migrated(t *testing.T) store.Store {
	t.Helper()
	s := o(t)
	if err := store.MigrateAuto(t.Context(), s); err != nil {
		t.Fatalf("MigrateAuto: %v", err)
	}
	return s
}

// Execer is implemented by both backends: a raw statement on the primary,
// which the suite needs to fake a newer schema.
type Execer interface {
	Exec(ctx context.Context, query string, args ...any) error
}

// t0 has nanoseconds on purpose: stores keep microseconds.
var t0 = time.Date(2026, 11, 25, 10, 30, 15, 123456789, time.UTC)

// us is t truncated as the stores keep it.
func us(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want code %s", code)
	}
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("err = %v (code %s), want code %s", err, got, code)
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func newUser(t *testing.T, s store.Store, email string) account.User {
	t.Helper()
	if email == "" {
		email = fmt.Sprintf("user-%s@example.com", uuid.NewString())
	}
	u, err := s.CreateUser(t.Context(), account.User{Email: email, Name: "N", PasswordHash: "h",
		CreatedAt: t0}, account.CreateOptions{})
	ok(t, err)
	return u
}

func testCancel(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.UserByEmail(ctx, "x@example.com"); !errors.Is(err, context.Canceled) {
		t.Errorf("read with cancelled ctx: err = %v, want context.Canceled", err)
	}
	if _, err := s.CreateUser(ctx, account.User{Email: "c@example.com"}, account.CreateOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("write with cancelled ctx: err = %v, want context.Canceled", err)
	}
}
