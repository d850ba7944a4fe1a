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
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// switchable is a probe whose answer the test sets between rounds.
type switchable struct {
	mu  sync.Mutex
	chk Check
}

func (s *switchable) set(st string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chk = Check{Status: st}
	if st != incident.Operational {
		s.chk.Detail = "unreachable"
	}
}

func (s *switchable) probe(context.Context) Check { s.mu.Lock(); defer s.mu.Unlock(); return s.chk }

func operational(context.Context) Check { return Check{Status: incident.Operational} }

type stores map[string]func(t *testing.T) incident.Store

var backends = stores{
	"memory": func(*testing.T) incident.Store { return NewMemoryStore() },
	"sqlite": func(t *testing.T) incident.Store { return storetest.Open(t, "sqlite") },
}

func TestFlappingProbe(t *testing.T) {
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := testkit.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
			db := &switchable{}
			db.set(incident.Operational)
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
			for _, s := range []string{incident.Outage, incident.Operational, incident.Outage, incident.Operational} {
				if d := round(s); d.Status != incident.Operational || len(d.Incidents) != 0 {
					t.Fatalf("after a single %s round: status %s, %d incidents", s, d.Status, len(d.Incidents))
				}
			}
			// Two bad rounds in a row: outage, one incident.
			round(incident.Outage)
			downAt := clk.Now()
			d := round(incident.Outage)
			if d.Status != incident.Outage {
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
			round(incident.Operational)
			if d := round(incident.Outage); len(d.Incidents) != 1 || d.Incidents[0].ResolvedAt != nil {
				t.Fatalf("incidents after a blip while down: %+v", d.Incidents)
			}
			// Recovery for two rounds resolves it.
			round(incident.Operational)
			d = round(incident.Operational)
			if d.Status != incident.Operational || len(d.Incidents) != 1 || d.Incidents[0].ResolvedAt == nil {
				t.Fatalf("after recovery: %s %+v", d.Status, d.Incidents)
			}
			if got, want := *d.Incidents[0].ResolvedAt, clk.Now().Format(timeFormat); got != want {
				t.Errorf("resolved_at %s, want %s", got, want)
			}
			// A second outage is a second incident, listed first.
			round(incident.Degraded)
			d = round(incident.Degraded)
			if d.Status != incident.Degraded || len(d.Incidents) != 2 || d.Incidents[0].Status != incident.Degraded || d.Incidents[0].ResolvedAt != nil {
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
	clk := testkit.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	st := backends["sqlite"](t)
	down := func(context.Context) Check { return Check{Status: incident.Outage} }
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
	if d := a.Snapshot(); d.Status != incident.Degraded {
		t.Errorf("status %s, want degraded", d.Status)
	}
}

func TestStaleIncidentResolvedAtStart(t *testing.T) {
	ctx := context.Background()
	st := NewMemoryStore()
	if _, err := st.CreateIncident(ctx, incident.Incident{Component: "groq", Status: incident.Outage, Title: "groq outage"}); err != nil {
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
	clk := testkit.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	sw := &switchable{}
	sw.set(incident.Operational)
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
	if d := get(); d.Status != incident.Operational || d.StartedAt != "2026-11-25T12:00:00.000Z" {
		t.Fatalf("first: %+v", d)
	}
	sw.set(incident.Outage)
	p.CheckNow(ctx)
	if d := get(); d.Status != incident.Operational {
		t.Fatalf("cached document not reused: %s", d.Status)
	}
	clk.Advance(5 * time.Second)
	if d := get(); d.Status != incident.Outage || len(d.Incidents) != 1 {
		t.Fatalf("after TTL: %+v", d)
	}
}

func TestProbeErrHidesErrorText(t *testing.T) {
	p := ProbeErr(func(context.Context) error { return http.ErrServerClosed })
	if got := p(context.Background()); got != (Check{Status: incident.Outage, Detail: "health check failing"}) {
		t.Fatalf("got %+v", got)
	}
}
