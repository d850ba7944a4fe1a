package httpapi_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// With invite-only sign-up, a missing, made-up, used or foreign-bound invite
// gets one answer whether or not the email has an account, so sign-up is no
// oracle of who is registered. Only a valid invite reaches the email check.
func TestInviteSignupRevealsNoAccount(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{Signup: account.SignupInvite})
		if _, err := e.Accounts.CreateUser(t.Context(), "root@example.com", "Root", apitest.Password, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Accounts.CreateUser(t.Context(), "member@example.com", "Member", apitest.Password, false); err != nil {
			t.Fatal(err)
		}
		var login httpapi.AuthJSON
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "root@example.com", "password": apitest.Password}), 200).Decode(t, &login)
		invite := func(email string) string {
			var inv httpapi.InviteJSON
			e.Want(e.Call("POST", "/api/v1/admin/invites", login.AccessToken, map[string]string{"email": email}), 201).Decode(t, &inv)
			return inv.Code
		}
		used := invite("")
		e.Want(e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": "first@example.com", "password": apitest.Password, "invite_code": used}), 201)
		bound := invite("someone-else@example.com")

		answer := func(email, code string) (int, problem.Doc) {
			res := e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": email, "password": apitest.Password, "invite_code": code})
			p := res.Problem(t)
			p.RequestID = ""
			return res.Status, p
		}
		for name, code := range map[string]string{"missing": "", "made up": "made-up-code", "used": used, "bound to another email": bound} {
			regStatus, regDoc := answer("member@example.com", code)
			newStatus, newDoc := answer("stranger@example.com", code)
			if regStatus != newStatus || regStatus != 422 {
				t.Errorf("%s invite: status %d for a registered email, %d for a new one", name, regStatus, newStatus)
			}
			if d := cmp.Diff(newDoc, regDoc); d != "" {
				t.Errorf("%s invite: registered email answered differently (-new +registered):\n%s", name, d)
			}
			if len(regDoc.Errors) != 1 || regDoc.Errors[0].Field != "invite_code" {
				t.Errorf("%s invite: errors %+v, want one on invite_code", name, regDoc.Errors)
			}
		}
		// A valid invite for a taken email is refused and stays usable.
		code := invite("")
		e.Want(e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": "member@example.com", "password": apitest.Password, "invite_code": code}), 409)
		e.Want(e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": "newcomer@example.com", "password": apitest.Password, "invite_code": code}), 201)
	})
}
