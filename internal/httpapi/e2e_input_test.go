package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

func TestHostileInput(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{MaxBodyBytes: 4096})
		tok, _ := e.NewUser()
		type tc struct {
			name      string
			req       apitest.Request
			status    int
			code      string
			field     string
			detailHas string
		}
		reg := "/api/v1/auth/register"
		cases := []tc{
			{"unknown field", apitest.Request{Path: reg, Body: `{"email":"a@b.co","password":"12345678","admin":true}`}, 422, "validation", "admin", ""},
			{"wrong type", apitest.Request{Path: reg, Body: `{"email":42,"password":"12345678"}`}, 422, "validation", "email", ""},
			{"malformed", apitest.Request{Path: reg, Body: `{"email":"a@b.co",`}, 400, "invalid", "", "malformed JSON"},
			{"syntax error", apitest.Request{Path: reg, Body: `{"email" "a@b.co"}`}, 400, "invalid", "", "malformed JSON"},
			{"trailing data", apitest.Request{Path: reg, Body: `{"email":"a@b.co","password":"12345678"} {"x":1}`}, 400, "invalid", "", "after the JSON object"},
			{"empty body", apitest.Request{Path: reg, Body: ``}, 400, "invalid", "", "empty"},
			{"array body", apitest.Request{Path: reg, Body: `[1,2]`}, 400, "invalid", "", "JSON object"},
			{"text/plain", apitest.Request{Path: reg, Body: `{}`, ContentType: "text/plain"}, 415, "unsupported_media_type", "", ""},
			{"form", apitest.Request{Path: reg, Body: `email=a`, ContentType: "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", "", ""},
			{"no content type", apitest.Request{Path: reg, Body: `{}`, ContentType: "-"}, 415, "unsupported_media_type", "", ""},
			{"huge body", apitest.Request{Path: reg, Body: `{"email":"` + strings.Repeat("a", 10000) + `"}`}, 413, "too_large", "", "4096"},
			{"huge chunked body", apitest.Request{Path: reg, Body: io.MultiReader(strings.NewReader(`{"name":"`), strings.NewReader(strings.Repeat("b", 10000)), strings.NewReader(`"}`))}, 413, "too_large", "", ""},
			{"bad email", apitest.Request{Path: reg, Body: `{"email":"not an email","password":"12345678"}`}, 422, "validation", "email", ""},
			{"display-name email", apitest.Request{Path: reg, Body: `{"email":"Eve <eve@example.com>","password":"12345678"}`}, 422, "validation", "email", ""},
			{"sql email", apitest.Request{Path: reg, Body: `{"email":"x' OR '1'='1@example.com","password":"12345678"}`}, 422, "validation", "email", ""},
			{"nul in name", apitest.Request{Path: reg, Body: `{"email":"nul@example.com","password":"12345678","name":"a\u0000b"}`}, 422, "validation", "name", ""},
			{"short password", apitest.Request{Path: reg, Body: `{"email":"p@example.com","password":"1234567"}`}, 422, "validation", "password", ""},
			{"long password", apitest.Request{Path: reg, Body: `{"email":"p@example.com","password":"` + strings.Repeat("p", 257) + `"}`}, 422, "validation", "password", ""},
			{"nul title", apitest.Request{Path: "/api/v1/conversations", Token: tok, Body: `{"title":"a\u0000b"}`}, 422, "validation", "title", ""},
			{"null title is absent", apitest.Request{Path: "/api/v1/conversations", Token: tok, Body: `{"title":null}`}, 201, "", "", ""},
			{"unicode title", apitest.Request{Path: "/api/v1/conversations", Token: tok, Body: `{"title":"日本語 🎌 مرحبا\u200f RTL"}`}, 201, "", "", ""},
			{"bidi override title", apitest.Request{Path: "/api/v1/conversations", Token: tok, Body: `{"title":"invoice\u202egnp.exe"}`}, 422, "validation", "title", ""},
			{"bidi isolate title", apitest.Request{Path: "/api/v1/conversations", Token: tok, Body: `{"title":"a\u2067b\u2069"}`}, 422, "validation", "title", ""},
		}
		for _, c := range cases {
			if c.req.Method == "" {
				c.req.Method = "POST"
			}
			res := e.Do(c.req)
			if res.Status != c.status {
				t.Errorf("%s: status %d, want %d; %s", c.name, res.Status, c.status, res.Body)
				continue
			}
			if c.code == "" {
				continue
			}
			p := res.Problem(t)
			if p.Code != c.code || p.Status != c.status || p.Type != problem.TypeBase+c.code || p.RequestID == "" {
				t.Errorf("%s: problem %+v", c.name, p)
			}
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Errorf("%s: errors %+v, want field %s", c.name, p.Errors, c.field)
			}
			if !strings.Contains(p.Detail, c.detailHas) {
				t.Errorf("%s: detail %q lacks %q", c.name, p.Detail, c.detailHas)
			}
		}
		// A huge unicode name within the limit is rejected by length, not stored cut.
		res := e.Call("PATCH", "/api/v1/me", tok, map[string]string{"name": strings.Repeat("💥", 101)})
		e.Want(res, 422)
		if strings.Contains(e.Logs.String(), `"level":"ERROR"`) {
			t.Errorf("hostile input caused an error log:\n%s", e.Logs.String())
		}
	})
}

func TestRoutingProblems(t *testing.T) {
	boom := errors.New("pq: relation secret_table does not exist")
	e := apitest.Start(t, storetest.Open(t, "sqlite"), apitest.Options{Extra: []httpapi.Route{
		{Pattern: "GET /api/v1/test/fail", Handler: func(w http.ResponseWriter, r *http.Request) error { return boom }},
		{Pattern: "GET /api/v1/test/panic", Handler: func(w http.ResponseWriter, r *http.Request) error { panic("kaboom") }},
	}})

	p := e.Want(e.Call("GET", "/api/v1/nope", "", nil), 404).Problem(t)
	if p.Code != "not_found" {
		t.Errorf("unknown route: %+v", p)
	}
	res := e.Want(e.Call("PUT", "/api/v1/auth/login", "", nil), 405)
	if p := res.Problem(t); p.Code != "method_not_allowed" || res.Header.Get("Allow") == "" || !strings.Contains(res.Header.Get("Allow"), "POST") {
		t.Errorf("405: %+v, Allow %q", p, res.Header.Get("Allow"))
	}

	for _, path := range []string{"/api/v1/test/fail", "/api/v1/test/panic"} {
		res := e.Want(e.Call("GET", path, "", nil), 500)
		p := res.Problem(t)
		if p.Code != "internal" || p.ErrorID == "" || strings.Contains(string(res.Body), "secret_table") || strings.Contains(string(res.Body), "kaboom") {
			t.Errorf("%s: %s", path, res.Body)
		}
		if !strings.Contains(e.Logs.String(), p.ErrorID) {
			t.Errorf("%s: error id %s not in the log", path, p.ErrorID)
		}
	}

	// Request ids: a sane incoming one is kept, a hostile one replaced.
	res = e.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: http.Header{"X-Request-Id": {"abc-123"}}})
	if res.Header.Get("X-Request-ID") != "abc-123" {
		t.Errorf("request id %q", res.Header.Get("X-Request-ID"))
	}
	res = e.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: http.Header{"X-Request-Id": {"<script>\"x"}}})
	if id := res.Header.Get("X-Request-ID"); id == "" || strings.Contains(id, "<") {
		t.Errorf("hostile request id echoed: %q", id)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	// Requests are counted under their route pattern, unknown ones under "unmatched".
	if n := requestCount(t, e, "GET", "/api/v1/test/fail", "500"); n != 1 {
		t.Errorf("counted %v failures", n)
	}
	if n := requestCount(t, e, "GET", "unmatched", "404"); n != 1 {
		t.Errorf("counted %v unmatched", n)
	}
}

// requestCount reads parley_http_requests_total for one label set.
func requestCount(t *testing.T, e *apitest.Env, method, route, status string) float64 {
	t.Helper()
	mfs, err := e.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "parley_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if l["method"] == method && l["route"] == route && l["status"] == status {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestHealthAndReadiness(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		var depDown error
		e := apitest.Start(t, st, apitest.Options{Ready: []httpapi.ReadyCheck{{Name: "redis", Check: func(context.Context) error { return depDown }}}})
		e.Want(e.Call("GET", "/healthz", "", nil), 200)
		var ready struct {
			Status string `json:"status"`
			Checks []struct{ Name, Status string }
		}
		e.Want(e.Call("GET", "/readyz", "", nil), 200).Decode(t, &ready)
		if ready.Status != "ready" || len(ready.Checks) != 3 {
			t.Errorf("readyz = %+v", ready)
		}
		depDown = errors.New("dial tcp 10.1.2.3:6379: refused")
		res := e.Want(e.Call("GET", "/readyz", "", nil), 503)
		if strings.Contains(string(res.Body), "10.1.2.3") || !strings.Contains(string(res.Body), `"redis"`) {
			t.Errorf("failing readyz body: %s", res.Body)
		}
		depDown = nil
		// closes reports whether the server ends the connection after its
		// answer (Go's client turns Connection: close into Response.Close).
		closes := func() bool {
			t.Helper()
			res, err := e.Client.Get(e.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.Close
		}
		if closes() {
			t.Error("the server closes keep-alive connections before shutting down")
		}
		e.Server.SetShuttingDown()
		e.Want(e.Call("GET", "/readyz", "", nil), 503)
		e.Want(e.Call("GET", "/healthz", "", nil), 200)
		if !closes() {
			t.Error("while draining, answers keep their connection open: keep-alive clients would stay on this replica")
		}
	})
}
