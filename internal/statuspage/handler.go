package statuspage

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-chat/parley/internal/incident"
)

// timeFormat is RFC 3339 with milliseconds, as every parley timestamp.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// Document is the JSON of GET /api/v1/status.
type Document struct {
	Status        string              `json:"status"`
	StartedAt     string              `json:"started_at"`
	UptimeSeconds int64               `json:"uptime_seconds"`
	Components    []ComponentDocument `json:"components"`
	Incidents     []IncidentDocument  `json:"incidents"`
}

// ComponentDocument is one component on the page.
type ComponentDocument struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// IncidentDocument is one incident on the page.
type IncidentDocument struct {
	ID         string  `json:"id"`
	Component  string  `json:"component"`
	Status     string  `json:"status"`
	Title      string  `json:"title"`
	StartedAt  string  `json:"started_at"`
	ResolvedAt *string `json:"resolved_at"`
}

// Snapshot returns the page as it stands.
func (p *Page) Snapshot() Document {
	now := p.opts.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	d := Document{
		Status:        incident.Operational,
		StartedAt:     p.started.UTC().Format(timeFormat),
		UptimeSeconds: int64(now.Sub(p.started) / time.Second),
		Components:    []ComponentDocument{},
		Incidents:     []IncidentDocument{},
	}
	for _, c := range p.components {
		d.Components = append(d.Components, ComponentDocument{Name: c.Name, Status: c.status, Detail: c.detail})
		switch {
		case c.status == incident.Outage && c.Critical:
			d.Status = incident.Outage
		case c.status != incident.Operational && d.Status == incident.Operational:
			d.Status = incident.Degraded
		}
	}
	for _, i := range p.incidents {
		doc := IncidentDocument{ID: i.ID, Component: i.Component, Status: i.Status, Title: i.Title,
			StartedAt: i.StartedAt.UTC().Format(timeFormat)}
		if i.ResolvedAt != nil {
			s := i.ResolvedAt.UTC().Format(timeFormat)
			doc.ResolvedAt = &s
		}
		d.Incidents = append(d.Incidents, doc)
	}
	return d
}

// ServeHTTP answers GET /api/v1/status: public, no authentication, the same
// bytes for CacheTTL so a busy status page costs nothing.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := p.opts.Now()
	p.mu.Lock()
	body, fresh := p.cached, now.Sub(p.cachedAt) < p.opts.CacheTTL && p.cached != nil
	p.mu.Unlock()
	if !fresh {
		b, err := json.Marshal(p.Snapshot())
		if err != nil {
			http.Error(w, "status unavailable", http.StatusInternalServerError)
			return
		}
		body = append(b, '\n')
		p.mu.Lock()
		p.cached, p.cachedAt = body, now
		p.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(p.opts.CacheTTL/time.Second)))
	_, _ = w.Write(body)
}
