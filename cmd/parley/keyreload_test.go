package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
)

const (
	reloadKeyA = "gsk_reload_key_a_0001"
	reloadKeyB = "gsk_reload_key_b_0002"
)

// reloadOutcome is one reload the server reported through env.keysReloaded.
type reloadOutcome struct {
	fps []string
	err error
}

// gatedUpstream serves mock but holds the first completion made with key
// after its first bytes, until release is closed: a stream in flight.
type gatedUpstream struct {
	mock    *groqmock.Server
	key     string
	once    sync.Once
	held    chan struct{} // closed when the held stream sent its first bytes
	release chan struct{}
}

func (g *gatedUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gate := false
	if r.Header.Get("Authorization") == "Bearer "+g.key && strings.HasSuffix(r.URL.Path, "/chat/completions") {
		g.once.Do(func() { gate = true })
	}
	if !gate {
		g.mock.ServeHTTP(w, r)
		return
	}
	g.mock.ServeHTTP(&holdWriter{ResponseWriter: w, g: g}, r)
}

// holdWriter flushes the first write, then blocks until the gate opens.
type holdWriter struct {
	http.ResponseWriter
	g      *gatedUpstream
	passed bool
}

func (h *holdWriter) Write(p []byte) (int, error) {
	n, err := h.ResponseWriter.Write(p)
	if !h.passed {
		h.passed = true
		h.Flush()
		close(h.g.held)
		<-h.g.release
	}
	return n, err
}

func (h *holdWriter) Flush()                      { h.ResponseWriter.(http.Flusher).Flush() }
func (h *holdWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// chatUser registers a user and opens a conversation; it returns the
// access token and the conversation's messages URL.
func chatUser(t *testing.T, s *server, email string) (string, string) {
	t.Helper()
	status, auth := post(t, s.url+"/api/v1/auth/register", "", map[string]string{"email": email, "password": "password-1"})
	if status != 201 {
		t.Fatalf("register: %d %v", status, auth)
	}
	tok := auth["access_token"].(string)
	status, conv := post(t, s.url+"/api/v1/conversations", tok, map[string]string{})
	if status != 201 {
		t.Fatalf("conversation: %d %v", status, conv)
	}
	return tok, s.url + "/api/v1/conversations/" + conv["id"].(string) + "/messages"
}

// streamMessage sends one chat message and returns the whole event stream.
func streamMessage(t *testing.T, url, tok, content string) (int, string) {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"content": content})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer res.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return res.StatusCode, b.String()
}

func writeKeys(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil { // as an operator's editor or a secret mount does
		t.Fatal(err)
	}
}

func reloadServer(t *testing.T, keysFile string, poll time.Duration, up string) (*server, chan reloadOutcome) {
	t.Helper()
	vars := baseVars(t)
	vars["PARLEY_GROQ_API_KEYS_FILE"] = keysFile
	vars["PARLEY_GROQ_BASE_URL"] = up + "/openai/v1"
	vars["PARLEY_DEFAULT_MODEL"] = groqmock.DefaultModels()[0].ID
	reloads := make(chan reloadOutcome, 8)
	s := startServeFull(t, env{lookup: lookupFrom(vars), keysPoll: poll,
		keysReloaded: func(fps []string, err error) { reloads <- reloadOutcome{fps, err} }})
	return s, reloads
}

func waitReload(t *testing.T, reloads chan reloadOutcome) reloadOutcome {
	t.Helper()
	select {
	case r := <-reloads:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("the keys were not reloaded")
		return reloadOutcome{}
	}
}

// TestGroqKeysReloadOnFileChange: rewriting the keys file swaps the key set
// while a stream is in flight on the old key; that stream completes, the
// next request uses the new key, and a broken file keeps the keys in use.
func TestGroqKeysReloadOnFileChange(t *testing.T) {
	mock := groqmock.New(groqmock.Config{Orgs: []groqmock.Org{
		{ID: "org_a", Keys: []string{reloadKeyA}}, {ID: "org_b", Keys: []string{reloadKeyB}},
	}})
	t.Cleanup(mock.Close)
	gate := &gatedUpstream{mock: mock, key: reloadKeyA, held: make(chan struct{}), release: make(chan struct{})}
	up := httptest.NewServer(gate)
	t.Cleanup(up.Close)
	keysFile := filepath.Join(t.TempDir(), "groq-keys")
	writeKeys(t, keysFile, "# the team's key\n"+reloadKeyA+"@org_a\n")
	s, reloads := reloadServer(t, keysFile, 10*time.Millisecond, up.URL)
	tok, messages := chatUser(t, s, "reload@example.com")

	inflight := make(chan string, 1)
	go func() {
		status, body := streamMessage(t, messages, tok, "a long answer please")
		if status != 200 {
			t.Errorf("stream on the old key: %d", status)
		}
		inflight <- body
	}()
	<-gate.held // the completion is under way on key A

	writeKeys(t, keysFile, "# rotated\n\n"+reloadKeyB+"@org_b # new key\n")
	if r := waitReload(t, reloads); r.err != nil || !cmp.Equal(r.fps, []string{groq.Fingerprint(reloadKeyB)}) {
		t.Fatalf("reload after the file changed: %v %v", r.fps, r.err)
	}
	close(gate.release)
	if body := <-inflight; !strings.Contains(body, "event: done") || strings.Contains(body, "event: error") {
		t.Fatalf("the stream in flight did not complete:\n%s", body)
	}
	if status, body := streamMessage(t, messages, tok, "and now?"); status != 200 || !strings.Contains(body, "event: done") {
		t.Fatalf("request after the reload: %d\n%s", status, body)
	}

	writeKeys(t, keysFile, reloadKeyB+"\nsk-not-a-groq-key\n")
	if r := waitReload(t, reloads); r.err == nil {
		t.Fatal("a broken keys file was accepted")
	}
	if status, body := streamMessage(t, messages, tok, "still there?"); status != 200 || !strings.Contains(body, "event: done") {
		t.Fatalf("request after a broken file: %d\n%s", status, body)
	}

	st := mock.Stats()
	got := map[string][2]int64{}
	for _, k := range []string{reloadKeyA, reloadKeyB} {
		got[k] = [2]int64{st.Keys[k].Requests, st.Keys[k].Completed}
	}
	want := map[string][2]int64{reloadKeyA: {1, 1}, reloadKeyB: {2, 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("upstream requests/completions per key (-want +got)\n%s", diff)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	log := s.out.String()
	for _, secret := range []string{reloadKeyA, reloadKeyB, "sk-not-a-groq-key"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log shows a key (%s…)", secret[:8])
		}
	}
	if !strings.Contains(log, groq.Fingerprint(reloadKeyB)) || !strings.Contains(log, "Groq keys not reloaded") {
		t.Errorf("the log lacks the reload lines:\n%s", log)
	}
}

// TestGroqKeysReloadOnSIGHUP: a server started without any key turns chat
// on when keys are added and SIGHUP is sent.
func TestGroqKeysReloadOnSIGHUP(t *testing.T) {
	mock := groqmock.New(groqmock.Config{Orgs: []groqmock.Org{{ID: "org_a", Keys: []string{reloadKeyA}}}})
	t.Cleanup(mock.Close)
	up := httptest.NewServer(mock)
	t.Cleanup(up.Close)
	keysFile := filepath.Join(t.TempDir(), "groq-keys")
	writeKeys(t, keysFile, "# no key yet\n")
	s, reloads := reloadServer(t, keysFile, time.Hour, up.URL) // only the signal reloads
	tok, messages := chatUser(t, s, "hup@example.com")
	if status, m := get(t, s.url+"/api/v1/models", tok); status != 200 || m["configured"] != false {
		t.Fatalf("models without a key: %d %v", status, m)
	}
	if status, _ := get(t, s.url+"/readyz", ""); status != 200 {
		t.Fatalf("readyz without a key: %d", status)
	}

	writeKeys(t, keysFile, reloadKeyA+"\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if r := waitReload(t, reloads); r.err != nil || len(r.fps) != 1 {
		t.Fatalf("reload on SIGHUP: %v %v", r.fps, r.err)
	}
	status, m := get(t, s.url+"/api/v1/models", tok)
	if data, _ := m["data"].([]any); status != 200 || m["configured"] != true || len(data) == 0 {
		t.Fatalf("models after the reload: %d %v", status, m)
	}
	if status, body := streamMessage(t, messages, tok, "hello"); status != 200 || !strings.Contains(body, "event: done") {
		t.Fatalf("chat after the reload: %d\n%s", status, body)
	}
	if status, _ := get(t, s.url+"/readyz", ""); status != 200 {
		t.Errorf("readyz after the reload: %d", status)
	}
	if got := mock.Stats().Keys[reloadKeyA].Completed; got != 1 {
		t.Errorf("completions on the new key: %d, want 1", got)
	}
}
