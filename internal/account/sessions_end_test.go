package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/cache"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// replicas returns two account services over one database, each with its
// own cache on one Redis, as two parley replicas run in production.
func replicas(t *testing.T, st account.Store) (a, b *account.Service) {
	t.Helper()
	client, prefix := testenv.Redis(t)
	mk := func() *account.Service {
		c, err := cache.New(context.Background(), cache.Options{Redis: client, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return sessionService(t, cache.NewAccountStore(st, c))
	}
	return mk(), mk()
}

// TestSessionsEnd: an access token stops working, on the other replica at
// once, when its session logs out, when the password changes (every other
// session), and when the user is disabled; re-enabling the user revives
// none of the access or API tokens they held.
func TestSessionsEnd(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		a, b := replicas(t, st)
		const email, pw = "sessions@example.com", "correct horse battery"
		admin, err := a.Register(ctx, account.RegisterInput{Email: "admin@example.com", Password: pw}, account.Client{})
		if err != nil {
			t.Fatal(err)
		}
		s1, err := a.Register(ctx, account.RegisterInput{Email: email, Password: pw}, account.Client{})
		if err != nil {
			t.Fatal(err)
		}
		login := func() account.Session {
			t.Helper()
			s, err := a.Login(ctx, email, pw, account.Client{IP: "192.0.2.1"})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		s2, s3 := login(), login()
		works := func(what string, s account.Session, want bool) {
			t.Helper()
			_, err := b.AuthenticateSession(ctx, s.AccessToken) // the other replica
			if got := err == nil; got != want {
				t.Errorf("%s: access token accepted = %v (%v), want %v", what, got, err, want)
			}
		}
		for _, s := range []account.Session{s1, s2, s3} {
			works("before", s, true) // cached on B
		}

		if err := a.Logout(ctx, s1.RefreshToken); err != nil {
			t.Fatal(err)
		}
		works("after its logout", s1, false)
		works("another session after a logout", s2, true)

		newPW := "brand-new-password"
		if _, err := a.UpdateMe(ctx, s1.User.ID, account.MeUpdate{Password: &newPW, CurrentPassword: ptr(pw),
			RefreshToken: &s2.RefreshToken}); err != nil {
			t.Fatal(err)
		}
		works("another session after a password change", s3, false)
		works("the session that changed the password", s2, true)

		_, apiTok, err := a.CreateAPIToken(ctx, s1.User.ID, account.NewAPIToken{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.AuthenticateAPIToken(ctx, apiTok); err != nil {
			t.Fatalf("api token: %v", err)
		}
		yes, no := true, false
		if _, err := a.AdminUpdateUser(ctx, admin.User.ID, s1.User.ID, account.AdminUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		works("after the user is disabled", s2, false)
		if _, err := a.AdminUpdateUser(ctx, admin.User.ID, s1.User.ID, account.AdminUpdate{Disabled: &no}); err != nil {
			t.Fatal(err)
		}
		works("after the user is re-enabled", s2, false)
		if _, _, err := b.AuthenticateAPIToken(ctx, apiTok); err == nil {
			t.Error("re-enabling the user revived their API token")
		}
		if toks, err := a.APITokens(ctx, s1.User.ID); err != nil || len(toks) != 0 {
			t.Errorf("tokens listed after re-enabling: %d %v", len(toks), err)
		}
		if _, err := b.Refresh(ctx, s2.RefreshToken, account.Client{}); err == nil {
			t.Error("re-enabling the user revived their refresh token")
		}

		// What the user does afresh works.
		fresh, err := a.Login(ctx, email, newPW, account.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		works("a login after re-enabling", fresh, true)
		_, apiTok, err = a.CreateAPIToken(ctx, s1.User.ID, account.NewAPIToken{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.AuthenticateAPIToken(ctx, apiTok); err != nil {
			t.Errorf("a new api token after re-enabling: %v", err)
		}
	})
}

// TestCachedUserHasNoPasswordHash: a user looked up through the Redis cache
// is stored there without their password hash, and login and password
// change, which need the hash, still work through the cached store.
func TestCachedUserHasNoPasswordHash(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		client, prefix := testenv.Redis(t)
		c, err := cache.New(ctx, cache.Options{Redis: client, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		cached := cache.NewAccountStore(st, c)
		svc := sessionService(t, cached)
		const email, pw = "hash@example.com", "correct horse battery"
		s, err := svc.Register(ctx, account.RegisterInput{Email: email, Password: pw}, account.Client{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateSession(ctx, s.AccessToken); err != nil { // a cached user lookup
			t.Fatal(err)
		}
		hash, err := st.UserPasswordHash(ctx, s.User.ID)
		if err != nil || !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("stored hash %q %v", hash, err)
		}
		keys, err := client.Keys(ctx, prefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		userValues := 0
		for _, k := range keys {
			v, err := client.Get(ctx, k).Result()
			if err != nil {
				continue // not a string value
			}
			if strings.Contains(k, s.User.ID) && strings.Contains(v, email) {
				userValues++
			}
			if strings.Contains(v, hash) || strings.Contains(v, "argon2") {
				t.Errorf("Redis key %s holds the password hash: %s", k, v)
			}
		}
		if userValues == 0 {
			t.Fatalf("no cached user in Redis under %s (keys %v)", prefix, keys)
		}
		if u, err := cached.UserByID(ctx, s.User.ID); err != nil || u.PasswordHash != "" {
			t.Errorf("cached user carries a hash: %q %v", u.PasswordHash, err)
		}

		newPW := "brand-new-password"
		if _, err := svc.UpdateMe(ctx, s.User.ID, account.MeUpdate{Password: &newPW, CurrentPassword: ptr(pw)}); err != nil {
			t.Fatalf("password change through the cached store: %v", err)
		}
		if _, err := svc.Login(ctx, email, newPW, account.Client{IP: "192.0.2.2"}); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
		if _, err := svc.Login(ctx, email, pw, account.Client{IP: "192.0.2.2"}); err == nil {
			t.Fatal("the old password still logs in")
		}
	})
}

func ptr[T any](v T) *T { return &v }
