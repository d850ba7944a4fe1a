// Package statuspage watches parley's components (api, database, redis,
// groq) with health probes, opens an incident when one stops being
// operational and resolves it when it recovers, and serves the public
// GET /api/v1/status document.
package statuspage

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
)

// Check is the outcome of one probe. Detail is shown on the public page:
// keep it generic ("unreachable"), never an internal error text.
type Check struct {
	Status string // incident.Operational, incident.Degraded or incident.Outage
	Detail string
}

// Probe checks one component; it should honour ctx's deadline.
type Probe func(ctx context.Context) Check

// ProbeErr turns an error-returning check (a ping) into a Probe: nil is
// operational, an error an outage with a generic detail.
func ProbeErr(f func(ctx context.Context) error) Probe {
	return func(ctx context.Context) Check {
		if err := f(ctx); err != nil {
			return Check{Status: incident.Outage, Detail: "health check failing"}
		}
		return Check{Status: incident.Operational}
	}
}

// Component is one watched part of the service.
type Component struct {
	Name  string // "api", "database", "redis" or "groq"
	Probe Probe
	// Critical components in outage make the whole service "outage";
	// others only "degraded".
	Critical bool
}

// Options configure a Page.
type Options struct {
	Components []Component
	// Store persists incidents (the SQL store in production).
	Store incident.Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Interval between probe rounds in Run (default 15s); Timeout bounds one
	// probe (default 5s).
	Interval time.Duration
	Timeout  time.Duration
	// Threshold is how many consecutive rounds must agree before a
	// component changes state (default 2), so one blip opens no incident.
	Threshold int
	// CacheTTL is how long a served document is reused (default 5s).
	CacheTTL time.Duration
	// Incidents is how many recent incidents the page lists (default 10).
	Incidents int
	Logger    *slog.Logger
}

// componentState is what the page knows of one component.
type componentState struct {
	Component
	status  string // the settled status
	detail  string
	pending string // a different status seen in the latest rounds
	streak  int    // how many consecutive rounds saw pending
	settled bool   // the store was reconciled with status at least once
}

// Page tracks component health and incidents. Create it with New.
type Page struct {
	opts    Options
	started time.Time

	mu         sync.Mutex
	components []*componentState
	incidents  []incident.Incident // last list read from the store
	cached     []byte
	cachedAt   time.Time
}

// New returns a Page; nothing runs until Run or CheckNow is called. Until
// the first settled round every component shows operational.
func New(opts Options) *Page {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Interval <= 0 {
		opts.Interval = 15 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Threshold <= 0 {
		opts.Threshold = 2
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 5 * time.Second
	}
	if opts.Incidents <= 0 {
		opts.Incidents = 10
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Store == nil {
		opts.Store = NewMemoryStore()
	}
	p := &Page{opts: opts, started: opts.Now()}
	for _, c := range opts.Components {
		p.components = append(p.components, &componentState{Component: c, status: incident.Operational})
	}
	return p
}

// Run probes every Interval until ctx ends.
func (p *Page) Run(ctx context.Context) {
	t := time.NewTicker(p.opts.Interval)
	defer t.Stop()
	for {
		p.CheckNow(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CheckNow runs one round of probes (concurrently) and opens or resolves
// incidents for components whose settled state changed.
func (p *Page) CheckNow(ctx context.Context) {
	checks := make([]Check, len(p.components))
	var wg sync.WaitGroup
	for i, c := range p.components {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
			defer cancel()
			checks[i] = normalize(c.Probe(pctx))
		}()
	}
	wg.Wait()
	for i, c := range p.components {
		p.observe(ctx, c, checks[i])
	}
	p.refreshIncidents(ctx)
}

func normalize(c Check) Check {
	switch c.Status {
	case incident.Operational, incident.Degraded, incident.Outage:
		return c
	}
	return Check{Status: incident.Outage, Detail: "health check failing"}
}

// observe feeds one check into c's debounce and reconciles the store when
// the settled status changes (or has never been reconciled).
func (p *Page) observe(ctx context.Context, c *componentState, chk Check) {
	p.mu.Lock()
	changed := false
	if chk.Status == c.status {
		c.pending, c.streak = "", 0
		c.detail = chk.Detail
	} else {
		if chk.Status == c.pending {
			c.streak++
		} else {
			c.pending, c.streak = chk.Status, 1
		}
		if c.streak >= p.opts.Threshold {
			c.status, c.detail, c.pending, c.streak = chk.Status, chk.Detail, "", 0
			changed = true
		}
	}
	reconcile := changed || (!c.settled && c.streak == 0)
	settledStatus, detail := c.status, c.detail
	p.mu.Unlock()
	if !reconcile {
		return
	}
	if err := p.reconcile(ctx, c.Name, settledStatus, detail); err != nil {
		p.opts.Logger.WarnContext(ctx, "status page: incident store", slog.String("component", c.Name), slog.Any("error", err))
		p.mu.Lock()
		c.settled = false // retry on the next round
		p.mu.Unlock()
		return
	}
	p.mu.Lock()
	c.settled = true
	p.mu.Unlock()
}

// reconcile makes the store agree with a component's settled status: an
// open incident while it is not operational, none while it is. Replicas
// racing here converge: the store allows one open incident per component.
func (p *Page) reconcile(ctx context.Context, name, st, detail string) error {
	open, err := p.opts.Store.OpenIncident(ctx, name)
	hasOpen := err == nil
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	now := p.opts.Now().UTC()
	switch {
	case st == incident.Operational && hasOpen:
		err := p.opts.Store.ResolveIncident(ctx, open.ID, now)
		if errors.Is(err, errs.ErrNotFound) {
			return nil // another replica resolved it
		}
		if err == nil {
			p.opts.Logger.InfoContext(ctx, "status page: incident resolved", slog.String("component", name), slog.String("incident_id", open.ID))
		}
		return err
	case st != incident.Operational && !hasOpen:
		inc, err := p.opts.Store.CreateIncident(ctx, incident.Incident{
			Component: name, Status: st, Title: title(name, st, detail), StartedAt: now,
		})
		if errors.Is(err, errs.ErrConflict) {
			return nil // another replica opened it
		}
		if err == nil {
			p.opts.Logger.WarnContext(ctx, "status page: incident opened", slog.String("component", name),
				slog.String("status", st), slog.String("incident_id", inc.ID))
		}
		return err
	}
	return nil
}

func title(name, st, detail string) string {
	t := name + " " + st
	if detail != "" {
		t += ": " + detail
	}
	return t
}

func (p *Page) refreshIncidents(ctx context.Context) {
	incs, err := p.opts.Store.ListIncidents(ctx, p.opts.Incidents)
	if err != nil {
		// Keep serving the last list: the page must survive a database outage.
		p.opts.Logger.WarnContext(ctx, "status page: list incidents", slog.Any("error", err))
		return
	}
	p.mu.Lock()
	p.incidents = incs
	p.mu.Unlock()
}
