package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

const incidentCols = `id, component, status, title, started_at, resolved_at`

func scanIncident(row rowScanner) (incident.Incident, error) {
	var inc incident.Incident
	var started int64
	var resolved sql.NullInt64
	err := row.Scan(&inc.ID, &inc.Component, &inc.Status, &inc.Title, &started, &resolved)
	inc.StartedAt, inc.ResolvedAt = tOut(started), tpOut(resolved)
	return inc, err
}

// CreateIncident opens inc; errs.Conflict when its component already has
// an open incident (a partial unique index decides, so racing replicas
// open one).
func (s *Store) CreateIncident(ctx context.Context, inc incident.Incident) (incident.Incident, error) {
	inc, err := sqlkit.NewIncident(inc)
	if err != nil {
		return incident.Incident{}, err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO incidents (`+incidentCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		inc.ID, inc.Component, inc.Status, inc.Title, tIn(inc.StartedAt), tpIn(inc.ResolvedAt))
	if err != nil {
		return incident.Incident{}, fail(ctx, "create incident", err,
			sqlkit.Msgs{Conflict: "component already has an open incident"})
	}
	return inc, nil
}

// ResolveIncident closes the open incident id.
func (s *Store) ResolveIncident(ctx context.Context, id string, at time.Time) error {
	n, err := affected(s.w.ExecContext(ctx,
		`UPDATE incidents SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL`, tIn(at), id))
	if err == nil && n == 0 {
		return errs.E(errs.NotFound, "open incident not found")
	}
	return fail(ctx, "resolve incident", err, sqlkit.Msgs{})
}

// ListIncidents returns up to limit incidents (clamped like every list),
// newest first.
func (s *Store) ListIncidents(ctx context.Context, limit int) ([]incident.Incident, error) {
	const op = "list incidents"
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+incidentCols+` FROM incidents ORDER BY started_at DESC, id DESC LIMIT ?`, sqlkit.Limit(limit))
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer rows.Close()
	out := []incident.Incident{}
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, fail(ctx, op, err, sqlkit.Msgs{})
		}
		out = append(out, inc)
	}
	return out, fail(ctx, op, rows.Err(), sqlkit.Msgs{})
}

// OpenIncident returns the component's open incident.
func (s *Store) OpenIncident(ctx context.Context, component string) (incident.Incident, error) {
	inc, err := scanIncident(s.r.QueryRowContext(ctx,
		`SELECT `+incidentCols+` FROM incidents WHERE component = ? AND resolved_at IS NULL`, component))
	return inc, fail(ctx, "open incident", err, sqlkit.Msgs{NotFound: "no open incident"})
}
