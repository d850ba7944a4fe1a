package httpapi

import (
	"context"
	"net/http"
)

// KeyPool is what the admin views need of the Groq key pool: the state of
// every configured key, named by fingerprint (never the key itself).
type KeyPool interface {
	KeyStatuses(ctx context.Context) []KeyStatusJSON
}

// KeyPoolFunc adapts a function to KeyPool (cmd/parley wraps the pool's
// Snapshot with it).
type KeyPoolFunc func(ctx context.Context) []KeyStatusJSON

// KeyStatuses implements KeyPool.
func (f KeyPoolFunc) KeyStatuses(ctx context.Context) []KeyStatusJSON { return f(ctx) }

// KeyStatusJSON is one key of GET /admin/keys.
type KeyStatusJSON struct {
	Fingerprint string `json:"fingerprint"`
	// Org is empty while the key's org is unknown.
	Org       string `json:"org"`
	OrgSource string `json:"org_source"` // declared, learned, unknown
	State     string `json:"state"`      // active, cooling, dead
	// DeadReason says why a dead key left rotation; null otherwise.
	DeadReason    *string            `json:"dead_reason"`
	CooldownUntil *Time              `json:"cooldown_until"`
	Budgets       []BudgetStatusJSON `json:"budgets"`
}

// BudgetStatusJSON is one (org, model) budget of a key; requests are per
// day, tokens per minute, null while unknown.
type BudgetStatusJSON struct {
	Model             string `json:"model"`
	RequestsRemaining *int   `json:"requests_remaining"`
	RequestsLimit     *int   `json:"requests_limit"`
	RequestsResetAt   *Time  `json:"requests_reset_at"`
	TokensRemaining   *int   `json:"tokens_remaining"`
	TokensLimit       *int   `json:"tokens_limit"`
	TokensResetAt     *Time  `json:"tokens_reset_at"`
	CoolingUntil      *Time  `json:"cooling_until"`
}

// keysJSON is the answer of GET /admin/keys.
type keysJSON struct {
	Data       []KeyStatusJSON `json:"data"`
	Configured bool            `json:"configured"`
	// Summary counts the keys by state, for a dashboard's headline.
	Summary map[string]int `json:"summary"`
}

// listKeys answers GET /admin/keys: every key by fingerprint, never the key.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) error {
	out := keysJSON{Data: []KeyStatusJSON{}, Summary: map[string]int{"active": 0, "cooling": 0, "dead": 0}}
	if s.d.Keys != nil {
		for _, k := range s.d.Keys.KeyStatuses(r.Context()) {
			if k.Budgets == nil {
				k.Budgets = []BudgetStatusJSON{}
			}
			if k.DeadReason != nil && *k.DeadReason == "" {
				k.DeadReason = nil
			}
			out.Data = append(out.Data, k)
			out.Summary[k.State]++
		}
	}
	out.Configured = len(out.Data) > 0
	return WriteJSON(w, http.StatusOK, out)
}
