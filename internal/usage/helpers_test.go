package usage_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/usage"
)

// backend is a real store under test.
type backend struct {
	name     string
	store    usage.Store
	accounts account.Store
}

// backends opens each real storage engine, migrated and empty: an SQLite
// file and a fresh PostgreSQL database.
func backends(t *testing.T) []backend {
	t.Helper()
	var out []backend
	for _, c := range []struct{ name, url string }{
		{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "parley.db")},
		{"postgres", testenv.NewPostgresDB(t)},
	} {
		st := openStore(t, c.url)
		out = append(out, backend{name: c.name, store: st, accounts: st})
	}
	return out
}

func openStore(t *testing.T, url string) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := store.MigrateAuto(ctx, st); err != nil {
		t.Fatal(err)
	}
	return st
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
