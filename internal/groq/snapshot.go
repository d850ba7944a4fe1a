package groq

import (
	"context"
	"time"

	"github.com/parley-chat/parley/internal/groq/ledger"
)

// Key states in the admin view.
const (
	StateActive  = "active"
	StateCooling = "cooling"
	StateDead    = "dead"
)

// KeyStatus is one key in GET /admin/keys (never the key itself).
type KeyStatus struct {
	Fingerprint string `json:"fingerprint"`
	// Org is the key's org id, empty while unknown.
	Org       string `json:"org"`
	OrgSource string `json:"org_source"` // declared, learned, unknown
	State     string `json:"state"`      // active, cooling, dead
	// DeadReason is set for dead keys, e.g. "invalid_api_key (401)".
	DeadReason string `json:"dead_reason"`
	// CooldownUntil is the latest cooldown among the org's model budgets.
	CooldownUntil *time.Time     `json:"cooldown_until"`
	Budgets       []BudgetStatus `json:"budgets"`
}

// BudgetStatus is one (org, model) budget the key shares with its org.
// Requests are per day (RPD), tokens per minute (TPM); nil when unknown.
type BudgetStatus struct {
	Model             string     `json:"model"`
	RequestsRemaining *int       `json:"requests_remaining"`
	RequestsLimit     *int       `json:"requests_limit"`
	RequestsResetAt   *time.Time `json:"requests_reset_at"`
	TokensRemaining   *int       `json:"tokens_remaining"`
	TokensLimit       *int       `json:"tokens_limit"`
	TokensResetAt     *time.Time `json:"tokens_reset_at"`
	CoolingUntil      *time.Time `json:"cooling_until"`
}

// Snapshot reports every configured key with its org's budgets. When the
// shared state cannot be read, keys are listed without budgets.
func (p *Pool) Snapshot(ctx context.Context) []KeyStatus {
	keys, budgets := p.state(ctx)
	byOrg := map[string][]ledger.Budget{}
	for _, b := range budgets {
		byOrg[b.Org] = append(byOrg[b.Org], b)
	}
	out := make([]KeyStatus, 0, len(keys))
	for _, k := range keys {
		ks := KeyStatus{Fingerprint: k.fp, OrgSource: k.orgSource, State: StateActive, DeadReason: k.deadReason, Budgets: []BudgetStatus{}}
		if k.orgSource != OrgUnknown {
			ks.Org = k.org
		}
		for _, b := range byOrg[k.org] {
			ks.Budgets = append(ks.Budgets, budgetStatus(b))
			if !b.CoolingUntil.IsZero() && (ks.CooldownUntil == nil || b.CoolingUntil.After(*ks.CooldownUntil)) {
				t := b.CoolingUntil
				ks.CooldownUntil = &t
			}
		}
		switch {
		case k.dead:
			ks.State = StateDead
		case ks.CooldownUntil != nil:
			ks.State = StateCooling
		}
		out = append(out, ks)
	}
	return out
}

// state copies the keys and reads their orgs' budgets.
func (p *Pool) state(ctx context.Context) ([]key, []ledger.Budget) {
	p.syncKeys(ctx)
	p.mu.Lock()
	keys := make([]key, len(p.keys))
	var orgs []string
	seen := map[string]bool{}
	for i, k := range p.keys {
		keys[i] = *k
		if !seen[k.org] {
			seen[k.org] = true
			orgs = append(orgs, k.org)
		}
	}
	p.mu.Unlock()
	budgets, err := p.ledger.Budgets(ctx, orgs)
	if err != nil {
		p.log.Warn("groq budgets unreadable", "err", err)
	}
	return keys, budgets
}

func budgetStatus(b ledger.Budget) BudgetStatus {
	s := BudgetStatus{Model: b.Model}
	if b.RequestsLimit > 0 {
		s.RequestsRemaining, s.RequestsLimit, s.RequestsResetAt = ptr(b.RequestsRemaining), ptr(b.RequestsLimit), ptr(b.RequestsResetAt)
	}
	if b.TokensLimit > 0 {
		s.TokensRemaining, s.TokensLimit, s.TokensResetAt = ptr(b.TokensRemaining), ptr(b.TokensLimit), ptr(b.TokensResetAt)
	}
	if !b.CoolingUntil.IsZero() {
		s.CoolingUntil = ptr(b.CoolingUntil)
	}
	return s
}

func ptr[T any](v T) *T { return &v }
