package edge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/audit"
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
	clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	type reqRecord struct{ route, user string }
	type key struct{}
	mw := Audit(AuditOptions{
		Recorder:  rec,
		Route:     func(r *http.Request) string { return r.Context().Value(key{}).(*reqRecord).route },
		UserID:    func(r *http.Request) string { return r.Context().Value(key{}).(*reqRecord).user },
		ClientIP:  func(r *http.Request) string { return "203.0.113.9" },
		RequestID: func(r *http.Request) string { return "req-" + r.Method },
		Skip:      func(r *http.Request) bool { return r.URL.Path == "/healthz" },
		Now:       clock.Now,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/conversations/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		rr := r.Context().Value(key{}).(*reqRecord)
		rr.route, rr.user = r.Pattern, "u1"
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		clock.Advance(1500 * time.Millisecond)
		_, _ = w.Write([]byte("event: done\n\n"))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(contextWith(r, key{}, &reqRecord{}))
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
	at := clock.t.Add(-1500 * time.Millisecond)
	want := []audit.Entry{
		{At: at, UserID: "u1", Action: "http", Method: "POST", Route: "POST /api/v1/conversations/{id}/messages", Status: 200,
			ClientIP: "203.0.113.9", UserAgent: "ua/1", RequestID: "req-POST", LatencyMS: 1500},
		{At: clock.t, Action: "http", Method: "GET", Route: "GET (unmatched)", Status: 404,
			ClientIP: "203.0.113.9", UserAgent: "ua/1", RequestID: "req-GET"},
	}
	if d := cmp.Diff(want, rec.entries); d != "" {
		t.Errorf("entries (-want +got):\n%s", d)
	}
}

func contextWith(r *http.Request, k, v any) context.Context {
	return context.WithValue(r.Context(), k, v)
}
