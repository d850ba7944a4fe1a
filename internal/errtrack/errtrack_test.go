package errtrack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/errtrack/errtracktest"
	"github.com/parley-chat/parley/internal/platform/reqctx"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// The secrets are made at run time so that source lines quoted in stack
// frames cannot contain them.
var (
	nonce        = strings.ReplaceAll(uuid.NewString(), "-", "")
	secretToken  = "plt_" + nonce
	secretPrompt = "private prompt " + nonce
	email        = "alice" + nonce[:6] + "@example.com"
	clientAddr   = fmt.Sprintf("203.0.113.%d", 77)
)

func newServer(t *testing.T) (*errtracktest.Receiver, *Tracker, http.Handler) {
	t.Helper()
	d := &errtracktest.Receiver{}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	tr, err := New(Options{DSN: "http://public@" + strings.TrimPrefix(srv.URL, "http://") + "/1", Environment: "test", Release: "parley@test"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/conversations/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		rec := reqctx.From(r.Context())
		rec.Route, rec.UserID = r.Pattern, "0190-user-id"
		body, _ := io.ReadAll(r.Body)
		panic("handler failed for " + email + " from " + clientAddr + " on " + string(body[:4]))
	})
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		rec := reqctx.From(r.Context())
		rec.Route, rec.UserID = r.Pattern, "0190-user-id"
		http.Error(w, "internal", http.StatusInternalServerError)
	})
	mux.HandleFunc("GET /api/v1/models", func(w http.ResponseWriter, r *http.Request) {
		reqctx.From(r.Context()).Route = r.Pattern
		tr.CaptureError(r.Context(), errors.New("models lookup failed for "+email))
		http.Error(w, "internal", http.StatusInternalServerError)
	})
	mux.HandleFunc("GET /api/v1/fine", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	h := tr.Middleware(mux)
	// The outer layers parley puts around it: request id, then recover.
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		r = r.WithContext(reqctx.With(r.Context(), &reqctx.Record{ID: "req-" + r.Header.Get("X-Test-N"), Method: r.Method}))
		h.ServeHTTP(w, r)
	})
	return d, tr, outer
}

func send(h http.Handler, method, path, n string) int {
	r := httptest.NewRequest(method, path+"?api_key="+secretToken, strings.NewReader(`{"content":"`+secretPrompt+`"}`))
	r.RemoteAddr = clientAddr + ":4444"
	r.Header.Set("Authorization", "Bearer "+secretToken)
	r.Header.Set("Cookie", "session="+secretToken)
	r.Header.Set("X-Forwarded-For", clientAddr)
	r.Header.Set("User-Agent", "parley-test")
	r.Header.Set("X-Test-N", n)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestPanicsAndServerErrorsReachSentryWithoutPersonalData(t *testing.T) {
	d, tr, h := newServer(t)
	codes := []int{
		send(h, "POST", "/api/v1/conversations/c1/messages", "1"),
		send(h, "GET", "/api/v1/me", "2"),
		send(h, "GET", "/api/v1/models", "3"),
		send(h, "GET", "/api/v1/fine", "4"),
	}
	if d := cmp.Diff([]int{500, 500, 500, 503}, codes); d != "" {
		t.Fatalf("statuses (-want +got):\n%s", d)
	}
	if !tr.Flush(10 * time.Second) {
		t.Fatal("flush timed out")
	}
	events, raw, paths := d.Snapshot()
	for _, p := range paths {
		if p != "POST /api/1/envelope/" {
			t.Errorf("SDK posted to %q", p)
		}
	}
	type summary struct {
		RequestID, Route, Method, User, Level, Environment string
		Headers                                            map[string]any
	}
	var got []summary
	for _, ev := range events {
		tags, _ := ev["tags"].(map[string]any)
		user, _ := ev["user"].(map[string]any)
		req, _ := ev["request"].(map[string]any)
		s := summary{Level: str(ev["level"]), Environment: str(ev["environment"])}
		s.RequestID, s.Route, s.Method = str(tags["request_id"]), str(tags["http.route"]), str(tags["http.method"])
		s.User = str(user["id"])
		if req != nil {
			s.Headers, _ = req["headers"].(map[string]any)
			delete(s.Headers, "Host")
		}
		got = append(got, s)
	}
	// The transport sends concurrently: order by request id.
	sort.Slice(got, func(i, j int) bool { return got[i].RequestID < got[j].RequestID })
	hdrs := map[string]any{"User-Agent": "parley-test"}
	want := []summary{
		{RequestID: "req-1", Route: "POST /api/v1/conversations/{id}/messages", Method: "POST", User: "0190-user-id", Level: "fatal", Environment: "test", Headers: hdrs},
		{RequestID: "req-2", Route: "GET /api/v1/me", Method: "GET", User: "0190-user-id", Level: "error", Environment: "test", Headers: hdrs},
		{RequestID: "req-3", Route: "GET /api/v1/models", Method: "GET", Level: "error", Environment: "test"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	for _, secret := range []string{secretToken, secretPrompt, email, clientAddr, nonce[:12], "authorization\"", "Authorization\""} {
		if strings.Contains(raw, secret) {
			t.Errorf("an envelope contains %q", secret)
		}
	}
	if !strings.Contains(raw, "handler failed for [email] from [ip]") {
		t.Errorf("panic message missing or unscrubbed in envelopes")
	}
}

func str(v any) string { s, _ := v.(string); return s }

func TestNoDSNIsNoOp(t *testing.T) {
	tr, err := New(Options{})
	if err != nil || tr != nil || tr.Enabled() {
		t.Fatalf("tracker %v err %v", tr, err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	if got := tr.Middleware(next); got == nil {
		t.Fatal("nil handler")
	}
	if id := tr.CaptureError(context.Background(), errors.New("x")); id != "" {
		t.Fatal("no-op tracker returned an event id")
	}
	if !tr.Flush(time.Second) {
		t.Fatal("no-op flush failed")
	}
}

func TestBadDSNDoesNotLeakIt(t *testing.T) {
	_, err := New(Options{DSN: "::not a dsn with secret-abc"})
	if err == nil || strings.Contains(err.Error(), "secret-abc") {
		t.Fatalf("err = %v", err)
	}
}

func TestScrubString(t *testing.T) {
	in := "user bob.smith+x@mail.example.org at 10.1.2.3 and 2001:db8::1 sent Bearer abc.def-ghi and gsk_0123456789abcdef"
	want := "user [email] at [ip] and [ip] sent Bearer [credential] and [credential]"
	if got := ScrubString(in); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestDescribeFillsRouteAndUser: events carry what inner layers wrote into
// the request's record after the middleware ran (route, user).
func TestDescribeFillsRouteAndUser(t *testing.T) {
	d := &errtracktest.Receiver{}
	srv := httptest.NewServer(d)
	defer srv.Close()
	tr, err := New(Options{DSN: "http://public@" + strings.TrimPrefix(srv.URL, "http://") + "/1"})
	if err != nil {
		t.Fatal(err)
	}
	h := tr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := reqctx.From(r.Context())
		rec.Route, rec.UserID = "GET /api/v1/usage", "u-42"
		w.WriteHeader(http.StatusInternalServerError)
	}))
	r := httptest.NewRequest("GET", "/api/v1/usage", nil)
	r = r.WithContext(reqctx.With(r.Context(), &reqctx.Record{ID: "req-d"}))
	h.ServeHTTP(httptest.NewRecorder(), r)
	tr.Flush(10 * time.Second)
	events, _, _ := d.Snapshot()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	tags, _ := events[0]["tags"].(map[string]any)
	user, _ := events[0]["user"].(map[string]any)
	got := []string{str(tags["http.route"]), str(tags["request_id"]), str(user["id"])}
	if d := cmp.Diff([]string{"GET /api/v1/usage", "req-d", "u-42"}, got); d != "" {
		t.Error(d)
	}
}
