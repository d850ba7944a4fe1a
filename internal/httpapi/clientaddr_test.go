package httpapi_test

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/platform/reqctx"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestClientAddressAndHSTS: the server's chain resolves the caller's address
// with the request record (X-Forwarded-* believed only from a trusted proxy) and
// sends HSTS only to callers that came over TLS, directly or through such a
// proxy.
func TestClientAddressAndHSTS(t *testing.T) {
	e := apitest.Start(t, storetest.Open(t, "sqlite"), apitest.Options{
		Deps: func(d *httpapi.Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} },
		Extra: []httpapi.Route{{Pattern: "GET /api/v1/test/whoami",
			Handler: func(w http.ResponseWriter, r *http.Request) error {
				return httpapi.WriteJSON(w, http.StatusOK, map[string]string{"ip": reqctx.From(r.Context()).ClientIP})
			}}},
	})
	h := e.Server.Handler()
	type answer struct {
		IP   string
		HSTS bool
	}
	cases := []struct {
		name   string
		remote string
		xff    string
		xfp    string
		tls    bool
		want   answer
	}{
		{"plain http, direct", "203.0.113.7:5555", "", "", false, answer{"203.0.113.7", false}},
		{"tls, direct", "203.0.113.7:5555", "", "", true, answer{"203.0.113.7", true}},
		{"untrusted peer claims https and an address", "203.0.113.7:5555", "1.2.3.4", "https", false, answer{"203.0.113.7", false}},
		{"trusted proxy, https", "10.1.2.3:80", "198.51.100.9", "https", false, answer{"198.51.100.9", true}},
		{"trusted proxy, http", "10.1.2.3:80", "198.51.100.9", "http", false, answer{"198.51.100.9", false}},
		{"trusted proxy, forged left entries", "10.1.2.3:80", "1.1.1.1, 198.51.100.9", "https", false, answer{"198.51.100.9", true}},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/api/v1/test/whoami", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if c.xfp != "" {
			r.Header.Set("X-Forwarded-Proto", c.xfp)
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var body struct{ IP string }
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 200 {
			t.Fatalf("%s: %d %s", c.name, w.Code, w.Body)
		}
		got := answer{body.IP, w.Header().Get("Strict-Transport-Security") != ""}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", c.name, diff)
		}
	}
}
