package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

func TestRegisterLoginMe(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		first := e.Register("  Alice@Example.COM ")
		if first.User.Role != "admin" || first.User.Email != "alice@example.com" || first.TokenType != "Bearer" || first.ExpiresIn != 900 {
			t.Fatalf("first user = %+v", first)
		}
		if first.AccessToken == "" || first.RefreshToken == "" {
			t.Fatal("missing tokens")
		}
		second := e.Register("bob@example.com")
		if second.User.Role != "user" {
			t.Fatalf("second user role %q, want user", second.User.Role)
		}
		// The same email, any case, is taken.
		p := e.Want(e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": "ALICE@example.com", "password": "another-pass"}), 409).Problem(t)
		if p.Code != "conflict" || len(p.Errors) != 1 || p.Errors[0].Field != "email" {
			t.Errorf("taken email problem = %+v", p)
		}

		var login httpapi.AuthJSON
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "alice@EXAMPLE.com", "password": apitest.Password}), 200).Decode(t, &login)
		if login.User.ID != first.User.ID {
			t.Errorf("login user %s, want %s", login.User.ID, first.User.ID)
		}
		var me httpapi.UserJSON
		e.Want(e.Call("GET", "/api/v1/me", login.AccessToken, nil), 200).Decode(t, &me)
		if me.ID != first.User.ID || me.Name != "Test   Alice@Example.COM" && me.Name == "" {
			t.Errorf("me = %+v", me)
		}
		if strings.Contains(string(e.Call("GET", "/api/v1/me", login.AccessToken, nil).Body), "argon2") {
			t.Error("password hash leaked")
		}
	})
}

func TestFirstAdminRace(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		const n = 6
		roles := make(chan string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := e.Call("POST", "/api/v1/auth/register", "", map[string]string{
					"email": "racer" + string(rune('a'+i)) + "@example.com", "password": apitest.Password})
				var a httpapi.AuthJSON
				if res.Status == 201 {
					res.Decode(t, &a)
				}
				roles <- a.User.Role
			}()
		}
		wg.Wait()
		close(roles)
		admins := 0
		for r := range roles {
			if r == "admin" {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("%d admins among %d racing first sign-ups, want 1", admins, n)
		}
	})
}

func TestLoginFailuresAreUniform(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		e.Register("carol@example.com")
		wrongPw := e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "carol@example.com", "password": "wrong-password"}), 401).Problem(t)
		unknown := e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "nobody@example.com", "password": "wrong-password"}), 401).Problem(t)
		if wrongPw.Detail != unknown.Detail || wrongPw.Code != "unauthorized" {
			t.Errorf("wrong password %q vs unknown email %q: must not differ", wrongPw.Detail, unknown.Detail)
		}
		if strings.Contains(e.Logs.String(), "wrong-password") {
			t.Error("a password reached the log")
		}
	})
}

func TestLoginSlowdown(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		clock := testkit.NewClock(time.Now())
		e := apitest.Start(t, st, apitest.Options{Clock: clock})
		e.Register("dave@example.com")
		bad := map[string]string{"email": "dave@example.com", "password": "not-his-password"}
		for i := range account.DefaultThrottlePolicy.Free {
			e.Want(e.Call("POST", "/api/v1/auth/login", "", bad), 401)
			_ = i
		}
		// The next failure starts the back-off: further attempts, even with
		// the right password, are refused with Retry-After until it passes.
		e.Want(e.Call("POST", "/api/v1/auth/login", "", bad), 401)
		good := map[string]string{"email": "dave@example.com", "password": apitest.Password}
		res := e.Want(e.Call("POST", "/api/v1/auth/login", "", good), 429)
		p := res.Problem(t)
		if p.Code != "rate_limited" || p.RetryAfter < 1 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("throttled login: %+v, Retry-After %q", p, res.Header.Get("Retry-After"))
		}
		// Another account from the same address is not blocked yet.
		e.Register("erin@example.com")
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "erin@example.com", "password": apitest.Password}), 200)

		clock.Advance(time.Duration(p.RetryAfter) * time.Second)
		e.Want(e.Call("POST", "/api/v1/auth/login", "", good), 200)
		// Success resets the account's count.
		e.Want(e.Call("POST", "/api/v1/auth/login", "", bad), 401)
		e.Want(e.Call("POST", "/api/v1/auth/login", "", good), 200)
	})
}

func TestLoginSlowdownPerAddress(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	e := apitest.Start(t, storetest.Open(t, "sqlite"), apitest.Options{Clock: clock,
		AddressThrottle: account.NewMemoryThrottle(account.ThrottlePolicy{Free: 3, Base: time.Minute, Max: time.Hour, Window: time.Hour}, clock.Now)})
	e.Register("frank@example.com")
	// A spray over many accounts from one address trips the address limit.
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com"} {
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "guess-guess"}), 401)
	}
	res := e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "frank@example.com", "password": apitest.Password}), 429)
	if got := res.Header.Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After %q, want 60", got)
	}
}

func TestSignupPolicies(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		t.Run("closed", func(t *testing.T) {
			e := apitest.Start(t, storetest.Open(t, st.Engine()), apitest.Options{Signup: account.SignupClosed})
			p := e.Want(e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": "x@example.com", "password": apitest.Password}), 403).Problem(t)
			if p.Code != "forbidden" {
				t.Errorf("closed sign-up: %+v", p)
			}
		})
		t.Run("invite", func(t *testing.T) {
			e := apitest.Start(t, st, apitest.Options{Signup: account.SignupInvite})
			admin, err := e.Accounts.CreateUser(t.Context(), "root@example.com", "Root", apitest.Password, true)
			if err != nil {
				t.Fatal(err)
			}
			var login httpapi.AuthJSON
			e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": admin.Email, "password": apitest.Password}), 200).Decode(t, &login)

			reg := func(email, code string) *apitest.Response {
				return e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": email, "password": apitest.Password, "invite_code": code})
			}
			p := e.Want(reg("guest@example.com", ""), 422).Problem(t)
			if p.Errors[0].Field != "invite_code" {
				t.Errorf("no code: %+v", p)
			}
			e.Want(reg("guest@example.com", "made-up-code"), 422)

			var inv httpapi.InviteJSON
			e.Want(e.Call("POST", "/api/v1/admin/invites", login.AccessToken, map[string]string{}), 201).Decode(t, &inv)
			if inv.Code == "" {
				t.Fatal("invite without code")
			}
			e.Want(reg("guest@example.com", inv.Code), 201)
			e.Want(reg("guest2@example.com", inv.Code), 422) // single use

			var bound httpapi.InviteJSON
			e.Want(e.Call("POST", "/api/v1/admin/invites", login.AccessToken, map[string]string{"email": "Vip@example.com"}), 201).Decode(t, &bound)
			e.Want(reg("other@example.com", bound.Code), 422)
			e.Want(reg("vip@example.com", bound.Code), 201)

			var list httpapi.List[httpapi.InviteJSON]
			e.Want(e.Call("GET", "/api/v1/admin/invites", login.AccessToken, nil), 200).Decode(t, &list)
			if len(list.Data) != 2 || list.Data[0].Code != "" {
				t.Errorf("invite list = %+v", list.Data)
			}
		})
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		a := e.Register("gina@example.com")
		refresh := func(tok string) *apitest.Response {
			return e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok})
		}
		var r1 httpapi.AuthJSON
		e.Want(refresh(a.RefreshToken), 200).Decode(t, &r1)
		if r1.RefreshToken == a.RefreshToken || r1.AccessToken == "" {
			t.Fatal("refresh did not rotate the token")
		}
		e.Want(e.Call("GET", "/api/v1/me", r1.AccessToken, nil), 200)

		// Another login is another family and survives the theft below.
		var other httpapi.AuthJSON
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "gina@example.com", "password": apitest.Password}), 200).Decode(t, &other)

		// Replaying the first token: stolen-token detection revokes its family,
		// including the newest token.
		p := e.Want(refresh(a.RefreshToken), 401).Problem(t)
		if !strings.Contains(p.Detail, "already used") {
			t.Errorf("reuse detail %q", p.Detail)
		}
		e.Want(refresh(r1.RefreshToken), 401)
		e.Want(refresh(other.RefreshToken), 200)
		e.Want(refresh("no-such-token"), 401)
		e.Want(refresh(""), 401)
	})
}

// TestConcurrentRefresh: two clients racing with one refresh token never
// both get a session; the race is treated as reuse.
func TestConcurrentRefresh(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		a := e.Register("race@example.com")
		const n = 5
		codes := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}).Status
			}()
		}
		wg.Wait()
		close(codes)
		ok := 0
		for c := range codes {
			switch c {
			case 200:
				ok++
			case 401:
			default:
				t.Errorf("status %d", c)
			}
		}
		if ok > 1 {
			t.Fatalf("%d concurrent refreshes of one token succeeded", ok)
		}
	})
}

func TestRefreshExpiryAndLogout(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		clock := testkit.NewClock(time.Now())
		e := apitest.Start(t, st, apitest.Options{Clock: clock, RefreshTTL: time.Hour, AccessTTL: time.Minute})
		a := e.Register("hank@example.com")
		clock.Advance(time.Hour + time.Second)
		p := e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}), 401).Problem(t)
		if p.Detail != "refresh token expired" {
			t.Errorf("expired refresh: %q", p.Detail)
		}
		p = e.Want(e.Call("GET", "/api/v1/me", a.AccessToken, nil), 401).Problem(t)
		if p.Detail != "access token expired" {
			t.Errorf("expired access token: %q", p.Detail)
		}

		var b httpapi.AuthJSON
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "hank@example.com", "password": apitest.Password}), 200).Decode(t, &b)
		e.Want(e.Call("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": b.RefreshToken}), http.StatusNoContent)
		e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": b.RefreshToken}), 401)
		// Logging out twice, or with an unknown token, still succeeds.
		e.Want(e.Call("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": b.RefreshToken}), http.StatusNoContent)
		e.Want(e.Call("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": "unknown"}), http.StatusNoContent)
		e.Want(e.Call("POST", "/api/v1/auth/logout", "", map[string]string{}), 422)
	})
}
