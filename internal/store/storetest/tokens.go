package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

func testTokens(t *testing.T, o Opener) {
	t.Run("Refresh", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		u := newUser(t, s, "")
		in := account.RefreshToken{ID: "r1", UserID: u.ID, FamilyID: "f1", TokenHash: "hash1",
			ExpiresAt: t0.Add(720 * time.Hour), CreatedAt: t0, UserAgent: "curl/8", ClientIP: "192.0.2.1"}
		ok(t, s.CreateRefreshToken(ctx, in))
		ok(t, s.CreateRefreshToken(ctx, account.RefreshToken{ID: "r2", UserID: u.ID, FamilyID: "f1",
			TokenHash: "hash2", ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}))
		ok(t, s.CreateRefreshToken(ctx, account.RefreshToken{ID: "r3", UserID: u.ID, FamilyID: "f2",
			TokenHash: "hash3", ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}))
		wantCode(t, s.CreateRefreshToken(ctx, account.RefreshToken{UserID: u.ID, FamilyID: "f", TokenHash: "hash1",
			ExpiresAt: t0}), errs.Conflict)
		wantCode(t, s.CreateRefreshToken(ctx, account.RefreshToken{UserID: "ghost", FamilyID: "f", TokenHash: "h9",
			ExpiresAt: t0}), errs.NotFound)

		got, err := s.RefreshTokenByHash(ctx, "hash1")
		ok(t, err)
		want := in
		want.ExpiresAt, want.CreatedAt = us(in.ExpiresAt), us(t0)
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("RefreshTokenByHash (-want +got):\n%s", d)
		}
		_, err = s.RefreshTokenByHash(ctx, "nope")
		wantCode(t, err, errs.NotFound)

		used := t0.Add(time.Minute)
		ok(t, s.MarkRefreshTokenUsed(ctx, "r1", used))
		wantCode(t, s.MarkRefreshTokenUsed(ctx, "r1", used.Add(time.Second)), errs.Conflict)
		wantCode(t, s.MarkRefreshTokenUsed(ctx, "missing", used), errs.NotFound)
		got, err = s.RefreshTokenByHash(ctx, "hash1")
		ok(t, err)
		if got.UsedAt == nil || !got.UsedAt.Equal(us(used)) {
			t.Fatalf("UsedAt = %v, want the first use %v", got.UsedAt, us(used))
		}

		rev := t0.Add(2 * time.Minute)
		ok(t, s.RevokeRefreshFamily(ctx, "f1", rev))
		ok(t, s.RevokeRefreshFamily(ctx, "f1", rev.Add(time.Hour))) // keeps the first revocation
		for _, c := range []struct {
			hash    string
			revoked bool
		}{{"hash1", true}, {"hash2", true}, {"hash3", false}} {
			got, err := s.RefreshTokenByHash(ctx, c.hash)
			ok(t, err)
			if (got.RevokedAt != nil) != c.revoked || (c.revoked && !got.RevokedAt.Equal(us(rev))) {
				t.Fatalf("%s: RevokedAt = %v, want revoked=%v at %v", c.hash, got.RevokedAt, c.revoked, us(rev))
			}
		}
		ok(t, s.RevokeUserRefreshTokens(ctx, u.ID, rev))
		got, err = s.RefreshTokenByHash(ctx, "hash3")
		ok(t, err)
		if got.RevokedAt == nil {
			t.Fatal("RevokeUserRefreshTokens left hash3 active")
		}
	})

	t.Run("RefreshReuseRace", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		u := newUser(t, s, "")
		ok(t, s.CreateRefreshToken(ctx, account.RefreshToken{ID: "r", UserID: u.ID, FamilyID: "f", TokenHash: "h",
			ExpiresAt: t0.Add(time.Hour)}))
		const n = 10
		start := make(chan struct{})
		errc := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() { defer wg.Done(); <-start; errc <- s.MarkRefreshTokenUsed(ctx, "r", t0) }()
		}
		close(start)
		wg.Wait()
		close(errc)
		wins, conflicts := 0, 0
		for err := range errc {
			switch {
			case err == nil:
				wins++
			case errs.CodeOf(err) == errs.Conflict:
				conflicts++
			default:
				t.Fatalf("MarkRefreshTokenUsed: %v", err)
			}
		}
		if wins != 1 || conflicts != n-1 {
			t.Fatalf("%d successes, %d conflicts; want 1 and %d", wins, conflicts, n-1)
		}
	})

	t.Run("RevokeOtherSessions", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		u, other := newUser(t, s, ""), newUser(t, s, "")
		old := t0.Add(-time.Hour)
		for _, rt := range []account.RefreshToken{
			{ID: "k1", UserID: u.ID, FamilyID: "keep", TokenHash: "k1"},
			{ID: "k2", UserID: u.ID, FamilyID: "keep", TokenHash: "k2"},
			{ID: "o1", UserID: u.ID, FamilyID: "other", TokenHash: "o1"},
			{ID: "o2", UserID: u.ID, FamilyID: "other'; --", TokenHash: "o2"},
			{ID: "r1", UserID: u.ID, FamilyID: "gone", TokenHash: "r1"},
			{ID: "x1", UserID: other.ID, FamilyID: "theirs", TokenHash: "x1"},
		} {
			rt.ExpiresAt, rt.CreatedAt = t0.Add(time.Hour), t0
			ok(t, s.CreateRefreshToken(ctx, rt))
		}
		ok(t, s.RevokeRefreshFamily(ctx, "gone", old)) // an earlier revocation is kept
		rev := t0.Add(time.Minute)
		ok(t, s.RevokeUserRefreshTokensExcept(ctx, u.ID, "keep", rev))
		ok(t, s.RevokeUserRefreshTokensExcept(ctx, "ghost", "keep", rev)) // nothing to revoke is no error
		for hash, want := range map[string]*time.Time{"k1": nil, "k2": nil, "o1": ptr(us(rev)), "o2": ptr(us(rev)),
			"r1": ptr(us(old)), "x1": nil} {
			got, err := s.RefreshTokenByHash(ctx, hash)
			ok(t, err)
			if d := cmp.Diff(want, got.RevokedAt); d != "" {
				t.Errorf("%s: RevokedAt (-want +got):\n%s", hash, d)
			}
		}
	})

	// A family's revocation is checked when a token is used: a token inserted
	// after the revocation's update (a refresh that raced it) is revoked too.
	t.Run("FamilyRevocationAtUse", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		u := newUser(t, s, "")
		mk := func(id, fam string) {
			ok(t, s.CreateRefreshToken(ctx, account.RefreshToken{ID: id, UserID: u.ID, FamilyID: fam, TokenHash: id,
				ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}))
		}
		mk("a1", "fa")
		mk("b1", "fb")
		for fam, want := range map[string]bool{"fa": false, "fb": false, "none": true} {
			got, err := s.RefreshFamilyRevoked(ctx, fam)
			ok(t, err)
			if got != want {
				t.Errorf("RefreshFamilyRevoked(%s) = %v, want %v", fam, got, want)
			}
		}
		rev := t0.Add(time.Minute)
		ok(t, s.RevokeRefreshFamily(ctx, "fa", rev))
		mk("a2", "fa") // the racing winner's insert, after the revocation
		got, err := s.RefreshTokenByHash(ctx, "a2")
		ok(t, err)
		if d := cmp.Diff(ptr(us(rev)), got.RevokedAt); d != "" {
			t.Errorf("token inserted after its family's revocation: RevokedAt (-want +got):\n%s", d)
		}
		for fam, want := range map[string]bool{"fa": true, "fb": false} {
			got, err := s.RefreshFamilyRevoked(ctx, fam)
			ok(t, err)
			if got != want {
				t.Errorf("after revoking fa: RefreshFamilyRevoked(%s) = %v, want %v", fam, got, want)
			}
		}
		fams, err := s.UserRefreshFamilies(ctx, u.ID, t0)
		ok(t, err)
		slices.Sort(fams)
		if d := cmp.Diff([]string{"fa", "fb"}, fams); d != "" {
			t.Errorf("UserRefreshFamilies (-want +got):\n%s", d)
		}
		fams, err = s.UserRefreshFamilies(ctx, u.ID, t0.Add(2*time.Hour))
		ok(t, err)
		if len(fams) != 0 {
			t.Errorf("UserRefreshFamilies after every token expired: %v", fams)
		}
	})

	t.Run("TokensValidAfterAndPasswordHash", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		u := newUser(t, s, "")
		if u.TokensValidAfter != nil {
			t.Fatalf("new user: TokensValidAfter %v", u.TokensValidAfter)
		}
		at := t0.Add(time.Minute)
		upd, err := s.UpdateUser(ctx, u.ID, account.UserUpdate{TokensValidAfter: &at})
		ok(t, err)
		got, err := s.UserByID(ctx, u.ID)
		ok(t, err)
		for what, v := range map[string]*time.Time{"UpdateUser": upd.TokensValidAfter, "UserByID": got.TokensValidAfter} {
			if d := cmp.Diff(ptr(us(at)), v); d != "" {
				t.Errorf("%s: TokensValidAfter (-want +got):\n%s", what, d)
			}
		}
		h, err := s.UserPasswordHash(ctx, u.ID)
		ok(t, err)
		if h != "h" {
			t.Errorf("UserPasswordHash = %q, want h", h)
		}
		_, err = s.UserPasswordHash(ctx, "ghost")
		wantCode(t, err, errs.NotFound)
	})

	t.Run("APITokens", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		a, b := newUser(t, s, ""), newUser(t, s, "")
		exp := t0.Add(30 * 24 * time.Hour)
		in := account.APIToken{ID: "t1", UserID: a.ID, Name: "laptop", Prefix: "pk_abcd", TokenHash: "th1",
			CreatedAt: t0, ExpiresAt: &exp}
		ok(t, s.CreateAPIToken(ctx, in, 0))
		ok(t, s.CreateAPIToken(ctx, account.APIToken{ID: "t2", UserID: a.ID, Name: "ci", Prefix: "pk_efgh",
			TokenHash: "th2", CreatedAt: t0.Add(time.Second)}, 0))
		ok(t, s.CreateAPIToken(ctx, account.APIToken{ID: "t3", UserID: b.ID, Name: "b", Prefix: "pk_b",
			TokenHash: "th3", CreatedAt: t0}, 0))
		wantCode(t, s.CreateAPIToken(ctx, account.APIToken{UserID: a.ID, Name: "dup", TokenHash: "th1"}, 0), errs.Conflict)
		wantCode(t, s.CreateAPIToken(ctx, account.APIToken{UserID: "ghost", Name: "x", TokenHash: "th9"}, 0), errs.NotFound)

		got, err := s.APITokenByHash(ctx, "th1")
		ok(t, err)
		want := in
		want.CreatedAt, want.ExpiresAt = us(t0), ptr(us(exp))
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("APITokenByHash (-want +got):\n%s", d)
		}
		_, err = s.APITokenByHash(ctx, "nope")
		wantCode(t, err, errs.NotFound)

		list, err := s.ListAPITokens(ctx, a.ID)
		ok(t, err)
		if len(list) != 2 || list[0].ID != "t2" || list[1].ID != "t1" {
			t.Fatalf("ListAPITokens(a) = %+v, want t2, t1", list)
		}
		list, err = s.ListAPITokens(ctx, "nobody")
		ok(t, err)
		if list == nil || len(list) != 0 {
			t.Fatalf("ListAPITokens(nobody) = %#v, want empty, non-nil", list)
		}

		wantCode(t, s.RevokeAPIToken(ctx, b.ID, "t1", t0), errs.NotFound) // not b's
		ok(t, s.RevokeAPIToken(ctx, a.ID, "t1", t0.Add(time.Hour)))
		ok(t, s.RevokeAPIToken(ctx, a.ID, "t1", t0.Add(2*time.Hour)))
		ok(t, s.TouchAPIToken(ctx, "t1", t0.Add(3*time.Hour)))
		wantCode(t, s.TouchAPIToken(ctx, "missing", t0), errs.NotFound)
		got, err = s.APITokenByHash(ctx, "th1")
		ok(t, err)
		if got.RevokedAt == nil || !got.RevokedAt.Equal(us(t0.Add(time.Hour))) ||
			got.LastUsedAt == nil || !got.LastUsedAt.Equal(us(t0.Add(3*time.Hour))) {
			t.Fatalf("after revoke and touch: %+v", got)
		}
		other, err := s.APITokenByHash(ctx, "th3")
		ok(t, err)
		if other.RevokedAt != nil {
			t.Fatal("revoking a's token touched b's")
		}
	})
}

func ptr[T any](v T) *T { return &v }
