package ledger

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Memory is a Ledger for a single replica.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	budgets map[budgetKey]*memBudget
	dead    map[string]deadMark
	orgs    map[string]string
}

// deadMark is why a key left rotation and until when.
type deadMark struct {
	reason string
	until  time.Time
}

type budgetKey struct{ org, model string }

type memBudget struct {
	budgetState
	leases map[string]lease
}

type lease struct {
	tokens  int
	expires int64
	settled bool // a header truth already includes it
}

// NewMemory returns an empty in-process ledger; now may be nil.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, budgets: map[budgetKey]*memBudget{}, dead: map[string]deadMark{}, orgs: map[string]string{}}
}

// budget returns the (org, model) budget with expired leases dropped; mu held.
func (m *Memory) budget(org, model string, now int64) *memBudget {
	k := budgetKey{org, model}
	b := m.budgets[k]
	if b == nil {
		b = &memBudget{leases: map[string]lease{}}
		m.budgets[k] = b
	}
	for id, l := range b.leases {
		if l.expires <= now {
			b.drop(id)
		}
	}
	return b
}

// drop forgets lease id and returns it.
func (b *memBudget) drop(id string) (lease, bool) {
	l, ok := b.leases[id]
	if ok {
		delete(b.leases, id)
		b.unflight(l)
	}
	return l, ok
}

// unflight takes an unsettled lease out of the in-flight sums.
func (b *memBudget) unflight(l lease) {
	if !l.settled {
		b.ifTokens -= l.tokens
		b.ifCount--
	}
}

// settle marks lease id as included in a header truth.
func (b *memBudget) settle(id string) {
	if l, ok := b.leases[id]; ok && !l.settled {
		b.unflight(l)
		l.settled = true
		b.leases[id] = l
	}
}

// Acquire implements Ledger.
func (m *Memory) Acquire(_ context.Context, req AcquireRequest) (Grant, error) {
	now := m.now().UnixMilli()
	m.mu.Lock()
	defer m.mu.Unlock()
	var (
		best      *memBudget
		bestOrg   string
		bestScore = -1.0
		soonest   int64
	)
	for _, org := range req.Orgs {
		b := m.budget(org, req.Model, now)
		at, score := b.room(req.Tokens, now)
		if at > now {
			if soonest == 0 || at < soonest {
				soonest = at
			}
			continue
		}
		if org == req.Prefer {
			best, bestOrg = b, org
			break
		}
		if score > bestScore {
			best, bestOrg, bestScore = b, org, score
		}
	}
	if best == nil {
		if soonest == 0 {
			soonest = now
		}
		return Grant{RetryAt: time.UnixMilli(soonest).UTC()}, nil
	}
	best.take(now)
	best.leases[req.ID] = lease{tokens: req.Tokens, expires: now + max(req.TTL.Milliseconds(), 1)}
	best.ifTokens += req.Tokens
	best.ifCount++
	return Grant{Org: bestOrg}, nil
}

// Observe implements Ledger.
func (m *Memory) Observe(_ context.Context, o Observation) error {
	now := m.now().UnixMilli()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.budget(o.Org, o.Model, now)
	b.settle(o.ID)
	b.observe(o, now)
	return nil
}

// Release implements Ledger.
func (m *Memory) Release(_ context.Context, org, model, id string, tokens, requests int) error {
	now := m.now().UnixMilli()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.budget(org, model, now)
	if l, ok := b.drop(id); ok {
		b.release(l.tokens, l.settled, tokens, requests, now)
	}
	return nil
}

// Cool implements Ledger.
func (m *Memory) Cool(_ context.Context, c Cooldown) error {
	now := m.now().UnixMilli()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.budget(c.Org, c.Model, now).cool(c)
	return nil
}

// Budgets implements Ledger.
func (m *Memory) Budgets(_ context.Context, orgs []string) ([]Budget, error) {
	now := m.now().UnixMilli()
	want := map[string]bool{}
	for _, o := range orgs {
		want[o] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Budget
	for k := range m.budgets {
		if want[k.org] {
			out = append(out, m.budget(k.org, k.model, now).view(k.org, k.model, now))
		}
	}
	sortBudgets(out)
	return out, nil
}

func sortBudgets(bs []Budget) {
	sort.Slice(bs, func(i, j int) bool {
		if bs[i].Org != bs[j].Org {
			return bs[i].Org < bs[j].Org
		}
		return bs[i].Model < bs[j].Model
	})
}

// MarkDead implements Ledger.
func (m *Memory) MarkDead(_ context.Context, fingerprint, reason string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dead[fingerprint] = deadMark{reason: reason, until: until}
	return nil
}

// ReviveKey implements Ledger.
func (m *Memory) ReviveKey(_ context.Context, fingerprint string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.dead, fingerprint)
	return nil
}

// LearnOrg implements Ledger.
func (m *Memory) LearnOrg(_ context.Context, fingerprint, org string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.orgs[fingerprint] = org
	return nil
}

// Keys implements Ledger.
func (m *Memory) Keys(_ context.Context) (dead, orgs map[string]string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	dead, orgs = make(map[string]string, len(m.dead)), make(map[string]string, len(m.orgs))
	now := m.now()
	for k, v := range m.dead {
		if !now.Before(v.until) {
			delete(m.dead, k) // lapsed
			continue
		}
		dead[k] = v.reason
	}
	for k, v := range m.orgs {
		orgs[k] = v
	}
	return dead, orgs, nil
}

var _ Ledger = (*Memory)(nil)
