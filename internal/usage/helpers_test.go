package usage_test

import (
	"context"
	"testing"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/store/storetest"
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
	for _, engine := range storetest.Engines {
		st := storetest.Open(t, engine)
		out = append(out, backend{name: engine, store: st, accounts: st})
	}
	return out
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

func ptr[T any](v T) *T { return &v }
