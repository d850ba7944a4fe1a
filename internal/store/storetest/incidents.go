package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
)

func testIncidents(t *testing.T, o Opener) {
	ctx := t.Context()
	s := o.migrated(t)
	_, err := s.OpenIncident(ctx, "groq")
	wantCode(t, err, errs.NotFound)

	a, err := s.CreateIncident(ctx, incident.Incident{Component: "groq", Status: incident.Outage,
		Title: "Groq unreachable", StartedAt: t0})
	ok(t, err)
	if a.ID == "" || a.StartedAt != us(t0) || a.ResolvedAt != nil {
		t.Fatalf("CreateIncident = %+v", a)
	}
	_, err = s.CreateIncident(ctx, incident.Incident{Component: "groq", Status: incident.Degraded, Title: "again"})
	wantCode(t, err, errs.Conflict)
	b, err := s.CreateIncident(ctx, incident.Incident{ID: "db1", Component: "database", Status: incident.Degraded,
		Title: "slow", StartedAt: t0.Add(time.Minute)})
	ok(t, err)
	_, err = s.CreateIncident(ctx, incident.Incident{Component: "", Status: "fine"})
	wantCode(t, err, errs.Invalid)

	open, err := s.OpenIncident(ctx, "groq")
	ok(t, err)
	if d := cmp.Diff(a, open); d != "" {
		t.Fatalf("OpenIncident (-want +got):\n%s", d)
	}
	ok(t, s.ResolveIncident(ctx, a.ID, t0.Add(2*time.Minute)))
	wantCode(t, s.ResolveIncident(ctx, a.ID, t0.Add(3*time.Minute)), errs.NotFound)
	wantCode(t, s.ResolveIncident(ctx, "nope", t0), errs.NotFound)
	_, err = s.OpenIncident(ctx, "groq")
	wantCode(t, err, errs.NotFound)
	c, err := s.CreateIncident(ctx, incident.Incident{Component: "groq", Status: incident.Degraded, Title: "flaky",
		StartedAt: t0.Add(5 * time.Minute)})
	ok(t, err)

	list, err := s.ListIncidents(ctx, 0)
	ok(t, err)
	resolved := us(t0.Add(2 * time.Minute))
	a.ResolvedAt = &resolved
	if d := cmp.Diff([]incident.Incident{c, b, a}, list); d != "" {
		t.Fatalf("ListIncidents (-want +got):\n%s", d)
	}
	list, err = s.ListIncidents(ctx, 1)
	ok(t, err)
	if len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("ListIncidents(1) = %+v", list)
	}
}
