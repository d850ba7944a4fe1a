package sqlkit

import (
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
)

// NewIncident checks inc and fills its ID and StartedAt when unset.
func NewIncident(inc incident.Incident) (incident.Incident, error) {
	bad := map[string]string{}
	if inc.Component == "" {
		bad["component"] = "required"
	}
	if inc.Status != incident.Degraded && inc.Status != incident.Outage {
		bad["status"] = "must be degraded or outage"
	}
	if err := CheckText("component", inc.Component, "title", inc.Title); err != nil {
		e, _ := errs.As(err)
		for k, v := range e.Fields {
			bad[k] = v
		}
	}
	if len(bad) > 0 {
		return incident.Incident{}, errs.Validation(bad)
	}
	inc.ID = ID(inc.ID)
	inc.StartedAt = TimeOrNow(inc.StartedAt)
	inc.ResolvedAt = TimePtr(inc.ResolvedAt)
	return inc, nil
}
