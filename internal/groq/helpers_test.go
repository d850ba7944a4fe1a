package groq_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

const model = "openai/gpt-oss-20b"

// env is a groqmock behind an HTTP server, on a manual clock.
type env struct {
	t     *testing.T
	clock *testkit.Clock
	mock  *groqmock.Server
	srv   *httptest.Server
	logs  *testkit.Buffer
}

func newEnv(t *testing.T, orgs ...groqmock.Org) *env {
	t.Helper()
	e := &env{t: t, clock: testkit.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)), logs: &testkit.Buffer{}}
	e.mock = groqmock.New(groqmock.Config{Orgs: orgs, Now: e.clock.Now})
	e.srv = httptest.NewServer(e.mock)
	t.Cleanup(func() {
		e.mock.Close()
		e.srv.Close()
		if strings.Contains(e.logs.String(), "gsk_") {
			t.Errorf("a Groq key reached the logs:\n%s", e.logs.String())
		}
	})
	return e
}

// pool builds a Pool on the env; opts may adjust the options.
func (e *env) pool(keys []string, opts ...func(*groq.Options)) *groq.Pool {
	e.t.Helper()
	o := groq.Options{
		Keys:         keys,
		BaseURL:      e.srv.URL + "/openai/v1",
		HTTPClient:   e.srv.Client(),
		QueueTimeout: 10 * time.Second,
		Backoff:      func(int) time.Duration { return 0 },
		Now:          e.clock.Now,
		After:        e.clock.After,
		Logger:       slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range opts {
		f(&o)
	}
	p, err := groq.New(o)
	if err != nil {
		e.t.Fatalf("groq.New: %v", err)
	}
	return p
}

// request is a small chat completion for model.
func request(prompt string, stream bool) chat.CompletionRequest {
	body := fmt.Sprintf(`{"model":%q,"messages":[{"role":"user","content":%q}],"max_completion_tokens":40,"stream":%t}`, model, prompt, stream)
	return chat.CompletionRequest{Model: model, Body: []byte(body), Stream: stream, EstimatedTokens: 60, RequestID: "req-test"}
}

func complete(t *testing.T, p *groq.Pool, prompt string) (chat.Completion, error) {
	t.Helper()
	return p.Complete(context.Background(), request(prompt, false))
}

// mustComplete fails the test unless the completion answers groqmock's reply.
func mustComplete(t *testing.T, p *groq.Pool, prompt string) {
	t.Helper()
	c, err := complete(t, p, prompt)
	if err != nil {
		t.Fatalf("Complete(%q): %v", prompt, err)
	}
	if c.Content != groqmock.Reply(prompt) {
		t.Fatalf("Complete(%q) content = %q", prompt, c.Content)
	}
}

func wantCode(t *testing.T, err error, code errs.Code) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error = %v; want code %s", err, code)
	}
	if strings.Contains(e.Message, "gsk_") || strings.Contains(e.Error(), "gsk_") {
		t.Fatalf("error leaks a key: %v", e)
	}
	return e
}

// keyStatus finds a key's status in a snapshot.
func keyStatus(t *testing.T, p *groq.Pool, key string) groq.KeyStatus {
	t.Helper()
	for _, k := range p.Snapshot(context.Background()) {
		if k.Fingerprint == groq.Fingerprint(key) {
			return k
		}
	}
	t.Fatalf("key %s not in snapshot", groq.Fingerprint(key))
	return groq.KeyStatus{}
}

// doneHandler reports, per request, when the server saw its context end.
type doneHandler struct {
	next http.Handler
	done chan struct{}
}

func (h *doneHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.next.ServeHTTP(w, r)
	select {
	case <-r.Context().Done():
		close(h.done)
	default:
	}
}

func rpm(n int) map[string]groqmock.Limits { return map[string]groqmock.Limits{"": {RPM: n}} }
