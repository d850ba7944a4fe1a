package groqmock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkChat measures the handler alone (no network), the cost the double adds to a benchmark.
func BenchmarkChat(b *testing.B) {
	for _, tc := range []struct{ name, body string }{
		{"plain", `{"model":"openai/gpt-oss-20b","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello there, how are you today?"}]}`},
		{"stream", `{"model":"openai/gpt-oss-20b","stream":true,"messages":[{"role":"user","content":"hello there, how are you today?"}]}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			mock := New(Config{Orgs: []Org{{ID: "org_a", Keys: []string{"gsk_a1"},
				Limits: map[string]Limits{"": {RPM: 1 << 30, RPD: 1 << 30, TPM: 1 << 30, TPD: 1 << 30}}}}})
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/openai/v1/chat/completions", strings.NewReader(tc.body))
					req.Header.Set("Authorization", "Bearer gsk_a1")
					w := httptest.NewRecorder()
					mock.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}
