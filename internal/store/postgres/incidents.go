package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

const incidentCols = `id, component, status, title, started_at, resolved_at`

func scanIncident(row pgx.Row) (incident.Incident, error) {
	var inc incident.Incident
	err := row.Scan(&inc.ID, &inc.Component, &inc.Status, &inc.Title, &inc.StartedAt, &inc.ResolvedAt)
	inc.StartedAt, inc.ResolvedAt = inc.StartedAt.UTC(), tpOut(inc.ResolvedAt)
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
	_, err = s.w.Exec(ctx, `INSERT INTO incidents (`+incidentCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		inc.ID, inc.Component, inc.Status, inc.Title, inc.StartedAt, inc.ResolvedAt)
	if err != nil {
		return incident.Incident{}, fail(ctx, "create incident", err,
			sqlkit.Msgs{Conflict: "component already has an open incident"})
	}
	return inc, nil
}

// ResolveIncident closes the open incident id.
func (s *Store) ResolveIncident(ctx context.Context, id string, at time.Time) error {
	tag, err := s.w.Exec(ctx, `UPDATE incidents SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL`, tIn(at), id)
	if err == nil && tag.RowsAffected() == 0 {
		return errs.E(errs.NotFound, "open incident not found")
	}
	return fail(ctx, "resolve incident", err, sqlkit.Msgs{})
}

// ListIncidents returns up to limit incidents (clamped like every list),
// newest first (read pool).
func (s *Store) ListIncidents(ctx context.Context, limit int) ([]incident.Incident, error) {
	rows, err := s.r.Query(ctx,
		`SELECT `+incidentCols+` FROM incidents ORDER BY started_at DESC, id DESC LIMIT $1`, sqlkit.Limit(limit))
	if err != nil {
		return nil, fail(ctx, "list incidents", err, sqlkit.Msgs{})
	}
	out, err := collect(rows, scanIncident)
	return out, fail(ctx, "list incidents", err, sqlkit.Msgs{})
}

// OpenIncident returns the component's open incident (primary).
func (s *Store) OpenIncident(ctx context.Context, component string) (incident.Incident, error) {
	inc, err := scanIncident(s.w.QueryRow(ctx,
		`SELECT `+incidentCols+` FROM incidents WHERE component = $1 AND resolved_at IS NULL`, component))
	return inc, fail(ctx, "open incident", err, sqlkit.Msgs{NotFound: "no open incident"})
}
