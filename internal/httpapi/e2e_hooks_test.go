package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// entryLog keeps what the audit middleware records.
type entryLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *entryLog) Record(e audit.Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e.Route+" user="+boolStr(e.UserID != "")+" status="+http.StatusText(e.Status))
}

// TestOuterLayersSeeRouteAndUser: the outer middleware (the audit log)
// sees what the router and auth learned, after the handler returned, and
// records a panicking handler as a 500.
func TestOuterLayersSeeRouteAndUser(t *testing.T) {
	log := &entryLog{}
	e := apitest.Start(t, storetest.Open(t, "sqlite"), apitest.Options{
		Deps: func(d *httpapi.Deps) { d.Audit = log },
		Extra: []httpapi.Route{{Pattern: "GET /api/v1/test/panic",
			Handler: func(http.ResponseWriter, *http.Request) error { panic("boom") }}},
	})
	tok, _ := e.NewUser()
	log.mu.Lock()
	log.entries = nil
	log.mu.Unlock()
	e.Want(e.Call("GET", "/api/v1/me", tok, nil), 200)
	e.Want(e.Call("GET", "/api/v1/me", "", nil), 401)
	e.Want(e.Call("GET", "/api/v1/test/panic", "", nil), 500)
	want := []string{
		"GET /api/v1/me user=true status=OK",
		"GET /api/v1/me user=false status=Unauthorized",
		"GET /api/v1/test/panic user=false status=Internal Server Error",
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if diff := cmp.Diff(want, log.entries); diff != "" {
		t.Errorf("audited calls (-want +got):\n%s", diff)
	}
}

// TestRouteTablePolicies: every row says who may call it and which budgets
// apply, and the rows that answer OpenAI's clients are exactly the /v1 ones.
func TestRouteTablePolicies(t *testing.T) {
	e := apitest.Start(t, storetest.Open(t, "sqlite"), apitest.Options{})
	for _, rt := range e.Server.Routes() {
		v1 := strings.Contains(rt.Pattern, " /v1/")
		if rt.OpenAI != v1 || (v1 && rt.Auth != httpapi.AuthAPIToken) {
			t.Errorf("%s: OpenAI envelope %v, auth %v", rt.Pattern, rt.OpenAI, rt.Auth)
		}
		if (rt.Auth == httpapi.AuthSession || rt.Auth == httpapi.AuthAdmin) && rt.Budgets&httpapi.BudgetUser == 0 {
			t.Errorf("%s: signed-in route without the per-user budget", rt.Pattern)
		}
		if rt.Auth == httpapi.AuthAPIToken && rt.Budgets&httpapi.BudgetToken == 0 {
			t.Errorf("%s: API-token route without the per-token budget", rt.Pattern)
		}
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
