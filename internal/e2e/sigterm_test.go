package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/store"
)

// TestSIGTERMMidStream opens chat streams, sends parley SIGTERM while every
// one of them waits on Groq, then lets Groq answer: every stream must
// finish, parley must exit cleanly, and the audit log must hold one row per
// API call made.
func TestSIGTERMMidStream(t *testing.T) {
	const streams = 6
	g, env := startGroq(t, true)
	env["PARLEY_MAX_STREAMS_PER_USER"] = "10"
	env["PARLEY_SHUTDOWN_TIMEOUT"] = "60s"
	p := startParley(t, env)
	api := p.URL + "/api/v1"
	calls := 0 // API calls made (health probes are not audited)

	reg := callJSON(t, "POST", api+"/auth/register", "", map[string]string{"email": "sigterm@example.com", "password": "password-sigterm"}, 201)
	calls++
	tok := reg["access_token"].(string)
	convs := make([]string, streams)
	for i := range convs {
		convs[i] = callJSON(t, "POST", api+"/conversations", tok, map[string]string{}, 201)["id"].(string)
		calls++
	}

	type result struct {
		status int
		done   bool
		err    error
	}
	results := make(chan result, streams)
	var wg sync.WaitGroup
	for _, id := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, _ := json.Marshal(map[string]string{"content": "count to three"})
			req, _ := http.NewRequest("POST", api+"/conversations/"+id+"/messages", bytes.NewReader(raw))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				results <- result{err: err}
				return
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			results <- result{status: res.StatusCode, done: strings.Contains(string(body), "event: done"), err: err}
		}()
	}
	calls += streams
	for range streams { // every stream is now waiting on Groq
		<-g.arrived
	}
	p.terminate(t)
	// The listener closes at once: a new connection is refused.
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(p.URL + "/readyz")
		if err != nil {
			break
		}
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("parley still ready 30s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	g.open()
	wg.Wait()
	close(results)
	finished := 0
	for r := range results {
		if r.err == nil && r.status == 200 && r.done {
			finished++
		} else {
			t.Errorf("stream: status %d, done %v, err %v", r.status, r.done, r.err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err, ok := p.wait(ctx); !ok || err != nil {
		t.Fatalf("parley did not exit cleanly after SIGTERM: %v (exited %v)", err, ok)
	}

	st, err := store.Open(context.Background(), store.Config{DataDir: p.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.CountAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	streamRows, _, err := st.ListAudit(context.Background(), audit.Filter{Route: "POST /api/v1/conversations/{id}/messages", Status: 200, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SIGTERM with %d streams open: %d finished; audit rows %d for %d API calls (%d stream rows)",
		streams, finished, rows, calls, len(streamRows))
	if finished != streams {
		t.Errorf("%d of %d streams finished", finished, streams)
	}
	if rows != int64(calls) || len(streamRows) != streams {
		t.Errorf("audit rows %d (streams %d), want %d (streams %d)", rows, len(streamRows), calls, streams)
	}
}
