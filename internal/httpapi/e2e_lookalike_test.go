package httpapi_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// Spellings of one address that display alike are one account: a second
// sign-up under a variant is a conflict, and login accepts the variant.
// Spellings that could pass for another address are refused.
func TestLookalikeEmailsAreOneAccount(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		e.Register("alice@example.com")
		reg := func(email, name string) *apitest.Response {
			return e.Call("POST", "/api/v1/auth/register", "", map[string]string{
				"email": email, "password": apitest.Password, "name": name})
		}
		for _, variant := range []string{
			"ALICE@EXAMPLE.COM",
			"Alice@Example.Com",
			"ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ",             // full-width letters
			"alice＠example．com",             // full-width @ and full stop
			"\u00a0alice@example.com\u3000", // no-break and ideographic spaces
		} {
			p := e.Want(reg(variant, "Mallory"), 409).Problem(t)
			if p.Code != "conflict" || len(p.Errors) == 0 || p.Errors[0].Field != "email" {
				t.Errorf("%q: %+v", variant, p)
			}
			e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{
				"email": variant, "password": apitest.Password}), 200)
		}
		for _, c := range []struct{ email, detail string }{
			{"al\u200dice@example.com", "U+200D"},                 // zero-width joiner
			{"al\u200bice@example.com", "U+200B"},                 // zero-width space
			{"al\u00adice@example.com", "U+00AD"},                 // soft hyphen
			{"\ufeffalice@example.com", "U+FEFF"},                 // byte-order mark
			{"alice\ufe0f@example.com", "U+FE0F"},                 // variation selector
			{"alice@exam\u2060ple.com", "U+2060"},                 // word joiner
			{"alice\u202e@example.com", "U+202E"},                 // right-to-left override
			{"\u0430lice@example.com", "Cyrillic"},                // Cyrillic а in a Latin word
			{"alice@ex\u0430mple.com", "Cyrillic"},                // … in the domain
			{"al\u03b9ce@example.com", "Greek"},                   // Greek ι
			{"\u0430\u0440\u0435@example.com", "look like Latin"}, // Cyrillic "аре" displays as "ape"
		} {
			p := e.Want(reg(c.email, "Mallory"), 422).Problem(t)
			if p.Code != "validation" || len(p.Errors) == 0 || p.Errors[0].Field != "email" ||
				!strings.Contains(p.Errors[0].Message, c.detail) {
				t.Errorf("%q: %+v, want an email error naming %s", c.email, p, c.detail)
			}
		}
		// Other scripts, and Latin with CJK, stay welcome.
		for _, ok := range []string{"josé@example.com", "иван@пример.рф", "ユーザー漢字@example.jp", "δοκιμή@example.gr"} {
			e.Want(reg(ok, "Someone"), 201)
		}
		// Bidirectional overrides and isolates are refused in names; the marks are not.
		for _, bad := range []string{"Bob\u202e", "\u2066Bob\u2069", "\u202dBob"} {
			p := e.Want(reg("bob@example.com", bad), 422).Problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != "name" || !strings.Contains(p.Errors[0].Message, "bidirectional") {
				t.Errorf("name %q: %+v", bad, p)
			}
		}
		a := e.Register("carol@example.com")
		p := e.Want(e.Call("PATCH", "/api/v1/me", a.AccessToken, map[string]string{"name": "Carol\u202egnp.exe"}), 422).Problem(t)
		if len(p.Errors) == 0 || p.Errors[0].Field != "name" {
			t.Errorf("PATCH /me bidi name: %+v", p)
		}
		e.Want(e.Call("PATCH", "/api/v1/me", a.AccessToken, map[string]string{"name": "كارول\u200f Carol"}), 200)
	})
}
