package waf_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/waf"
)

// TestLoadTime reports how long loading the Core Rule Set takes.
func TestLoadTime(t *testing.T) {
	start := time.Now()
	fw := newFixture(t, waf.Block).fw
	t.Logf("rules loaded in %v (New: %v)", fw.LoadTime(), time.Since(start))
	if fw.LoadTime() <= 0 {
		t.Error("load time not measured")
	}
}

// BenchmarkWAF measures the firewall's cost per request, against the same
// handler without it: a conversation list (line and headers only) and a
// chat message (JSON body, content excluded).
func BenchmarkWAF(b *testing.B) {
	fw := newFixture(b, waf.Block).fw
	sink := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
	cases := []struct {
		name, route string
		req         func() *http.Request
	}{
		{"list", listRoute, func() *http.Request { return getReq("/api/v1/conversations?limit=20&q=budget") }},
		{"message", messagesRoute, func() *http.Request {
			return jsonReq("POST", "/api/v1/conversations/c1/messages", map[string]string{"content": attack, "model": "openai/gpt-oss-120b"})
		}},
		{"create", convRoute, func() *http.Request {
			return jsonReq("POST", "/api/v1/conversations", map[string]string{"title": "Quarterly planning", "model": "openai/gpt-oss-120b"})
		}},
	}
	for _, c := range cases {
		for _, on := range []bool{false, true} {
			h := http.Handler(sink)
			name := c.name + "/bare"
			if on {
				h, name = fw.Route(c.route)(sink), c.name+"/waf"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, c.req())
					if w.Code != http.StatusOK {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
		}
	}
}
