package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/parley-chat/parley/internal/groqmock"
)

// groqKey is the Groq key parley is configured with in these tests.
const groqKey = "gsk_edgetestkey0123456789"

// gatedGroq is the Groq double behind a gate: chat completions announce
// themselves on arrived and wait for release before the double answers.
type gatedGroq struct {
	mock    *groqmock.Server
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gatedGroq) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.release != nil && r.Method == http.MethodPost && len(r.URL.Path) > 17 && r.URL.Path[len(r.URL.Path)-17:] == "/chat/completions" {
		g.arrived <- struct{}{}
		select {
		case <-g.release:
		case <-r.Context().Done():
			return
		}
	}
	g.mock.ServeHTTP(w, r)
}

// open releases every waiting and future completion.
func (g *gatedGroq) open() { g.once.Do(func() { close(g.release) }) }

// startGroq serves the double; gated makes completions wait for open().
func startGroq(t *testing.T, gated bool) (*gatedGroq, map[string]string) {
	t.Helper()
	g := &gatedGroq{mock: groqmock.New(groqmock.Config{Orgs: []groqmock.Org{{ID: "org_edgetest", Keys: []string{groqKey}}}})}
	if gated {
		g.arrived, g.release = make(chan struct{}, 64), make(chan struct{})
		t.Cleanup(g.open)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	t.Cleanup(g.mock.Close)
	return g, map[string]string{
		"PARLEY_GROQ_API_KEYS": groqKey + "@org_edgetest",
		"PARLEY_GROQ_BASE_URL": srv.URL + "/openai/v1",
		"PARLEY_DEFAULT_MODEL": groqmock.DefaultModels()[0].ID,
	}
}

// call sends a JSON request and returns the status and the raw body.
func call(t *testing.T, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// callJSON is call that wants status and decodes the body.
func callJSON(t *testing.T, method, url, token string, body any, want int) map[string]any {
	t.Helper()
	status, b := call(t, method, url, token, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, status, want, b)
	}
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
	return out
}
