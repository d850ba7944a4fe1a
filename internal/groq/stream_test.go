package groq_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
)

func readAll(t *testing.T, s chat.Stream) (string, *chat.Usage, error) {
	t.Helper()
	var b strings.Builder
	var u *chat.Usage
	for {
		c, err := s.Next()
		if err == io.EOF {
			return b.String(), u, nil
		}
		if err != nil {
			return b.String(), u, err
		}
		b.WriteString(c.Content)
		if c.Usage != nil {
			u = c.Usage
		}
	}
}

func TestStream(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}})
	p := e.pool([]string{"gsk_aaaaaaaa"})
	s, err := p.Stream(context.Background(), request("stream me", true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text, u, err := readAll(t, s)
	if err != nil || text != groqmock.Reply("stream me") {
		t.Fatalf("stream: %q, %v", text, err)
	}
	if u == nil || u.CompletionTokens != groqmock.CountTokens(text) || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
		t.Fatalf("usage %+v", u)
	}
	if _, err := s.Next(); err != io.EOF {
		t.Fatalf("Next after the end: %v", err)
	}
}

func TestMidStreamError(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}})
	p := e.pool([]string{"gsk_aaaaaaaa"})
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultMidStreamError, AfterChunks: 2, Status: 500})
	s, err := p.Stream(context.Background(), request("a long enough prompt", true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text, _, err := readAll(t, s)
	wantCode(t, err, errs.Upstream)
	if want := groqmock.Reply("a long enough prompt")[:8]; text != want {
		t.Fatalf("text before the error %q, want %q", text, want)
	}
}

func TestStreamRetriesBeforeTheFirstByte(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"}})
	p := e.pool([]string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"})
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultDrop})
	s, err := p.Stream(context.Background(), request("again", true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if text, _, err := readAll(t, s); err != nil || text != groqmock.Reply("again") {
		t.Fatalf("%q, %v", text, err)
	}
}

func TestClientCancelMidStreamCancelsUpstream(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}})
	dh := &doneHandler{next: e.mock, done: make(chan struct{})}
	srv := httptest.NewServer(dh)
	defer srv.Close()
	p := e.pool([]string{"gsk_aaaaaaaa"}, func(o *groq.Options) { o.BaseURL, o.HTTPClient = srv.URL+"/openai/v1", srv.Client() })
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 1})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.Stream(ctx, request("hang after one chunk", true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 { // role chunk, one content chunk
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	next := make(chan error, 1)
	go func() {
		_, err := s.Next()
		next <- err
	}()
	cancel()
	if err := <-next; !errors.Is(err, context.Canceled) {
		t.Fatalf("Next after cancel: %v", err)
	}
	select {
	case <-dh.done:
	case <-time.After(10 * time.Second):
		t.Fatal("upstream request still running after the client cancelled")
	}
}

func TestReloadKeepsStreamsAndKeyState(t *testing.T) {
	e := newEnv(t,
		groqmock.Org{ID: "org_a", Keys: []string{"gsk_old_key", "gsk_dead_key"}},
		groqmock.Org{ID: "org_b", Keys: []string{"gsk_new_key"}},
	)
	e.mock.RevokeKey("gsk_dead_key")
	p := e.pool([]string{"gsk_dead_key@org_a"})
	_, err := complete(t, p, "x")
	wantCode(t, err, errs.Unavailable)

	if err := p.Reload([]string{"gsk_old_key@org_a", "gsk_dead_key@org_a"}); err != nil {
		t.Fatal(err)
	}
	s, err := p.Stream(context.Background(), request("keep streaming", true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Reload([]string{"gsk_new_key@org_b", "gsk_dead_key@org_a"}); err != nil {
		t.Fatal(err)
	}
	text, _, err := readAll(t, s)
	if err != nil || first.Content+text != groqmock.Reply("keep streaming") {
		t.Fatalf("stream across a reload: %q, %v", first.Content+text, err)
	}
	mustComplete(t, p, "after reload")
	st := e.mock.Stats()
	if st.Keys["gsk_new_key"].Completed != 1 || st.Keys["gsk_old_key"].Completed != 1 {
		t.Errorf("completions by key: %+v", st.Keys)
	}
	if s := keyStatus(t, p, "gsk_dead_key"); s.State != groq.StateDead {
		t.Errorf("a remaining key lost its dead state: %+v", s)
	}
	if err := p.Reload([]string{"not-a-key"}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("Reload(bad) = %v", err)
	}
	if n := len(p.Snapshot(context.Background())); n != 2 {
		t.Errorf("a bad reload changed the key set: %d keys", n)
	}
}

func TestCloseUnblocksNext(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}})
	p := e.pool([]string{"gsk_aaaaaaaa"})
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 1})
	s, err := p.Stream(context.Background(), request("hang", true))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	next := make(chan error, 1)
	go func() {
		_, err := s.Next()
		next <- err
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-next; err == nil || err == io.EOF {
		t.Fatalf("Next after Close: %v; want an error", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestStreamErrorBeforeTheFirstByteIsRetried(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"}})
	p := e.pool([]string{"gsk_aaaaaaaa", "gsk_bbbbbbbb"})
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultMidStreamError, AfterChunks: 0, Status: 503})
	s, err := p.Stream(context.Background(), request("second try", true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if text, _, err := readAll(t, s); err != nil || text != groqmock.Reply("second try") {
		t.Fatalf("%q, %v", text, err)
	}
	if n := e.mock.Stats().Orgs["org_a"].Faulted; n != 1 {
		t.Fatalf("faulted %d", n)
	}

	// A request error in the first frame is the user's: not retried.
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultMidStreamError, AfterChunks: 0, Status: 400})
	_, err = p.Stream(context.Background(), request("bad tools", true))
	if e := wantCode(t, err, errs.Invalid); !strings.Contains(e.Message, "Failed to call a function") {
		t.Fatalf("message %q", e.Message)
	}
	if n := e.mock.Stats().Orgs["org_a"].Requests; n != 3 {
		t.Fatalf("requests %d, want 3 (fault, retry, one bad request)", n)
	}
}

func TestStalledStreamEnds(t *testing.T) {
	e := newEnv(t, groqmock.Org{ID: "org_a", Keys: []string{"gsk_aaaaaaaa"}})
	p := e.pool([]string{"gsk_aaaaaaaa"}, func(o *groq.Options) { o.StreamIdleTimeout = 100 * time.Millisecond })
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 2})
	s, err := p.Stream(context.Background(), request("stall after two chunks", true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = readAll(t, s)
	if e := wantCode(t, err, errs.Upstream); e.Message != "Groq stopped sending the answer" {
		t.Fatalf("message %q", e.Message)
	}
}
