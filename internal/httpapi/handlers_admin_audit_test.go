package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// signalRecorder passes entries to the real audit writer and signals each
// one, until frozen (so the test's own queries stay out of the log).
type signalRecorder struct {
	w      *audit.Writer
	got    chan struct{}
	frozen atomic.Bool
}

func (s *signalRecorder) Record(e audit.Entry) {
	if s.frozen.Load() {
		return
	}
	s.w.Record(e)
	s.got <- struct{}{}
}

// auditEnv is the API with the edge's audit middleware and the admin views,
// recording through a real audit.Writer into the store.
func auditEnv(t *testing.T, st store.Store) (*apitest.Env, *signalRecorder) {
	t.Helper()
	w, err := audit.NewWriter(audit.WriterOptions{Store: st, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rec := &signalRecorder{w: w, got: make(chan struct{}, 100)}
	env := apitest.Start(t, st, apitest.Options{Deps: func(d *httpapi.Deps) { d.Audit = rec }})
	return env, rec
}

// flush waits until n entries were recorded, stops recording and writes
// everything queued (Close of the writer).
func (s *signalRecorder) flush(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-s.got:
		case <-t.Context().Done():
			t.Fatal("audit entries never recorded")
		}
	}
	s.frozen.Store(true)
	if err := s.w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

type auditPage struct {
	Data       []httpapi.AuditEntryJSON `json:"data"`
	NextCursor *string                  `json:"next_cursor"`
}

func TestAdminAudit(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		env, rec := auditEnv(t, st)
		start := time.Now().UTC().Add(-time.Second)
		admin := env.Register("admin@example.com")
		user := env.Register("user@example.com")
		env.Want(env.Call("GET", "/api/v1/me", user.AccessToken, nil), http.StatusOK)
		env.Want(env.Call("GET", "/api/v1/me", "", nil), http.StatusUnauthorized)
		env.Want(env.Call("GET", "/api/v1/conversations/"+uuid.NewString(), user.AccessToken, nil), http.StatusNotFound)
		env.Want(env.Call("PATCH", "/api/v1/admin/users/"+user.User.ID, admin.AccessToken, map[string]any{"disabled": true}), http.StatusOK)
		rec.flush(t, 7) // six calls and one admin action
		end := time.Now().UTC().Add(time.Second)

		list := func(query string) auditPage {
			t.Helper()
			var p auditPage
			env.Want(env.Call("GET", "/api/v1/admin/audit"+query, admin.AccessToken, nil), http.StatusOK).Decode(t, &p)
			return p
		}
		type row struct {
			User, Action, Route string
			Status              int
		}
		rows := func(es []httpapi.AuditEntryJSON) []row {
			out := make([]row, len(es))
			for i, e := range es {
				u := ""
				if e.UserID != nil {
					u = map[string]string{admin.User.ID: "admin", user.User.ID: "user"}[*e.UserID]
				}
				out[i] = row{u, e.Action, e.Route, e.Status}
			}
			return out
		}

		// Every entry, newest first, through pages of three.
		var all []httpapi.AuditEntryJSON
		q := "?limit=3"
		for pages := 0; ; pages++ {
			p := list(q)
			if len(p.Data) > 3 || pages > 5 {
				t.Fatalf("page of %d entries after %d pages", len(p.Data), pages)
			}
			all = append(all, p.Data...)
			if p.NextCursor == nil {
				break
			}
			q = "?limit=3&cursor=" + url.QueryEscape(*p.NextCursor)
		}
		want := []row{
			{"admin", "http", "PATCH /api/v1/admin/users/{id}", 200},
			{"admin", "admin.user.update", "PATCH /api/v1/admin/users/{id}", 200},
			{"user", "http", "GET /api/v1/conversations/{id}", 404},
			{"", "http", "GET /api/v1/me", 401},
			{"user", "http", "GET /api/v1/me", 200},
			{"", "http", "POST /api/v1/auth/register", 201},
			{"", "http", "POST /api/v1/auth/register", 201},
		}
		if d := cmp.Diff(want, rows(all)); d != "" {
			t.Fatalf("audit log (-want +got):\n%s", d)
		}
		for _, e := range all {
			if e.ID == "" || e.RequestID == "" || e.ClientIP == "" || e.UserAgent == "" || e.Method == "" ||
				time.Time(e.At).Before(start) || time.Time(e.At).After(end) {
				t.Fatalf("entry missing facts: %+v", e)
			}
		}
		action := all[1]
		if action.Target == nil || *action.Target != user.User.ID || string(action.Detail) != `{"disabled":true}` {
			t.Fatalf("admin action: target %v detail %s, want the user and {\"disabled\":true}", action.Target, action.Detail)
		}

		for _, c := range []struct {
			name  string
			query url.Values
			want  []row
		}{
			{"user", url.Values{"user_id": {user.User.ID}}, []row{want[2], want[4]}},
			{"action", url.Values{"action": {"admin.user.update"}}, []row{want[1]}},
			{"route", url.Values{"route": {"GET /api/v1/me"}}, []row{want[3], want[4]}},
			{"status", url.Values{"status": {"401"}}, []row{want[3]}},
			{"route and status", url.Values{"route": {"GET /api/v1/me"}, "status": {"200"}}, []row{want[4]}},
			{"window", url.Values{"since": {start.Format(time.RFC3339Nano)}, "until": {end.Format(time.RFC3339)}}, want},
			{"since later", url.Values{"since": {end.Format(time.RFC3339)}}, []row{}},
			{"until earlier", url.Values{"until": {start.Add(-time.Hour).Format(time.RFC3339)}}, []row{}},
			{"SQL in a filter", url.Values{"action": {"x' OR '1'='1"}}, []row{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				if d := cmp.Diff(c.want, rows(list("?"+c.query.Encode()).Data)); d != "" {
					t.Fatalf("(-want +got):\n%s", d)
				}
			})
		}

		for _, c := range []struct{ query, param string }{
			{"status=abc", "status"},
			{"status=99", "status"},
			{"status=600", "status"},
			{"since=yesterday", "since"},
			{"until=2026-13-01T00:00:00Z", "until"},
			{"since=2026-11-25", "since"},
			{"since=2026-11-26T00:00:00Z&until=2026-11-25T00:00:00Z", "until"},
			{"user_id=42", "user_id"},
			{"limit=0", "limit"},
			{"limit=101", "limit"},
			{"cursor=not-a-cursor", "cursor"},
			{"route=" + url.QueryEscape("GET\n/x"), "route"},
			{"action=" + strings.Repeat("a", 65), "action"},
		} {
			t.Run("bad "+c.query, func(t *testing.T) {
				p := env.Want(env.Call("GET", "/api/v1/admin/audit?"+c.query, admin.AccessToken, nil), http.StatusBadRequest).Problem(t)
				if p.Code != "invalid" || !strings.Contains(p.Detail, "query parameter "+c.param+" ") {
					t.Fatalf("problem %+v, want code invalid naming %s", p, c.param)
				}
			})
		}

		env.Want(env.Call("GET", "/api/v1/admin/audit", "", nil), http.StatusUnauthorized)
		other := env.Register("other@example.com").AccessToken
		env.Want(env.Call("GET", "/api/v1/admin/audit", other, nil), http.StatusForbidden)
	})
}
