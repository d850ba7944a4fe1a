package statuspage

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
)

// MemoryStore keeps incidents in memory: for tests and for a process with no
// database handle. It keeps at most 1000 incidents.
type MemoryStore struct {
	mu        sync.Mutex
	incidents []incident.Incident // oldest first
}

// NewMemoryStore returns an empty in-memory incident store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// CreateIncident implements incident.Store.
func (m *MemoryStore) CreateIncident(_ context.Context, inc incident.Incident) (incident.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, i := range m.incidents {
		if i.Component == inc.Component && i.ResolvedAt == nil {
			return incident.Incident{}, errs.E(errs.Conflict, "component already has an open incident")
		}
	}
	if inc.ID == "" {
		inc.ID = uuid.Must(uuid.NewV7()).String()
	}
	if inc.StartedAt.IsZero() {
		inc.StartedAt = time.Now().UTC()
	}
	m.incidents = append(m.incidents, inc)
	if len(m.incidents) > 1000 {
		m.incidents = m.incidents[len(m.incidents)-1000:]
	}
	return inc, nil
}

// ResolveIncident implements incident.Store.
func (m *MemoryStore) ResolveIncident(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.incidents {
		if m.incidents[i].ID == id && m.incidents[i].ResolvedAt == nil {
			at := at.UTC()
			m.incidents[i].ResolvedAt = &at
			return nil
		}
	}
	return errs.E(errs.NotFound, "open incident not found")
}

// ListIncidents implements incident.Store.
func (m *MemoryStore) ListIncidents(_ context.Context, limit int) ([]incident.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]incident.Incident(nil), m.incidents...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.After(out[j].StartedAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// OpenIncident implements incident.Store.
func (m *MemoryStore) OpenIncident(_ context.Context, component string) (incident.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, i := range m.incidents {
		if i.Component == component && i.ResolvedAt == nil {
			return i, nil
		}
	}
	return incident.Incident{}, errs.E(errs.NotFound, "no open incident")
}

var _ incident.Store = (*MemoryStore)(nil)
