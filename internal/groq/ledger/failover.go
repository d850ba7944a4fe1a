package ledger

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Failover uses Primary (Redis) and, while it fails, Secondary (a
// Memory): parley keeps answering through a Redis outage, with budgets
// counted per replica until Redis is back. Facts (cooldowns, dead keys,
// learned orgs, header truths) are written to both.
type Failover struct {
	Primary, Secondary Ledger
	Logger             *slog.Logger
	now                func() time.Time

	mu        sync.Mutex
	local     map[string]time.Time // leases granted by Secondary → expiry
	failed    bool
	downUntil time.Time
}

// RetryPrimary is how long a failed primary is left alone.
const RetryPrimary = 5 * time.Second

// NewFailover returns a ledger on primary with a memory fallback.
func NewFailover(primary Ledger, now func() time.Time, logger *slog.Logger) *Failover {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Failover{Primary: primary, Secondary: NewMemory(now), Logger: logger, now: now, local: map[string]time.Time{}}
}

// primaryUp reports whether the primary is worth a try: after a failure it
// is left alone for RetryPrimary, so an outage costs no timeouts per request.
func (f *Failover) primaryUp() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.now().Before(f.downUntil)
}

// note records the primary's health; changes are logged once.
func (f *Failover) note(err error) {
	f.mu.Lock()
	changed := f.failed != (err != nil)
	f.failed = err != nil
	if err != nil {
		f.downUntil = f.now().Add(RetryPrimary)
	}
	f.mu.Unlock()
	switch {
	case changed && err != nil:
		f.Logger.Error("shared rate-limit state unavailable, counting locally", "err", err)
	case changed:
		f.Logger.Info("shared rate-limit state back")
	}
}

func (f *Failover) isLocal(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.local[id]
	return ok
}

// write records a fact in both ledgers; it fails only if both fail.
func (f *Failover) write(do func(Ledger) error) error {
	err2 := do(f.Secondary)
	if !f.primaryUp() {
		return err2
	}
	err := do(f.Primary)
	f.note(err)
	if err != nil && err2 != nil {
		return errors.Join(err, err2)
	}
	return nil
}

// Acquire implements Ledger.
func (f *Failover) Acquire(ctx context.Context, req AcquireRequest) (Grant, error) {
	var err error
	if f.primaryUp() {
		var g Grant
		g, err = f.Primary.Acquire(ctx, req)
		f.note(err)
		if err == nil {
			return g, nil
		}
	}
	g, err2 := f.Secondary.Acquire(ctx, req)
	if err2 != nil {
		return Grant{}, errors.Join(err, err2)
	}
	if g.Org != "" {
		now := f.now()
		f.mu.Lock()
		for id, exp := range f.local {
			if exp.Before(now) {
				delete(f.local, id)
			}
		}
		f.local[req.ID] = now.Add(req.TTL)
		f.mu.Unlock()
	}
	return g, nil
}

// Observe implements Ledger.
func (f *Failover) Observe(ctx context.Context, o Observation) error {
	if f.isLocal(o.ID) {
		return f.Secondary.Observe(ctx, o)
	}
	return f.write(func(l Ledger) error {
		if l == f.Secondary {
			o := o
			o.ID = "" // the secondary holds no such lease; keep its truth fresh
			return l.Observe(ctx, o)
		}
		return l.Observe(ctx, o)
	})
}

// Release implements Ledger.
func (f *Failover) Release(ctx context.Context, org, model, id string, tokens, requests int) error {
	if f.isLocal(id) {
		f.mu.Lock()
		delete(f.local, id)
		f.mu.Unlock()
		return f.Secondary.Release(ctx, org, model, id, tokens, requests)
	}
	err := f.Primary.Release(ctx, org, model, id, tokens, requests)
	f.note(err)
	return err
}

// Cool implements Ledger.
func (f *Failover) Cool(ctx context.Context, c Cooldown) error {
	return f.write(func(l Ledger) error { return l.Cool(ctx, c) })
}

// Budgets implements Ledger.
func (f *Failover) Budgets(ctx context.Context, orgs []string) ([]Budget, error) {
	if f.primaryUp() {
		b, err := f.Primary.Budgets(ctx, orgs)
		f.note(err)
		if err == nil {
			return b, nil
		}
	}
	return f.Secondary.Budgets(ctx, orgs)
}

// MarkDead implements Ledger.
func (f *Failover) MarkDead(ctx context.Context, fingerprint, reason string, until time.Time) error {
	return f.write(func(l Ledger) error { return l.MarkDead(ctx, fingerprint, reason, until) })
}

// ReviveKey implements Ledger.
func (f *Failover) ReviveKey(ctx context.Context, fingerprint string) error {
	return f.write(func(l Ledger) error { return l.ReviveKey(ctx, fingerprint) })
}

// LearnOrg implements Ledger.
func (f *Failover) LearnOrg(ctx context.Context, fingerprint, org string) error {
	return f.write(func(l Ledger) error { return l.LearnOrg(ctx, fingerprint, org) })
}

// Keys implements Ledger.
func (f *Failover) Keys(ctx context.Context) (dead, orgs map[string]string, err error) {
	if f.primaryUp() {
		dead, orgs, err = f.Primary.Keys(ctx)
		f.note(err)
		if err == nil {
			return dead, orgs, nil
		}
	}
	return f.Secondary.Keys(ctx)
}

var _ Ledger = (*Failover)(nil)
