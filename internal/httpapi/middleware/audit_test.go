package middleware

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/platform/reqctx"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

type memRecorder struct {
	mu      sync.Mutex
	entries []audit.Entry
}

func (m *memRecorder) Record(e audit.Entry) {
	m.mu.Lock()
	m.entries = append(m.entries, e)
	m.mu.Unlock()
}

func TestAuditRecordsEveryCall(t *testing.T) {
	rec := &memRecorder{}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := testkit.NewClock(start)
	mw := Audit(AuditOptions{
		Recorder: rec,
		Skip:     func(r *http.Request) bool { return r.URL.Path == "/healthz" },
		Now:      clock.Now,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/conversations/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		rr := reqctx.From(r.Context())
		rr.Route, rr.UserID = r.Pattern, "u1"
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		clock.Advance(1500 * time.Millisecond)
		_, _ = w.Write([]byte("event: done\n\n"))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(reqctx.With(r.Context(), &reqctx.Record{ID: "req-" + r.Method, ClientIP: "203.0.113.9"}))
		mw(mux).ServeHTTP(w, r)
	})
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/v1/conversations/c1/messages?secret=x"},
		{"GET", "/healthz"},
		{"GET", "/nowhere"},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		r.Header.Set("User-Agent", "ua/1")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	at := start
	want := []audit.Entry{
		{At: at, UserID: "u1", Action: "http", Method: "POST", Route: "POST /api/v1/conversations/{id}/messages", Status: 200,
			ClientIP: "203.0.113.9", UserAgent: "ua/1", RequestID: "req-POST", LatencyMS: 1500},
		{At: clock.Now(), Action: "http", Method: "GET", Route: "GET (unmatched)", Status: 404,
			ClientIP: "203.0.113.9", UserAgent: "ua/1", RequestID: "req-GET"},
	}
	if d := cmp.Diff(want, rec.entries); d != "" {
		t.Errorf("entries (-want +got):\n%s", d)
	}
}
