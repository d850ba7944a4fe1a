package main

import (
	"context"

	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/httpapi"
)

// poolStatuses adapts the pool's Snapshot to the admin view's KeyPool.
func poolStatuses(pool *groq.Pool) httpapi.KeyPool {
	return httpapi.KeyPoolFunc(func(ctx context.Context) []httpapi.KeyStatusJSON {
		snap := pool.Snapshot(ctx)
		out := make([]httpapi.KeyStatusJSON, len(snap))
		for i, k := range snap {
			out[i] = httpapi.KeyStatusJSON{Fingerprint: k.Fingerprint, Org: k.Org, OrgSource: k.OrgSource,
				State: k.State, DeadReason: &k.DeadReason, CooldownUntil: httpapi.TimePtr(k.CooldownUntil),
				Budgets: make([]httpapi.BudgetStatusJSON, len(k.Budgets))}
			for j, b := range k.Budgets {
				out[i].Budgets[j] = httpapi.BudgetStatusJSON{Model: b.Model,
					RequestsRemaining: b.RequestsRemaining, RequestsLimit: b.RequestsLimit,
					RequestsResetAt: httpapi.TimePtr(b.RequestsResetAt), TokensRemaining: b.TokensRemaining,
					TokensLimit: b.TokensLimit, TokensResetAt: httpapi.TimePtr(b.TokensResetAt),
					CoolingUntil: httpapi.TimePtr(b.CoolingUntil)}
			}
		}
		return out
	})
}
