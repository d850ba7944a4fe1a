package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
)

func testUsers(t *testing.T, o Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		quota := int64(5000)
		in := account.User{ID: "u-1", Email: "Ada@Example.COM", Name: "Ada", PasswordHash: "$argon2id$x",
			Disabled: true, DailyTokenQuota: &quota, CreatedAt: t0, UpdatedAt: t0.Add(time.Second)}
		got, err := s.CreateUser(ctx, in, account.CreateOptions{})
		ok(t, err)
		want := in
		want.Email, want.Role = "ada@example.com", account.RoleUser
		want.CreatedAt, want.UpdatedAt = us(t0), us(t0.Add(time.Second))
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("CreateUser (-want +got):\n%s", d)
		}
		for _, f := range []func() (account.User, error){
			func() (account.User, error) { return s.UserByID(ctx, "u-1") },
			func() (account.User, error) { return s.UserByEmail(ctx, "ADA@example.com") },
		} {
			got, err := f()
			ok(t, err)
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("lookup (-want +got):\n%s", d)
			}
		}
		_, err = s.UserByID(ctx, "nope")
		wantCode(t, err, errs.NotFound)
		_, err = s.UserByEmail(ctx, "nope@example.com")
		wantCode(t, err, errs.NotFound)

		_, err = s.CreateUser(ctx, account.User{Email: "ADA@example.com"}, account.CreateOptions{})
		wantCode(t, err, errs.Conflict)
		if e, _ := errs.As(err); e.Message != "email already registered" {
			t.Fatalf("conflict message = %q", e.Message)
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 1 {
			t.Fatalf("CountUsers = %d, %v; want 1", n, err)
		}
	})

	t.Run("FirstAdmin", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		a, err := s.CreateUser(ctx, account.User{Email: "a@x.io"}, account.CreateOptions{FirstAdmin: true})
		ok(t, err)
		b, err := s.CreateUser(ctx, account.User{Email: "b@x.io"}, account.CreateOptions{FirstAdmin: true})
		ok(t, err)
		if a.Role != account.RoleAdmin || b.Role != account.RoleUser {
			t.Fatalf("roles = %s, %s; want admin, user", a.Role, b.Role)
		}
		s2 := o.migrated(t)
		c, err := s2.CreateUser(ctx, account.User{Email: "c@x.io"}, account.CreateOptions{})
		ok(t, err)
		if c.Role != account.RoleUser {
			t.Fatalf("first user without FirstAdmin: role %s, want user", c.Role)
		}
	})

	t.Run("FirstAdminRace", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		const n = 8
		start := make(chan struct{})
		var wg sync.WaitGroup
		errc := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := s.CreateUser(ctx, account.User{Email: fmt.Sprintf("racer%d@x.io", i)},
					account.CreateOptions{FirstAdmin: true})
				errc <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errc)
		for err := range errc {
			ok(t, err)
		}
		admins := 0
		users, _, err := s.ListUsers(ctx, account.ListUsersParams{Limit: 100})
		ok(t, err)
		for _, u := range users {
			if u.IsAdmin() {
				admins++
			}
		}
		if len(users) != n || admins != 1 {
			t.Fatalf("%d users, %d admins; want %d users, exactly 1 admin", len(users), admins, n)
		}
	})

	t.Run("Invite", func(t *testing.T) { testInvite(t, o.migrated(t)) })

	t.Run("Update", func(t *testing.T) {
		ctx := t.Context()
		s := o.migrated(t)
		u := newUser(t, s, "")
		name, hash, role, dis, q := "New", "h2", account.RoleAdmin, true, int64(7)
		qp := &q
		got, err := s.UpdateUser(ctx, u.ID, account.UserUpdate{Name: &name, PasswordHash: &hash, Role: &role,
			Disabled: &dis, DailyTokenQuota: &qp})
		ok(t, err)
		if got.Name != name || got.PasswordHash != hash || got.Role != role || !got.Disabled ||
			got.DailyTokenQuota == nil || *got.DailyTokenQuota != 7 || !got.UpdatedAt.After(u.UpdatedAt) {
			t.Fatalf("UpdateUser = %+v", got)
		}
		var none *int64
		got, err = s.UpdateUser(ctx, u.ID, account.UserUpdate{DailyTokenQuota: &none})
		ok(t, err)
		if got.DailyTokenQuota != nil || got.Name != name {
			t.Fatalf("clearing quota: %+v", got)
		}
		again, err := s.UserByID(ctx, u.ID)
		ok(t, err)
		if d := cmp.Diff(got, again); d != "" {
			t.Fatalf("UserByID after update (-returned +read):\n%s", d)
		}
		_, err = s.UpdateUser(ctx, "missing", account.UserUpdate{Name: &name})
		wantCode(t, err, errs.NotFound)
		bad := "superuser"
		_, err = s.UpdateUser(ctx, u.ID, account.UserUpdate{Role: &bad})
		wantField(t, err, "role")
		neg := ptr(int64(-1))
		_, err = s.UpdateUser(ctx, u.ID, account.UserUpdate{DailyTokenQuota: &neg})
		wantField(t, err, "daily_token_quota")
		_, err = s.CreateUser(ctx, account.User{Email: "root@x.io", Role: "root"}, account.CreateOptions{})
		wantField(t, err, "role")
	})

	t.Run("List", func(t *testing.T) { testListUsers(t, o.migrated(t)) })
}

func testInvite(t *testing.T, s store.Store) {
	ctx := t.Context()
	admin := newUser(t, s, "")
	ok(t, s.CreateInvite(ctx, account.Invite{ID: "i1", CodeHash: "code1", CreatedBy: admin.ID,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	ok(t, s.CreateInvite(ctx, account.Invite{ID: "i2", CodeHash: "code2", Email: "Only@X.io",
		CreatedAt: t0.Add(time.Second), ExpiresAt: t0.Add(time.Hour)}))
	ok(t, s.CreateInvite(ctx, account.Invite{ID: "i3", CodeHash: "old",
		CreatedAt: t0.Add(2 * time.Second), ExpiresAt: t0.Add(-time.Second)}))
	wantCode(t, s.CreateInvite(ctx, account.Invite{CodeHash: "code1", ExpiresAt: t0}), errs.Conflict)
	wantCode(t, s.CreateInvite(ctx, account.Invite{CodeHash: "c9", CreatedBy: "ghost", ExpiresAt: t0}), errs.NotFound)

	at := t0.Add(time.Minute)
	mk := func(email, hash string) (account.User, error) {
		return s.CreateUser(ctx, account.User{Email: email, CreatedAt: at}, account.CreateOptions{InviteHash: hash})
	}
	u, err := mk("guest@x.io", "code1")
	ok(t, err)
	for _, c := range []struct{ email, hash string }{
		{"again@x.io", "code1"},  // used
		{"other@x.io", "code2"},  // bound to another email
		{"late@x.io", "old"},     // expired
		{"ghost@x.io", "absent"}, // no such invite
	} {
		_, err := mk(c.email, c.hash)
		wantCode(t, err, errs.NotFound)
		if e, _ := errs.As(err); e.Message != "invite" {
			t.Fatalf("invite %s: message %q, want \"invite\"", c.hash, e.Message)
		}
		if _, err := s.UserByEmail(ctx, c.email); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("refused invite %s still created user %s (err %v)", c.hash, c.email, err)
		}
	}
	bound, err := mk("only@x.io", "code2")
	ok(t, err)

	invs, err := s.ListInvites(ctx)
	ok(t, err)
	atp := us(at)
	want := []account.Invite{
		{ID: "i3", CodeHash: "old", CreatedAt: us(t0.Add(2 * time.Second)), ExpiresAt: us(t0.Add(-time.Second))},
		{ID: "i2", CodeHash: "code2", Email: "only@x.io", CreatedAt: us(t0.Add(time.Second)),
			ExpiresAt: us(t0.Add(time.Hour)), UsedAt: &atp, UsedBy: bound.ID},
		{ID: "i1", CodeHash: "code1", CreatedBy: admin.ID, CreatedAt: us(t0), ExpiresAt: us(t0.Add(time.Hour)),
			UsedAt: &atp, UsedBy: u.ID},
	}
	if d := cmp.Diff(want, invs); d != "" {
		t.Fatalf("ListInvites (-want +got):\n%s", d)
	}
}

func testListUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	// 105 users sharing one timestamp: ties must still page stably.
	var all []string
	for i := range 105 {
		name := fmt.Sprintf("Person %03d", i)
		if i%10 == 0 {
			name = "Zoë Searchable " + name
		}
		u, err := s.CreateUser(ctx, account.User{ID: fmt.Sprintf("id-%03d", i), Email: fmt.Sprintf("p%03d@x.io", i),
			Name: name, CreatedAt: t0}, account.CreateOptions{})
		ok(t, err)
		all = append([]string{u.ID}, all...) // newest first = id descending on ties
	}
	var got []string
	cursor := ""
	pages := 0
	for {
		page, next, err := s.ListUsers(ctx, account.ListUsersParams{Limit: 30, Cursor: cursor})
		ok(t, err)
		for _, u := range page {
			got = append(got, u.ID)
		}
		pages++
		if next == "" {
			break
		}
		cursor = next
	}
	if d := cmp.Diff(all, got); d != "" || pages != 4 {
		t.Fatalf("paging %d pages (-want +got):\n%s", pages, d)
	}
	for _, c := range []struct {
		limit, want int
	}{{0, 20}, {-5, 20}, {7, 7}, {1000, 100}} {
		page, next, err := s.ListUsers(ctx, account.ListUsersParams{Limit: c.limit})
		ok(t, err)
		if len(page) != c.want || next == "" {
			t.Fatalf("Limit %d: %d users (next %q), want %d", c.limit, len(page), next, c.want)
		}
	}
	for _, q := range []string{"zoË SEARCH", "searchable", "P010@X"} {
		page, _, err := s.ListUsers(ctx, account.ListUsersParams{Query: q, Limit: 100})
		ok(t, err)
		want := 11
		if strings.Contains(q, "@") {
			want = 1
		}
		if len(page) != want {
			t.Fatalf("Query %q: %d users, want %d", q, len(page), want)
		}
	}
	_, _, err := s.ListUsers(ctx, account.ListUsersParams{Cursor: "not a cursor!"})
	wantCode(t, err, errs.Invalid)
	if n, err := s.CountUsers(ctx); err != nil || n != 105 {
		t.Fatalf("CountUsers = %d, %v", n, err)
	}
}
