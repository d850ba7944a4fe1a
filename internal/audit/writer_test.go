package audit_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/store/storetest"
)

type backend struct {
	name  string
	store audit.Store
}

// backends opens each real storage engine, migrated and empty: an SQLite
// file and a fresh PostgreSQL database.
func backends(t *testing.T) []backend {
	t.Helper()
	var out []backend
	for _, engine := range storetest.Engines {
		out = append(out, backend{engine, storetest.Open(t, engine)})
	}
	return out
}

func entry(i int) audit.Entry {
	return audit.Entry{Action: "http", Method: "GET", Route: "GET /api/v1/me", Status: 200, RequestID: "req-" + strconv.Itoa(i)}
}

func count(t *testing.T, st audit.Store) int64 {
	t.Helper()
	n, err := st.CountAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWriterConcurrentRecordsThenClose(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			// A small queue and batch force backpressure and many batches;
			// a long interval proves Close writes the rest.
			w, err := audit.NewWriter(audit.WriterOptions{Store: b.store, QueueSize: 16, BatchSize: 50, Interval: time.Hour, Registerer: reg})
			if err != nil {
				t.Fatal(err)
			}
			const n = 1000
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { w.Record(entry(i)) })
			}
			wg.Wait()
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := count(t, b.store); got != n {
				t.Fatalf("rows = %d, want %d", got, n)
			}
			if got := metric(t, reg, "parley_audit_entries_written_total"); got != n {
				t.Errorf("parley_audit_entries_written_total = %v, want %d", got, n)
			}
			if got := metric(t, reg, "parley_audit_queue_length"); got != 0 {
				t.Errorf("parley_audit_queue_length = %v after Close, want 0", got)
			}
		})
	}
}

// TestWriterCloseUnderLoad closes while writers are still recording: every
// entry lands, those after Close synchronously.
func TestWriterCloseUnderLoad(t *testing.T) {
	b := backends(t)[0]
	w, err := audit.NewWriter(audit.WriterOptions{Store: b.store, QueueSize: 8, BatchSize: 20, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 100
	started := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			started <- struct{}{}
			for i := range each {
				w.Record(entry(g*each + i))
			}
		})
	}
	for range workers {
		<-started
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got := count(t, b.store); got != workers*each {
		t.Fatalf("rows = %d, want %d", got, workers*each)
	}
}

func TestPrune(t *testing.T) {
	b := backends(t)[0]
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	old, fresh := entry(1), entry(2)
	old.At = now.Add(-100 * 24 * time.Hour)
	fresh.At = now.Add(-time.Hour)
	if err := b.store.InsertAudit(ctx, []audit.Entry{old, fresh}); err != nil {
		t.Fatal(err)
	}
	n, err := audit.Prune(ctx, b.store, 90*24*time.Hour, now)
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if got := count(t, b.store); got != 1 {
		t.Fatalf("rows = %d, want 1", got)
	}
}

// metric returns the value of an unlabelled counter or gauge in reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		m := f.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}
