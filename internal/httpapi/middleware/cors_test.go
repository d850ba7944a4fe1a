package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCORS(t *testing.T) {
	origins, err := ParseOrigins("https://chat.example.com, http://localhost:3000/")
	if err != nil {
		t.Fatal(err)
	}
	h := CORS(CORSOptions{Origins: origins})(http.HandlerFunc(ok))
	type want struct {
		Status      int
		AllowOrigin string
		Credentials string
		Methods     string
		MaxAge      string
		Vary        []string
	}
	tests := []struct {
		name   string
		method string
		origin string
		preReq string
		want   want
	}{
		{"same-origin request", "GET", "", "", want{Status: 200, Vary: []string{"Origin"}}},
		{"listed origin", "GET", "https://chat.example.com", "", want{Status: 200, AllowOrigin: "https://chat.example.com", Credentials: "true", Vary: []string{"Origin"}}},
		{"listed origin, other case", "POST", "https://CHAT.example.com", "", want{Status: 200, AllowOrigin: "https://CHAT.example.com", Credentials: "true", Vary: []string{"Origin"}}},
		{"unknown origin gets nothing", "GET", "https://evil.example", "", want{Status: 200, Vary: []string{"Origin"}}},
		{"suffix trick", "GET", "https://chat.example.com.evil.example", "", want{Status: 200, Vary: []string{"Origin"}}},
		{"scheme matters", "GET", "http://chat.example.com", "", want{Status: 200, Vary: []string{"Origin"}}},
		{"null origin", "GET", "null", "", want{Status: 200, Vary: []string{"Origin"}}},
		{"preflight listed", "OPTIONS", "http://localhost:3000", "PATCH", want{Status: 204, AllowOrigin: "http://localhost:3000", Credentials: "true",
			Methods: "GET, POST, PATCH, DELETE, OPTIONS", MaxAge: "600", Vary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}}},
		{"preflight unknown", "OPTIONS", "https://evil.example", "POST", want{Status: 403, Vary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}}},
		{"plain OPTIONS passes through", "OPTIONS", "https://chat.example.com", "", want{Status: 200, AllowOrigin: "https://chat.example.com", Credentials: "true", Vary: []string{"Origin"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/api/v1/me", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.preReq != "" {
				r.Header.Set("Access-Control-Request-Method", tt.preReq)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			got := want{Status: w.Code, AllowOrigin: w.Header().Get("Access-Control-Allow-Origin"),
				Credentials: w.Header().Get("Access-Control-Allow-Credentials"), Methods: w.Header().Get("Access-Control-Allow-Methods"),
				MaxAge: w.Header().Get("Access-Control-Max-Age"), Vary: w.Header().Values("Vary")}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestCORSWildcardNeverWithCredentials(t *testing.T) {
	origins, err := ParseOrigins("*")
	if err != nil {
		t.Fatal(err)
	}
	h := CORS(CORSOptions{Origins: origins})(http.HandlerFunc(ok))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "https://anyone.example")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Allow-Origin = %q, want *", got)
	}
	if got := w.Header().Get("Access-Control-Allow-Credentials"); got != "" {
		t.Errorf("Allow-Credentials = %q with a wildcard", got)
	}
}

func TestParseOriginsRejectsGarbage(t *testing.T) {
	_, err := ParseOrigins("https://ok.example, ftp://x.example, https://x.example/path, chat.example.com")
	if err == nil || err.Error() != "cors origins: not an origin (scheme://host[:port]): ftp://x.example, https://x.example/path, chat.example.com" {
		t.Fatalf("err = %v", err)
	}
}

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }
