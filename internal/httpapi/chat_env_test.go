package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/ratelimit"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/usage"
)

const (
	mockKey   = "gsk_chat_test_key"
	mockOrg   = "org_chattest"
	chatModel = apitest.DefaultModel // also the conversations default
)

// chatEnv is the whole API on a real store, with the chat routes on the
// real key pool in front of groqmock.
type chatEnv struct {
	*apitest.Env
	mock *groqmock.Server
	pool *groq.Pool
	rec  *usage.Recorder
	// arrived receives a signal as each upstream chat request reaches groqmock.
	arrived chan struct{}
	// ended receives each upstream chat request's context error when
	// groqmock's handler returns (context.Canceled: parley hung up).
	ended chan error
	// handled receives the route pattern when one of the chat routes' handlers has returned.
	handled chan string
	// upstream holds the body of every chat request that reached groqmock.
	upstream *upstreamBodies
}

// upstreamBodies records what parley sent to groqmock.
type upstreamBodies struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (u *upstreamBodies) add(b []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.bodies = append(u.bodies, b)
}

// last is the newest chat request's body.
func (u *upstreamBodies) last(t *testing.T) []byte {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.bodies) == 0 {
		t.Fatal("no chat request reached groqmock")
	}
	return u.bodies[len(u.bodies)-1]
}

type chatOptions struct {
	quota        int64
	limits       map[string]groqmock.Limits
	unconfigured bool
	keepAlive    time.Duration
	// streams, when set, is the replica's stream counter (else uncapped).
	streams *ratelimit.Streams
	// counter, when set, keeps the quota totals (else in memory).
	counter usage.Counter
	// firstTokenLatency paces groqmock's answers, so calls overlap.
	firstTokenLatency time.Duration
}

func startChat(t *testing.T, st store.Store, o chatOptions) *chatEnv {
	t.Helper()
	mock := groqmock.New(groqmock.Config{FirstTokenLatency: o.firstTokenLatency, Orgs: []groqmock.Org{{ID: mockOrg, Keys: []string{mockKey}, Limits: o.limits}}})
	e := &chatEnv{mock: mock, arrived: make(chan struct{}, 64), ended: make(chan error, 64), handled: make(chan string, 64),
		upstream: &upstreamBodies{}}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openai/v1/chat/completions" {
			raw, _ := io.ReadAll(r.Body)
			e.upstream.add(raw)
			r.Body = io.NopCloser(bytes.NewReader(raw))
			select {
			case e.arrived <- struct{}{}:
			default:
			}
		}
		mock.ServeHTTP(w, r)
		if r.URL.Path == "/openai/v1/chat/completions" {
			select {
			case e.ended <- r.Context().Err():
			default:
			}
		}
	}))
	t.Cleanup(up.Close)
	t.Cleanup(mock.Close)
	clock := testkit.NewClock(time.Now())
	var err error
	e.pool, err = groq.New(groq.Options{Keys: []string{mockKey + "@" + mockOrg}, BaseURL: up.URL + "/openai/v1",
		MaxAttempts: 1, QueueTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.rec, err = usage.NewRecorder(usage.Options{Store: st, Counter: o.counter, DefaultQuota: o.quota, FlushInterval: time.Hour, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.rec.Close(context.Background()) })
	// The audit middleware records each call once its handler returned:
	// that is when the chat routes' answers are stored.
	handled := handledRecorder(e.handled)
	e.Env = apitest.Start(t, st, apitest.Options{Completer: e.pool, Usage: e.rec, Clock: clock,
		Deps: func(d *httpapi.Deps) {
			d.ChatConfigured = func() bool { return !o.unconfigured }
			d.KeepAlive = o.keepAlive
			if o.streams != nil {
				d.Streams = o.streams
			}
			d.Audit = handled
		}})
	return e
}

// handledRecorder signals the route of every audited call of the chat
// routes (streams, models, tokens, usage, /v1).
type handledRecorder chan string

func (h handledRecorder) Record(e audit.Entry) {
	chatRoute := strings.HasSuffix(e.Route, "/messages") || strings.HasSuffix(e.Route, "/regenerate") ||
		strings.Contains(e.Route, " /v1/") || strings.Contains(e.Route, "/api/v1/models") ||
		strings.Contains(e.Route, "/api/v1/tokens") || strings.Contains(e.Route, "/api/v1/usage")
	if !chatRoute {
		return
	}
	select {
	case h <- e.Route:
	default:
	}
}

// conversation creates a conversation for the user of token.
func (e *chatEnv) conversation(token string) string {
	e.T.Helper()
	var c httpapi.ConversationJSON
	e.Want(e.Call("POST", "/api/v1/conversations", token, map[string]any{}), http.StatusCreated).Decode(e.T, &c)
	return c.ID
}

// sseEvent is one server-sent event.
type sseEvent struct {
	name string
	data string
}

// sseStream reads events off a live response, one at a time.
type sseStream struct {
	res *http.Response
	r   *bufio.Reader
}

// openStream posts body to path and returns the live response.
func (e *chatEnv) openStream(ctx context.Context, path, token string, body any) (*http.Response, *sseStream) {
	e.T.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", e.URL+path, strings.NewReader(string(raw)))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Encoding", "gzip") // a browser's ask must not buffer the stream
	res, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { _ = res.Body.Close() })
	return res, &sseStream{res: res, r: bufio.NewReader(res.Body)}
}

// next returns the next event, or io.EOF at the end of the stream.
func (s *sseStream) next() (sseEvent, error) {
	var ev sseEvent
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" && ev.name == "" && ev.data == "" {
				return ev, io.EOF
			}
			return ev, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if ev.name != "" || ev.data != "" {
				return ev, nil
			}
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// must returns the next event and fails the test unless it is named name.
func (s *sseStream) must(t *testing.T, name string, v any) sseEvent {
	t.Helper()
	ev, err := s.next()
	if err != nil {
		t.Fatalf("reading event %q: %v", name, err)
	}
	if ev.name != name {
		t.Fatalf("event %q (%s), want %q", ev.name, ev.data, name)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(ev.data), v); err != nil {
			t.Fatalf("event %s data %q: %v", name, ev.data, err)
		}
	}
	return ev
}
