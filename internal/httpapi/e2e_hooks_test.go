package httpapi_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
)

// TestHooks: teammates' middleware sees what the router and auth learned,
// and PerRoute learns each route's pattern and whether it is authenticated.
func TestHooks(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	note := func(s string) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	hooks := httpapi.Hooks{
		Capture: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer func() {
					if v := recover(); v != nil {
						note("capture saw panic")
						panic(v)
					}
				}()
				h.ServeHTTP(w, r)
			})
		},
		Edge: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(w, r)
				note("edge " + httpapi.RoutePattern(r) + " user=" + boolStr(httpapi.UserID(r) != ""))
			})
		},
		PerRoute: func(pattern string, authenticated bool) func(http.Handler) http.Handler {
			return func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					note("route " + pattern + " auth=" + boolStr(authenticated))
					h.ServeHTTP(w, r)
				})
			}
		},
	}
	e := apitest.Start(t, apitest.OpenStore(t, "sqlite"), apitest.Options{
		Deps: func(d *httpapi.Deps) { d.Hooks = hooks },
		Routes: []httpapi.Route{{Pattern: "GET /api/v1/test/panic", Access: httpapi.Public,
			Handler: func(http.ResponseWriter, *http.Request) error { panic("boom") }}},
	})
	tok, _ := e.NewUser()
	mu.Lock()
	seen = nil
	mu.Unlock()
	e.Want(e.Call("GET", "/api/v1/me", tok, nil), 200)
	e.Want(e.Call("GET", "/api/v1/me", "", nil), 401)
	e.Want(e.Call("GET", "/api/v1/test/panic", "", nil), 500)
	want := []string{
		"route GET /api/v1/me auth=true", "edge GET /api/v1/me user=true",
		"edge GET /api/v1/me user=false",
		"route GET /api/v1/test/panic auth=false", "capture saw panic",
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("hook calls (-want +got):\n%s", diff)
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
