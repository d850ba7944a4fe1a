package groqmock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// testModel is the model most tests talk to.
const testModel = "openai/gpt-oss-20b"

// fakeClock is an injectable clock that only moves when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// start serves a double for the test; cfg.Now defaults to a frozen fake clock.
func start(t *testing.T, cfg Config) (*Server, *httptest.Server, *fakeClock) {
	t.Helper()
	clk := newClock()
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	if cfg.Orgs == nil {
		cfg.Orgs = []Org{{ID: "org_a", Keys: []string{"gsk_a1", "gsk_a2"}}, {ID: "org_b", Keys: []string{"gsk_b1"}}}
	}
	mock := New(cfg)
	hs := httptest.NewServer(mock)
	t.Cleanup(func() {
		mock.Close()
		hs.Close()
	})
	return mock, hs, clk
}

// client is the official OpenAI Go client pointed at the double, without retries.
func client(hs *httptest.Server, key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(hs.URL+"/openai/v1"), option.WithAPIKey(key), option.WithMaxRetries(0))
}

// reply is a raw HTTP answer.
type reply struct {
	status int
	header http.Header
	body   string
}

// do sends a raw request; body may be a string or any JSON-marshalable value.
func do(t *testing.T, hs *httptest.Server, method, path, key string, body any) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, hs.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// chatBody is a one-message request, with extra fields merged in.
func chatBody(model, text string, extra map[string]any) map[string]any {
	b := map[string]any{"model": model, "messages": []map[string]any{{"role": "user", "content": text}}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// post sends a chat completion request.
func post(t *testing.T, hs *httptest.Server, key string, body any) reply {
	t.Helper()
	return do(t, hs, http.MethodPost, "/openai/v1/chat/completions", key, body)
}

// apiErr decodes an error envelope.
func apiErr(t *testing.T, body string) apiError {
	t.Helper()
	var env struct {
		Error apiError `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return env.Error
}
