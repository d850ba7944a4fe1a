package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// A password change that presents its own refresh token signs out every
// other session of the user and keeps the presenting one.
func TestPasswordChangeKeepsPresentingSession(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		const email = "kim@example.com"
		here := e.Register(email)
		login := func(password string) *apitest.Response {
			return e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
		}
		var phone, tablet httpapi.AuthJSON
		e.Want(login(apitest.Password), http.StatusOK).Decode(t, &phone)
		e.Want(login(apitest.Password), http.StatusOK).Decode(t, &tablet)
		stranger := e.Register("stranger@example.com")

		// A refresh token that is not a current session of the caller is
		// refused before anything changes.
		var rotated httpapi.AuthJSON
		e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tablet.RefreshToken}), http.StatusOK).Decode(t, &rotated)
		for name, tok := range map[string]string{"someone else's": stranger.RefreshToken, "unknown": "not-a-token",
			"empty": "", "already rotated": tablet.RefreshToken} {
			p := e.Want(e.Call("PATCH", "/api/v1/me", here.AccessToken, map[string]string{
				"password": "brand-new-password", "current_password": apitest.Password, "refresh_token": tok,
			}), http.StatusUnprocessableEntity).Problem(t)
			if len(p.Errors) != 1 || p.Errors[0].Field != "refresh_token" {
				t.Fatalf("%s refresh token: %+v, want a refresh_token field error", name, p)
			}
		}
		e.Want(login(apitest.Password), http.StatusOK) // the password did not change

		e.Want(e.Call("PATCH", "/api/v1/me", here.AccessToken, map[string]string{
			"password": "brand-new-password", "current_password": apitest.Password, "refresh_token": here.RefreshToken,
		}), http.StatusOK)

		refresh := func(tok string) *apitest.Response {
			return e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok})
		}
		e.Want(refresh(phone.RefreshToken), http.StatusUnauthorized)
		e.Want(refresh(rotated.RefreshToken), http.StatusUnauthorized)
		var next httpapi.AuthJSON
		e.Want(refresh(here.RefreshToken), http.StatusOK).Decode(t, &next)
		e.Want(refresh(next.RefreshToken), http.StatusOK) // the kept session keeps rotating
		e.Want(refresh(stranger.RefreshToken), http.StatusOK)
		e.Want(login(apitest.Password), http.StatusUnauthorized)
		e.Want(login("brand-new-password"), http.StatusOK)
	})
}
