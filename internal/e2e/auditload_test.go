package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/store"
)

// TestAuditUnderLoad fires concurrent calls at parley — allowed and
// rate-limited alike — stops it, and counts the audit rows.
func TestAuditUnderLoad(t *testing.T) {
	p := startParley(t, map[string]string{"PARLEY_TRUSTED_PROXIES": "127.0.0.1"})
	const calls, workers = 600, 24
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	byStatus := map[int]int{}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				req, _ := http.NewRequest("GET", p.URL+"/api/v1/status", nil)
				// 20 client addresses behind the trusted proxy: some budgets
				// run out, others do not.
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i%20+1))
				res, err := client.Do(req)
				if err != nil {
					t.Error(err)
					continue
				}
				res.Body.Close()
				mu.Lock()
				byStatus[res.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	for i := range calls {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	p.terminate(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err, ok := p.wait(ctx); !ok || err != nil {
		t.Fatalf("parley did not exit cleanly: %v (exited %v)", err, ok)
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
	t.Logf("%d calls from %d workers in %v (by status %v): %d audit rows", calls, workers, elapsed.Round(time.Millisecond), byStatus, rows)
	if rows != calls {
		t.Errorf("%d audit rows for %d calls", rows, calls)
	}
}
