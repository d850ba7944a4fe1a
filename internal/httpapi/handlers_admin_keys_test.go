package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// The end-to-end test on a real key pool and groqmock is in cmd/parley
// (wire_admin_test.go, through serve's own adapter); this one pins the
// answer's shape for each pool state.
func TestAdminKeysShape(t *testing.T) {
	reason := "invalid_api_key (401)"
	empty := ""
	for _, c := range []struct {
		name string
		pool httpapi.KeyPool
		want string
	}{
		{"no pool", nil, `{"data":[],"configured":false,"summary":{"active":0,"cooling":0,"dead":0}}`},
		{"no keys", httpapi.KeyPoolFunc(func(context.Context) []httpapi.KeyStatusJSON { return nil }),
			`{"data":[],"configured":false,"summary":{"active":0,"cooling":0,"dead":0}}`},
		{"keys", httpapi.KeyPoolFunc(func(context.Context) []httpapi.KeyStatusJSON {
			return []httpapi.KeyStatusJSON{
				{Fingerprint: "fp_00000001", Org: "org_a", OrgSource: "declared", State: "dead", DeadReason: &reason},
				{Fingerprint: "fp_00000002", OrgSource: "unknown", State: "active", DeadReason: &empty},
			}
		}), `{"data":[` +
			`{"fingerprint":"fp_00000001","org":"org_a","org_source":"declared","state":"dead","dead_reason":"invalid_api_key (401)","cooldown_until":null,"budgets":[]},` +
			`{"fingerprint":"fp_00000002","org":"","org_source":"unknown","state":"active","dead_reason":null,"cooldown_until":null,"budgets":[]}],` +
			`"configured":true,"summary":{"active":1,"cooling":0,"dead":1}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := storetest.Open(t, "sqlite")
			env := apitest.Start(t, st, apitest.Options{Deps: func(d *httpapi.Deps) { d.Keys = c.pool }})
			admin := env.Register("admin@example.com").AccessToken
			res := env.Want(env.Call("GET", "/api/v1/admin/keys", admin, nil), http.StatusOK)
			if d := cmp.Diff(c.want+"\n", string(res.Body)); d != "" {
				t.Fatalf("body (-want +got):\n%s", d)
			}
			env.Want(env.Call("GET", "/api/v1/admin/keys", "", nil), http.StatusUnauthorized)
			env.Want(env.Call("GET", "/api/v1/admin/keys", env.Register("user@example.com").AccessToken, nil), http.StatusForbidden)
		})
	}
}
