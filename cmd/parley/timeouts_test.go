package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/groqmock"
)

// Small timeouts so the tests run quickly; the rules are the same at 30s.
const (
	testReadHeaderTimeout = 400 * time.Millisecond
	testReadTimeout       = 500 * time.Millisecond
	testWriteTimeout      = 300 * time.Millisecond
)

// timeoutServer runs serve (SQLite) with the small timeouts in front of a
// groqmock that generates tokensPerSecond (0: as fast as it can).
func timeoutServer(t *testing.T, tokensPerSecond float64) *server {
	t.Helper()
	mock := groqmock.New(groqmock.Config{Orgs: []groqmock.Org{{ID: "org_t", Keys: []string{"gsk_timeouts1"}}},
		TokensPerSecond: tokensPerSecond})
	up := httptest.NewServer(mock)
	t.Cleanup(up.Close)
	t.Cleanup(mock.Close)
	vars := baseVars(t)
	vars["PARLEY_GROQ_API_KEYS"] = "gsk_timeouts1@org_t"
	vars["PARLEY_GROQ_BASE_URL"] = up.URL + "/openai/v1"
	vars["PARLEY_DEFAULT_MODEL"] = groqmock.DefaultModels()[0].ID
	vars["PARLEY_READ_HEADER_TIMEOUT"] = testReadHeaderTimeout.String()
	vars["PARLEY_READ_TIMEOUT"] = testReadTimeout.String()
	vars["PARLEY_WRITE_TIMEOUT"] = testWriteTimeout.String()
	return startServe(t, vars)
}

// userAndConversation registers a user and opens a conversation.
func userAndConversation(t *testing.T, s *server) (token, conv string) {
	t.Helper()
	status, auth := post(t, s.url+"/api/v1/auth/register", "", map[string]string{"email": "slow@example.com", "password": "password-1"})
	if status != 201 {
		t.Fatalf("register: %d %v", status, auth)
	}
	token = auth["access_token"].(string)
	status, c := post(t, s.url+"/api/v1/conversations", token, map[string]string{})
	if status != 201 {
		t.Fatalf("conversation: %d %v", status, c)
	}
	return token, c["id"].(string)
}

// trickle writes data one byte every step until done is closed or the
// server stops taking bytes; it returns how many bytes went out.
func trickle(conn net.Conn, data []byte, step time.Duration, done <-chan struct{}) int {
	tick := time.NewTicker(step)
	defer tick.Stop()
	for i := range data {
		if _, err := conn.Write(data[i : i+1]); err != nil {
			return i
		}
		select {
		case <-done:
			return i + 1
		case <-tick.C:
		}
	}
	return len(data)
}

// TestSlowClientsAreDisconnected: a client that sends its headers, or its
// body, slower than the read timeouts allow is disconnected long before it
// would have finished.
func TestSlowClientsAreDisconnected(t *testing.T) {
	s := timeoutServer(t, 0)
	host := strings.TrimPrefix(s.url, "http://")
	body := `{"email":"slow@example.com","password":"password-1"}`
	head := "POST /api/v1/auth/login HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))

	t.Run("headers byte by byte (slowloris)", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		closed := make(chan []byte)
		go func() { b, _ := io.ReadAll(conn); closed <- b }() // returns when the server hangs up
		done := make(chan struct{})
		sentc := make(chan int)
		go func() { sentc <- trickle(conn, []byte(head), 50*time.Millisecond, done) }()
		got := <-closed
		close(done)
		sent := <-sentc
		if sent >= len(head) {
			t.Fatalf("the server waited for all %d header bytes", len(head))
		}
		// Go may say 400 before hanging up on a request cut mid-headers.
		if len(got) != 0 && !strings.HasPrefix(string(got), "HTTP/1.1 400 ") {
			t.Errorf("a half-sent request got an answer: %q", got)
		}
	})

	t.Run("body byte by byte", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		answered := make(chan *http.Response)
		go func() {
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				res = nil
			}
			answered <- res
		}()
		done := make(chan struct{})
		sentc := make(chan int)
		go func() { sentc <- trickle(conn, []byte(body), 50*time.Millisecond, done) }()
		res := <-answered
		close(done)
		sent := <-sentc
		if sent >= len(body) {
			t.Fatalf("the server waited for all %d body bytes", len(body))
		}
		if res == nil {
			t.Fatal("no answer before the connection closed")
		}
		b, _ := io.ReadAll(res.Body) // ends when the server closes the connection
		if res.StatusCode != http.StatusRequestTimeout || !res.Close || !strings.Contains(string(b), "request_timeout") {
			t.Errorf("slow body: %d (close %v) %s", res.StatusCode, res.Close, b)
		}
		if _, err := conn.Read(make([]byte, 1)); err == nil {
			t.Error("the connection stayed open after the slow body")
		}
	})
}

// sseData returns the data lines of an event stream, in order, and the
// names of its events.
func sseData(stream string) (names, data []string) {
	for _, block := range strings.Split(stream, "\n\n") {
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "event: "):
				names = append(names, strings.TrimPrefix(line, "event: "))
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}
	return names, data
}

// TestLongStreamsOutliveTheTimeouts: chat and /v1 streams paced by the
// model, and a slow /v1 completion, run well past the read and write
// timeouts and arrive whole.
func TestLongStreamsOutliveTheTimeouts(t *testing.T) {
	s := timeoutServer(t, 20) // a 30-token answer takes 1.5 s
	token, conv := userAndConversation(t, s)
	prompt := "please tell me a story that takes a while to stream back"
	want := groqmock.Reply(prompt)

	stream := func(t *testing.T, path, auth string, body any) (string, time.Duration) {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+auth)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %v %s", path, res.StatusCode, err, b)
		}
		return string(b), time.Since(start)
	}

	t.Run("chat", func(t *testing.T) {
		out, took := stream(t, "/api/v1/conversations/"+conv+"/messages", token, map[string]string{"content": prompt})
		if took < 2*testWriteTimeout || took < 2*testReadTimeout {
			t.Fatalf("premise: the stream took %s, not past the timeouts", took)
		}
		names, data := sseData(out)
		var got strings.Builder
		for i, n := range names {
			if n == "delta" {
				var d struct{ Content string }
				_ = json.Unmarshal([]byte(data[i]), &d)
				got.WriteString(d.Content)
			}
		}
		if names[len(names)-1] != "done" || got.String() != want {
			t.Fatalf("stream of %s ended with %q; deltas %q, want %q", took, names[len(names)-1], got.String(), want)
		}
		var done struct {
			Message struct{ Content, Status string }
		}
		_ = json.Unmarshal([]byte(data[len(data)-1]), &done)
		if done.Message.Content != want || done.Message.Status != "complete" {
			t.Errorf("stored answer %+v", done.Message)
		}
	})

	t.Run("/v1", func(t *testing.T) {
		status, tok := post(t, s.url+"/api/v1/tokens", token, map[string]string{"name": "slow"})
		if status != 201 {
			t.Fatalf("token: %d %v", status, tok)
		}
		out, took := stream(t, "/v1/chat/completions", tok["token"].(string), map[string]any{
			"model": groqmock.DefaultModels()[0].ID, "stream": true,
			"messages": []map[string]string{{"role": "user", "content": prompt}}})
		if took < 2*testWriteTimeout {
			t.Fatalf("premise: the stream took %s", took)
		}
		_, data := sseData(out)
		var got strings.Builder
		for _, d := range data[:len(data)-1] {
			var c struct {
				Choices []struct{ Delta struct{ Content string } }
			}
			_ = json.Unmarshal([]byte(d), &c)
			for _, ch := range c.Choices {
				got.WriteString(ch.Delta.Content)
			}
		}
		if data[len(data)-1] != "[DONE]" || got.String() != want {
			t.Fatalf("/v1 stream of %s: last %q, content %q, want %q", took, data[len(data)-1], got.String(), want)
		}

		// Not streamed: the answer comes after 1.5 s of generation, past
		// both timeouts, and is delivered whole.
		out, took = stream(t, "/v1/chat/completions", tok["token"].(string), map[string]any{
			"model":    groqmock.DefaultModels()[0].ID,
			"messages": []map[string]string{{"role": "user", "content": prompt}}})
		var c struct {
			Choices []struct{ Message struct{ Content string } }
		}
		if err := json.Unmarshal([]byte(out), &c); err != nil || len(c.Choices) != 1 || c.Choices[0].Message.Content != want {
			t.Fatalf("/v1 completion after %s: %v %s", took, err, out)
		}
		if took < 2*testWriteTimeout {
			t.Fatalf("premise: the completion took %s", took)
		}
	})
}

// setSocketBuffer is a socket Control that sets the buffer opt to n bytes.
func setSocketBuffer(opt, n int) func(_, _ string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, n) }); err != nil {
			return err
		}
		return serr
	}
}

// dialSmallWindow connects with a small receive buffer, so that a client
// that stops reading makes the server's writes block soon.
func dialSmallWindow(t *testing.T, host string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: setSocketBuffer(syscall.SO_RCVBUF, 4096)}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// TestStalledStreamReaderIsCut: a client that stops reading a chat stream
// is disconnected once a write has waited the write timeout, and the
// answer so far is stored as partial.
func TestStalledStreamReaderIsCut(t *testing.T) {
	// Loopback sockets buffer megabytes, more than a whole answer: a small
	// send buffer on the server's side (inherited from the listener) makes
	// its writes block as they would across a real network.
	apiListenConfig.Control = setSocketBuffer(syscall.SO_SNDBUF, 16<<10)
	t.Cleanup(func() { apiListenConfig.Control = nil })
	s := timeoutServer(t, 2000) // 4,096 tokens take 2 s: the cut comes first
	token, conv := userAndConversation(t, s)
	host := strings.TrimPrefix(s.url, "http://")
	// '<' is six bytes in a delta's JSON: the answer outgrows the socket buffers.
	prompt := strings.Repeat("<", 32000)
	full := groqmock.Reply(prompt)
	body, _ := json.Marshal(map[string]string{"content": prompt})

	conn := dialSmallWindow(t, host)
	req := "POST /api/v1/conversations/" + conv + "/messages HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
		fmt.Sprintf("\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	if _, err := conn.Write(append([]byte(req), body...)); err != nil {
		t.Fatal(err)
	}
	// The client reads nothing until the answer is stored: it appears in
	// the conversation when the server has given up on the client.
	var answer struct{ Content, Status, Role string }
	deadline := time.Now().Add(60 * time.Second)
	for answer.Role == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no answer stored\n%s", s.out.String())
		}
		status, c := get(t, s.url+"/api/v1/conversations/"+conv, token)
		if msgs, _ := c["messages"].([]any); status == 200 && len(msgs) == 2 {
			raw, _ := json.Marshal(msgs[1])
			_ = json.Unmarshal(raw, &answer)
			break
		}
		time.Sleep(20 * time.Millisecond) // polling the server's store, bounded by deadline
	}
	if answer.Status != "partial" || answer.Content == "" || len(answer.Content) >= len(full) || !strings.HasPrefix(full, answer.Content) {
		t.Fatalf("stored answer: status %q, %d of %d bytes", answer.Status, len(answer.Content), len(full))
	}
	// Now reading: what the socket buffers held, then the end, without done.
	got, err := io.ReadAll(conn)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 200")) || bytes.Contains(got, []byte("event: done")) {
		t.Fatalf("the stalled client read %d bytes, done event: %v", len(got), bytes.Contains(got, []byte("event: done")))
	}
}
