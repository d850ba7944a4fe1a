package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestSessionsEndOverHTTP: an access token is refused as soon as its session
// logs out, as soon as another session changes the password, and once the
// user is disabled; re-enabling the user revives none of the access or API
// tokens they held.
func TestSessionsEndOverHTTP(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		admin := e.Register("boss@example.com")
		const email = "lee@example.com"
		first := e.Register(email)
		login := func(password string) httpapi.AuthJSON {
			var a httpapi.AuthJSON
			e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}), http.StatusOK).Decode(t, &a)
			return a
		}
		phone, tablet := login(apitest.Password), login(apitest.Password)
		me := func(a httpapi.AuthJSON) int { return e.Call("GET", "/api/v1/me", a.AccessToken, nil).Status }

		e.Want(e.Call("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": first.RefreshToken}), http.StatusNoContent)
		if got := me(first); got != http.StatusUnauthorized {
			t.Errorf("access token after its logout: %d, want 401", got)
		}
		if got := me(phone); got != http.StatusOK {
			t.Errorf("another session after a logout: %d, want 200", got)
		}

		e.Want(e.Call("PATCH", "/api/v1/me", phone.AccessToken, map[string]string{
			"password": "brand-new-password", "current_password": apitest.Password, "refresh_token": phone.RefreshToken,
		}), http.StatusOK)
		if got := me(tablet); got != http.StatusUnauthorized {
			t.Errorf("another session after a password change: %d, want 401", got)
		}
		if got := me(phone); got != http.StatusOK {
			t.Errorf("the session that changed the password: %d, want 200", got)
		}

		var tok struct {
			Token string `json:"token"`
		}
		e.Want(e.Call("POST", "/api/v1/tokens", phone.AccessToken, map[string]string{"name": "ci"}), http.StatusCreated).Decode(t, &tok)
		e.Want(e.Call("GET", "/v1/models", tok.Token, nil), http.StatusOK)

		path := "/api/v1/admin/users/" + phone.User.ID
		e.Want(e.Call("PATCH", path, admin.AccessToken, map[string]any{"disabled": true}), http.StatusOK)
		if got := me(phone); got != http.StatusUnauthorized {
			t.Errorf("access token of a disabled user: %d, want 401", got)
		}
		e.Want(e.Call("PATCH", path, admin.AccessToken, map[string]any{"disabled": false}), http.StatusOK)
		if got := me(phone); got != http.StatusUnauthorized {
			t.Errorf("access token held before the user was disabled, after re-enabling: %d, want 401", got)
		}
		if got := e.Call("GET", "/v1/models", tok.Token, nil).Status; got != http.StatusUnauthorized {
			t.Errorf("API token made before the user was disabled, after re-enabling: %d, want 401", got)
		}
		e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": phone.RefreshToken}), http.StatusUnauthorized)

		again := login("brand-new-password")
		if got := me(again); got != http.StatusOK {
			t.Errorf("a login after re-enabling: %d, want 200", got)
		}
	})
}
