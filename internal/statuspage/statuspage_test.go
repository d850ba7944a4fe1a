package statuspage

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/status"
	"github.com/parley-chat/parley/internal/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// switchable is a probe whose answer the test sets between rounds.
type switchable struct {
	mu  sync.Mutex
	chk Check
}

func (s *switchable) set(st string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chk = Check{Status: st}
	if st != status.Operational {
		s.chk.Detail = "unreachable"
	}
}

func (s *switchable) probe(context.Context) Check { s.mu.Lock(); defer s.mu.Unlock(); return s.chk }

func operational(context.Context) Check { return Check{Status: status.Operational} }

type stores map[string]func(t *testing.T) status.Store

var backends = stores{
	"memory": func(*testing.T) status.Store { return NewMemoryStore() },
	"sqlite": func(t *testing.T) status.Store {
		ctx := context.Background()
		s, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		if err := store.MigrateAuto(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	},
}

func TestFlappingProbe(t *testing.T) {
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
			db := &switchable{}
			db.set(status.Operational)
			st := open(t)
			p := New(Options{Store: st, Now: clk.Now, Components: []Component{
				{Name: "api", Probe: operational, Critical: true},
				{Name: "database", Probe: db.probe, Critical: true},
			}})
			round := func(s string) Document {
				db.set(s)
				clk.Advance(15 * time.Second)
				p.CheckNow(ctx)
				return p.Snapshot()
			}
			// A flapping probe (one bad round at a time) opens no incident.
			for _, s := range []string{status.Outage, status.Operational, status.Outage, status.Operational} {
				if d := round(s); d.Status != status.Operational || len(d.Incidents) != 0 {
					t.Fatalf("after a single %s round: status %s, %d incidents", s, d.Status, len(d.Incidents))
				}
			}
			// Two bad rounds in a row: outage, one incident.
			round(status.Outage)
			downAt := clk.Now()
			d := round(status.Outage)
			if d.Status != status.Outage {
				t.Fatalf("status %s, want outage", d.Status)
			}
			if d := cmp.Diff([]ComponentDocument{{Name: "api", Status: "operational"}, {Name: "database", Status: "outage", Detail: "unreachable"}}, d.Components); d != "" {
				t.Errorf("components (-want +got):\n%s", d)
			}
			if len(d.Incidents) != 1 || d.Incidents[0].ResolvedAt != nil || d.Incidents[0].Component != "database" {
				t.Fatalf("incidents = %+v, want one open for database", d.Incidents)
			}
			if got, want := d.Incidents[0].StartedAt, downAt.Add(15*time.Second).Format(timeFormat); got != want {
				t.Errorf("incident started_at %s, want %s", got, want)
			}
			// Flapping while down keeps the one incident open.
			round(status.Operational)
			if d := round(status.Outage); len(d.Incidents) != 1 || d.Incidents[0].ResolvedAt != nil {
				t.Fatalf("incidents after a blip while down: %+v", d.Incidents)
			}
			// Recovery for two rounds resolves it.
			round(status.Operational)
			d = round(status.Operational)
			if d.Status != status.Operational || len(d.Incidents) != 1 || d.Incidents[0].ResolvedAt == nil {
				t.Fatalf("after recovery: %s %+v", d.Status, d.Incidents)
			}
			if got, want := *d.Incidents[0].ResolvedAt, clk.Now().Format(timeFormat); got != want {
				t.Errorf("resolved_at %s, want %s", got, want)
			}
			// A second outage is a second incident, listed first.
			round(status.Degraded)
			d = round(status.Degraded)
			if d.Status != status.Degraded || len(d.Incidents) != 2 || d.Incidents[0].Status != status.Degraded || d.Incidents[0].ResolvedAt != nil {
				t.Fatalf("second incident: %s %+v", d.Status, d.Incidents)
			}
			if d.UptimeSeconds != int64(12*15) {
				t.Errorf("uptime %d s, want %d", d.UptimeSeconds, 12*15)
			}
		})
	}
}

func TestTwoReplicasOpenOneIncident(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	st := backends["sqlite"](t)
	down := func(context.Context) Check { return Check{Status: status.Outage} }
	a := New(Options{Store: st, Now: clk.Now, Threshold: 1, Components: []Component{{Name: "redis", Probe: down}}})
	b := New(Options{Store: st, Now: clk.Now, Threshold: 1, Components: []Component{{Name: "redis", Probe: down}}})
	var wg sync.WaitGroup
	for _, p := range []*Page{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); p.CheckNow(ctx) }()
	}
	wg.Wait()
	incs, err := st.ListIncidents(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 1 {
		t.Fatalf("%d incidents, want 1", len(incs))
	}
	// A non-critical outage degrades the service.
	if d := a.Snapshot(); d.Status != status.Degraded {
		t.Errorf("status %s, want degraded", d.Status)
	}
}

func TestStaleIncidentResolvedAtStart(t *testing.T) {
	ctx := context.Background()
	st := NewMemoryStore()
	if _, err := st.CreateIncident(ctx, status.Incident{Component: "groq", Status: status.Outage, Title: "groq outage"}); err != nil {
		t.Fatal(err)
	}
	p := New(Options{Store: st, Components: []Component{{Name: "groq", Probe: operational}}})
	p.CheckNow(ctx)
	if _, err := st.OpenIncident(ctx, "groq"); err == nil {
		t.Fatal("incident left open although groq is operational")
	}
}

func TestHandlerCachesAndIsPublic(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	sw := &switchable{}
	sw.set(status.Operational)
	p := New(Options{Now: clk.Now, Threshold: 1, CacheTTL: 5 * time.Second,
		Components: []Component{{Name: "groq", Probe: sw.probe, Critical: true}}})
	p.CheckNow(ctx)
	get := func() Document {
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/status", nil))
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "public, max-age=5" {
			t.Fatalf("status %d headers %v", w.Code, w.Header())
		}
		var d Document
		if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := get(); d.Status != status.Operational || d.StartedAt != "2026-11-25T12:00:00.000Z" {
		t.Fatalf("first: %+v", d)
	}
	sw.set(status.Outage)
	p.CheckNow(ctx)
	if d := get(); d.Status != status.Operational {
		t.Fatalf("cached document not reused: %s", d.Status)
	}
	clk.Advance(5 * time.Second)
	if d := get(); d.Status != status.Outage || len(d.Incidents) != 1 {
		t.Fatalf("after TTL: %+v", d)
	}
}

func TestProbeErrHidesErrorText(t *testing.T) {
	p := ProbeErr(func(context.Context) error { return http.ErrServerClosed })
	if got := p(context.Background()); got != (Check{Status: status.Outage, Detail: "health check failing"}) {
		t.Fatalf("got %+v", got)
	}
}
