// Package incident is the incident store behind the public status page: the
// type and the Store interface that storage backends implement.
package incident

import (
	"context"
	"time"
)

// Component and incident statuses, as served by GET /api/v1/status.
const (
	Operational = "operational"
	Degraded    = "degraded"
	Outage      = "outage"
)

// Incident is one period during which a component was not operational.
type Incident struct {
	ID        string
	Component string // "api", "database", "redis" or "groq"
	Status    string // Degraded or Outage: how bad it was
	Title     string
	StartedAt time.Time
	// ResolvedAt is nil while the incident is open.
	ResolvedAt *time.Time
}

// Store persists incidents. At most one incident per component is open at a
// time, so replicas that notice the same failure together open it once.
type Store interface {
	// CreateIncident opens inc and returns it as stored; errs.Conflict when
	// the component already has an open incident.
	CreateIncident(ctx context.Context, inc Incident) (Incident, error)
	// ResolveIncident closes an open incident; errs.NotFound when there is
	// no open incident with that id.
	ResolveIncident(ctx context.Context, id string, at time.Time) error
	// ListIncidents returns the most recent incidents, newest first.
	ListIncidents(ctx context.Context, limit int) ([]Incident, error)
	// OpenIncident returns the component's open incident, or errs.NotFound.
	OpenIncident(ctx context.Context, component string) (Incident, error)
}
