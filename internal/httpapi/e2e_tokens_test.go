package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

func seg(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestAccessTokenAttacks(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		e.Register("root@example.com")
		tok, a := e.NewUser()
		parts := strings.Split(tok, ".")
		kid := auth.KeyID(apitest.DefaultSecret)
		now := e.Clock.Now()
		real, err := e.Tokens.Verify(tok)
		if err != nil {
			t.Fatal(err)
		}
		claims := jwt.MapClaims{"sub": a.User.ID, "role": "admin", "iss": auth.DefaultIssuer, "aud": auth.DefaultAudience,
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "sid": real.SessionID}
		signed := func(method jwt.SigningMethod, key any, kid string) string {
			tk := jwt.NewWithClaims(method, claims)
			tk.Header["kid"] = kid
			s, err := tk.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		cases := map[string]string{
			"alg none":         seg(map[string]string{"alg": "none", "typ": "JWT", "kid": kid}) + "." + seg(claims) + ".",
			"alg HS512":        signed(jwt.SigningMethodHS512, apitest.DefaultSecret, kid),
			"alg RS256 header": seg(map[string]string{"alg": "RS256", "kid": kid}) + "." + parts[1] + "." + parts[2],
			"role raised":      parts[0] + "." + seg(claims) + "." + parts[2],
			"bad signature":    parts[0] + "." + parts[1] + "." + strings.Repeat("x", len(parts[2])),
			"unknown kid":      signed(jwt.SigningMethodHS256, apitest.DefaultSecret, "0011223344556677"),
			"other secret":     signed(jwt.SigningMethodHS256, []byte("some-other-secret-that-is-long-enough!!"), kid),
			"not a jwt":        "hello",
			"sql in token":     "' OR 1=1 --",
		}
		for name, bad := range cases {
			p := e.Want(e.Call("GET", "/api/v1/me", bad, nil), 401).Problem(t)
			if p.Code != "unauthorized" {
				t.Errorf("%s: %+v", name, p)
			}
		}
		// The crafted admin claim with the real key would pass: the checks above fail for their flaw only.
		e.Want(e.Call("GET", "/api/v1/me", signed(jwt.SigningMethodHS256, apitest.DefaultSecret, kid), nil), 200)
		// Without a session id (sid) no logout could end it: refused.
		delete(claims, "sid")
		e.Want(e.Call("GET", "/api/v1/me", signed(jwt.SigningMethodHS256, apitest.DefaultSecret, kid), nil), 401)

		for _, h := range []string{"", "Bearer", "Basic Zm9vOmJhcg==", "Bearer  "} {
			res := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Header: map[string][]string{"Authorization": {h}}})
			e.Want(res, 401)
			if res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate for %q", h)
			}
		}
	})
}

func TestKeyRotationKeepsSessions(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		oldSecret := []byte("the-old-secret-0123456789abcdef-0123456789")
		newSecret := []byte("the-new-secret-0123456789abcdef-0123456789")
		clock := testkit.NewClock(time.Now())
		before := apitest.Start(t, st, apitest.Options{Secret: oldSecret, Clock: clock})
		tok, _ := before.NewUser()

		after := apitest.Start(t, st, apitest.Options{Secret: newSecret, PreviousSecrets: [][]byte{oldSecret}, Clock: clock})
		after.Want(after.Call("GET", "/api/v1/me", tok, nil), 200)
		fresh, _ := after.NewUser()
		after.Want(after.Call("GET", "/api/v1/me", fresh, nil), 200)

		dropped := apitest.Start(t, st, apitest.Options{Secret: newSecret, Clock: clock})
		dropped.Want(dropped.Call("GET", "/api/v1/me", tok, nil), 401)
		dropped.Want(dropped.Call("GET", "/api/v1/me", fresh, nil), 200)
	})
}

func TestMePatch(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		a := e.Register("ivy@example.com")
		tok := a.AccessToken

		var u httpapi.UserJSON
		e.Want(e.Call("PATCH", "/api/v1/me", tok, map[string]string{"name": "  Ivy 🌿 Ünïcødé  "}), 200).Decode(t, &u)
		if u.Name != "Ivy 🌿 Ünïcødé" {
			t.Errorf("name = %q", u.Name)
		}
		p := e.Want(e.Call("PATCH", "/api/v1/me", tok, map[string]string{"name": strings.Repeat("n", 101)}), 422).Problem(t)
		if p.Code != "validation" || p.Errors[0].Field != "name" {
			t.Errorf("long name: %+v", p)
		}
		e.Want(e.Call("PATCH", "/api/v1/me", tok, map[string]string{"name": "bad\x00name"}), 422)

		// Password change needs the current password.
		p = e.Want(e.Call("PATCH", "/api/v1/me", tok, map[string]string{"password": "new-password-1"}), 422).Problem(t)
		if p.Errors[0].Field != "current_password" {
			t.Errorf("missing current password: %+v", p)
		}
		e.Want(e.Call("PATCH", "/api/v1/me", tok, map[string]string{"password": "new-password-1", "current_password": "wrong-one"}), 422)
		e.Want(e.Call("PATCH", "/api/v1/me", tok, map[string]string{"password": "short", "current_password": apitest.Password}), 422)

		var other httpapi.AuthJSON
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "ivy@example.com", "password": apitest.Password}), 200).Decode(t, &other)
		e.Want(e.Call("PATCH", "/api/v1/me", tok, map[string]string{"password": "new-password-1", "current_password": apitest.Password}), 200)

		// Every refresh session is revoked; the old password no longer works; the new one does.
		e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}), 401)
		e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}), 401)
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "ivy@example.com", "password": apitest.Password}), 401)
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "ivy@example.com", "password": "new-password-1"}), 200)
		if strings.Contains(e.Logs.String(), "new-password-1") {
			t.Error("password in logs")
		}
	})
}

// auditLog records administrator actions in memory (the real writer is
// tested in audit); the entries of plain API calls are left out.
type auditLog struct {
	mu      sync.Mutex
	entries []audit.Entry
}

func (a *auditLog) Record(e audit.Entry) {
	if e.Action == "http" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
}

func TestAdminUsers(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		log := &auditLog{}
		e := apitest.Start(t, st, apitest.Options{Deps: func(d *httpapi.Deps) { d.Audit = log }})
		admin := e.Register("admin@example.com")
		userTok, user := e.NewUser()

		e.Want(e.Call("GET", "/api/v1/admin/users", userTok, nil), 403)
		e.Want(e.Call("PATCH", "/api/v1/admin/users/"+admin.User.ID, userTok, map[string]any{"role": "user"}), 403)
		e.Want(e.Call("POST", "/api/v1/admin/invites", userTok, map[string]any{}), 403)
		e.Want(e.Call("GET", "/api/v1/admin/users", "", nil), 401)

		var list httpapi.List[httpapi.UserJSON]
		e.Want(e.Call("GET", "/api/v1/admin/users?limit=1", admin.AccessToken, nil), 200).Decode(t, &list)
		if len(list.Data) != 1 || list.NextCursor == nil {
			t.Fatalf("page 1 = %+v", list)
		}
		var page2 httpapi.List[httpapi.UserJSON]
		e.Want(e.Call("GET", "/api/v1/admin/users?limit=1&cursor="+*list.NextCursor, admin.AccessToken, nil), 200).Decode(t, &page2)
		if len(page2.Data) != 1 || page2.Data[0].ID == list.Data[0].ID {
			t.Fatalf("page 2 = %+v", page2)
		}
		e.Want(e.Call("GET", "/api/v1/admin/users?q=admin@", admin.AccessToken, nil), 200).Decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != admin.User.ID {
			t.Errorf("search = %+v", list.Data)
		}

		path := "/api/v1/admin/users/" + user.User.ID
		var u httpapi.UserJSON
		e.Want(e.Call("PATCH", path, admin.AccessToken, map[string]any{"daily_token_quota": 5000}), 200).Decode(t, &u)
		if u.DailyTokenQuota == nil || *u.DailyTokenQuota != 5000 {
			t.Errorf("quota = %v", u.DailyTokenQuota)
		}
		e.Want(e.Call("PATCH", path, admin.AccessToken, map[string]any{"role": "admin"}), 200).Decode(t, &u)
		if u.DailyTokenQuota == nil || u.Role != "admin" {
			t.Errorf("absent quota changed it or role not set: %+v", u)
		}
		e.Want(e.Call("PATCH", path, admin.AccessToken, map[string]any{"daily_token_quota": nil, "role": "user"}), 200).Decode(t, &u)
		if u.DailyTokenQuota != nil {
			t.Errorf("null quota did not clear: %v", *u.DailyTokenQuota)
		}
		for _, body := range []map[string]any{{"role": "root"}, {"daily_token_quota": -1}, {"daily_token_quota": "many"}, {"disabled": "yes"}, {"email": "x@y.z"}} {
			e.Want(e.Call("PATCH", path, admin.AccessToken, body), 422)
		}
		e.Want(e.Call("PATCH", "/api/v1/admin/users/"+admin.User.ID, admin.AccessToken, map[string]any{"disabled": true}), 422)
		e.Want(e.Call("PATCH", "/api/v1/admin/users/00000000-0000-7000-8000-000000000000", admin.AccessToken, map[string]any{"role": "user"}), 404)
		e.Want(e.Call("PATCH", "/api/v1/admin/users/not-a-uuid", admin.AccessToken, map[string]any{"role": "user"}), 404)

		// Disabling signs the user out at once: access token, refresh token and login.
		e.Want(e.Call("PATCH", path, admin.AccessToken, map[string]any{"disabled": true}), 200)
		e.Want(e.Call("GET", "/api/v1/me", userTok, nil), 401)
		e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": user.RefreshToken}), 401)
		// (a disabled account answers its correct password as a wrong one)
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": user.User.Email, "password": apitest.Password}), 401)

		// Each successful admin change left one audit entry naming actor, target and fields.
		log.mu.Lock()
		defer log.mu.Unlock()
		if len(log.entries) != 4 {
			t.Fatalf("%d audit entries, want 4: %+v", len(log.entries), log.entries)
		}
		last := log.entries[3]
		if last.Action != "admin.user.update" || last.UserID != admin.User.ID || last.Target != user.User.ID ||
			last.Detail != `{"disabled":true}` || last.Route != "PATCH /api/v1/admin/users/{id}" || last.RequestID == "" {
			t.Errorf("audit entry = %+v", last)
		}
	})
}
