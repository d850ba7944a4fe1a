package waf_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/parley-chat/parley/internal/platform/reqctx"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/waf"
)

// The payload people paste into a chat all day, and attackers into forms.
const attack = "SELECT * FROM users WHERE id = 1 OR 1=1; DROP TABLE users; <script>alert(1)</script>"

const (
	messagesRoute = "POST /api/v1/conversations/{id}/messages"
	v1Route       = "POST /v1/chat/completions"
	convRoute     = "POST /api/v1/conversations"
	listRoute     = "GET /api/v1/conversations"
)

// fixture is a firewall in one mode in front of a handler that echoes the
// body it received.
type fixture struct {
	fw   *waf.Firewall
	logs *testkit.Buffer
	reg  *prometheus.Registry
}

func newFixture(t testing.TB, mode waf.Mode) *fixture {
	t.Helper()
	f := &fixture{logs: &testkit.Buffer{}, reg: prometheus.NewRegistry()}
	fw, err := waf.New(waf.Options{
		Mode: mode, MaxBody: 1 << 20, Registerer: f.reg,
		Logger: slog.New(slog.NewJSONHandler(f.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.fw = fw
	return f
}

// serve sends r through the firewall of route to an echo handler.
func (f *fixture) serve(route string, r *http.Request) *httptest.ResponseRecorder {
	h := f.fw.Route(route)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}))
	// The HTTP layer's request record: the client address and the id.
	r = r.WithContext(reqctx.With(r.Context(), &reqctx.Record{ID: r.Header.Get("X-Test-Id"), ClientIP: "203.0.113.7"}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func (f *fixture) matches(action string) float64 {
	return testutil.ToFloat64(mustCounter(f.reg, action))
}

func mustCounter(reg *prometheus.Registry, action string) prometheus.Collector {
	fams, _ := reg.Gather()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "x"})
	for _, fam := range fams {
		if fam.GetName() != "parley_waf_matches_total" {
			continue
		}
		for _, m := range fam.GetMetric() {
			if m.GetLabel()[0].GetValue() == action {
				c.Add(m.GetCounter().GetValue())
			}
		}
	}
	return c
}

var (
	fixturesOnce sync.Once
	blockFix     *fixture
	detectFix    *fixture
)

// fixtures load the rules once per test binary for each mode.
func fixtures(t *testing.T) (block, detect *fixture) {
	t.Helper()
	fixturesOnce.Do(func() {
		blockFix, detectFix = newFixture(t, waf.Block), newFixture(t, waf.Detect)
	})
	if blockFix == nil || detectFix == nil {
		t.Fatal("firewall fixtures did not load")
	}
	return blockFix, detectFix
}

func jsonReq(method, target string, body any) *http.Request {
	raw, _ := json.Marshal(body)
	r := httptest.NewRequest(method, target, bytes.NewReader(raw))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "parley-test/1.0")
	r.Header.Set("Accept", "application/json")
	return r
}

func getReq(target string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("User-Agent", "parley-test/1.0")
	r.Header.Set("Accept", "application/json")
	return r
}

func TestAttacksAreBlockedOrDetected(t *testing.T) {
	block, detect := fixtures(t)
	cases := []struct {
		name  string
		route string
		req   func() *http.Request
	}{
		{"sql injection in a query parameter", listRoute, func() *http.Request {
			return getReq("/api/v1/conversations?q=" + url.QueryEscape("1' OR '1'='1' UNION SELECT password FROM users--"))
		}},
		{"xss in a query parameter", listRoute, func() *http.Request {
			return getReq("/api/v1/conversations?q=" + url.QueryEscape("<script>alert(document.cookie)</script>"))
		}},
		{"xss in a header", listRoute, func() *http.Request {
			r := getReq("/api/v1/conversations")
			r.Header.Set("Referer", "<script>alert(document.cookie)</script>")
			return r
		}},
		{"sql injection in the query of a chat route", messagesRoute, func() *http.Request {
			return jsonReq("POST", "/api/v1/conversations/c1/messages?model="+url.QueryEscape("x' UNION SELECT password FROM users--"), map[string]string{"content": "hi"})
		}},
		{"attack in a body field that is not chat text", convRoute, func() *http.Request {
			return jsonReq("POST", "/api/v1/conversations", map[string]string{"title": attack})
		}},
		{"attack in the model of a completion", v1Route, func() *http.Request {
			return jsonReq("POST", "/v1/chat/completions", map[string]any{"model": attack, "messages": []any{}})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := "req-" + strings.ReplaceAll(c.name, " ", "-")
			before := block.matches("block")
			r := c.req()
			r.Header.Set("X-Test-Id", id)
			w := block.serve(c.route, r)
			if w.Code != http.StatusForbidden || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("block mode: %d %s %q, want a 403 problem", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			var pp map[string]any
			_ = json.Unmarshal(w.Body.Bytes(), &pp)
			if pp["code"] != "forbidden" || pp["detail"] != waf.BlockedMessage || pp["request_id"] != id {
				t.Errorf("problem %s", w.Body)
			}
			if strings.Contains(w.Body.String(), "script") || strings.Contains(w.Body.String(), "SELECT") {
				t.Errorf("the refusal echoes the payload: %s", w.Body)
			}
			if got := block.matches("block"); got != before+1 {
				t.Errorf("parley_waf_matches_total{action=block} %v → %v, want +1", before, got)
			}
			line := logLine(t, block.logs.String(), id)
			if line["msg"] != "waf blocked a request" || line["route"] != c.route || len(line["rule_ids"].([]any)) == 0 {
				t.Errorf("log line %v", line)
			}

			before = detect.matches("detect")
			r = c.req()
			r.Header.Set("X-Test-Id", id)
			if w := detect.serve(c.route, r); w.Code != http.StatusOK {
				t.Fatalf("detect mode: %d %s, want the request let through", w.Code, w.Body)
			}
			if got := detect.matches("detect"); got != before+1 {
				t.Errorf("parley_waf_matches_total{action=detect} %v → %v, want +1", before, got)
			}
			if line := logLine(t, detect.logs.String(), id); len(line["rule_ids"].([]any)) == 0 {
				t.Errorf("detect log line %v", line)
			}
		})
	}
	for _, logs := range []string{block.logs.String(), detect.logs.String()} {
		for _, leak := range []string{"script", "SELECT", "UNION", "alert"} {
			if strings.Contains(logs, leak) {
				t.Errorf("a log holds the payload (%q):\n%s", leak, logs)
			}
		}
	}
}

// logLine finds the firewall's log line of request id.
func logLine(t *testing.T, logs, id string) map[string]any {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["request_id"] == id {
			return m
		}
	}
	t.Fatalf("no log line for request %s in:\n%s", id, logs)
	return nil
}

// TestExcludedFieldsAreNotInspected: chat text and passwords pass whatever
// they hold, and the handler gets the body byte for byte.
func TestExcludedFieldsAreNotInspected(t *testing.T) {
	block, _ := fixtures(t)
	cases := []struct {
		name, route string
		body        any
	}{
		{"chat message", messagesRoute, map[string]any{"content": attack, "model": "openai/gpt-oss-120b"}},
		{"chat message, field spelt as encoding/json also reads it", messagesRoute, map[string]any{"Content": attack}},
		{"completion", v1Route, map[string]any{"model": "openai/gpt-oss-120b", "stream": true,
			"messages": []map[string]string{{"role": "system", "content": "You answer <b>SQL</b> questions."}, {"role": "user", "content": attack}}}},
		{"password at login", "POST /api/v1/auth/login", map[string]any{"email": "a@example.com", "password": "' OR 1=1; DROP TABLE users--"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, _ := json.Marshal(c.body)
			r := jsonReq("POST", strings.Replace(strings.TrimPrefix(c.route, "POST "), "{id}", "c1", 1), c.body)
			w := block.serve(c.route, r)
			if w.Code != http.StatusOK {
				t.Fatalf("%d %s, want the chat text let through", w.Code, w.Body)
			}
			if !bytes.Equal(w.Body.Bytes(), raw) {
				t.Errorf("the handler got %q, want the body as sent %q", w.Body, raw)
			}
		})
	}
}

func TestBodyOverTheRouteCapReachesTheHandler(t *testing.T) {
	block, _ := fixtures(t)
	big := strings.Repeat("a", 4096)
	h := block.fw.Route(convRoute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) || mbe.Limit != 1024 {
			t.Errorf("handler read error %v, want the route cap's", err)
		}
		w.WriteHeader(http.StatusRequestEntityTooLarge)
	}))
	w := httptest.NewRecorder()
	r := jsonReq("POST", "/api/v1/conversations", map[string]string{"title": big})
	r.Body = http.MaxBytesReader(w, r.Body, 1024)
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want the handler's 413", w.Code)
	}
}

func TestOptions(t *testing.T) {
	for in, want := range map[string]waf.Mode{"": waf.Off, "off": waf.Off, "Detect": waf.Detect, "block": waf.Block} {
		if got, err := waf.ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := waf.ParseMode("on"); err == nil {
		t.Error("ParseMode(on) accepted")
	}
	if _, err := waf.New(waf.Options{Mode: waf.Block, Paranoia: 5}); err == nil {
		t.Error("paranoia 5 accepted")
	}
	off, err := waf.New(waf.Options{Mode: waf.Off})
	if err != nil || off.LoadTime() != 0 {
		t.Fatalf("off: %v, load %v", err, off.LoadTime())
	}
	r := getReq("/api/v1/conversations?q=" + url.QueryEscape("<script>alert(1)</script>"))
	w := httptest.NewRecorder()
	off.Route(listRoute)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })).ServeHTTP(w, r)
	if w.Code != 204 {
		t.Errorf("off mode answered %d", w.Code)
	}
}

// TestWithoutExclusionsChatTextWouldBeBlocked is the control of the test
// above: the same chat message is refused when no field is excluded, so it
// passes there because of the exclusion, not because bodies go unread.
func TestWithoutExclusionsChatTextWouldBeBlocked(t *testing.T) {
	fw, err := waf.New(waf.Options{Mode: waf.Block, Exclusions: map[string][]string{}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{fw: fw}
	w := f.serve(messagesRoute, jsonReq("POST", "/api/v1/conversations/c1/messages", map[string]string{"content": attack}))
	if w.Code != http.StatusForbidden {
		t.Errorf("%d %s, want 403 without the exclusion", w.Code, w.Body)
	}
}
