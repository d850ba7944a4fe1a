package usage_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/store/sqlite"
	"github.com/parley-chat/parley/internal/usage"
)

// backend is a real store under test.
type backend struct {
	name     string
	store    usage.Store
	accounts account.Store
}

// backends opens each real storage engine, migrated and empty.
func backends(t *testing.T) []backend {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrator().Up(ctx); err != nil {
		t.Fatal(err)
	}
	return []backend{{name: "sqlite", store: st, accounts: st}}
}

// newUser stores a user with an optional quota override.
func newUser(t *testing.T, st account.Store, email string, quota *int64) account.User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), account.User{
		Email: email, Name: "U", PasswordHash: "x", Role: account.RoleUser, DailyTokenQuota: quota,
	}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// clock is a settable clock for the recorder.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func ptr[T any](v T) *T { return &v }
