// Package ledger is the Groq key pool's budget ledger: what each (org, model)
// budget of Groq has left, reserved and cooling, kept in memory on one replica
// or in Redis (one Lua script per operation) across replicas, with Failover
// counting locally through a Redis outage. Every implementation passes
// ledgertest.
package ledger

import (
	"context"
	"time"
)

// Ledger is the accounting of Groq budgets per (org, model) that every
// replica of the key pool shares: header truths, 429 cooldowns, a local RPM
// count, in-flight token and request reservations, dead keys and learned
// orgs. Acquire checks and reserves atomically, so N replicas together never
// send more than one would.
type Ledger interface {
	// Acquire picks one org among req.Orgs with room for the request and
	// reserves it (lease req.ID). Without room anywhere it returns a Grant
	// with Org empty and RetryAt the soonest time one org may have room.
	Acquire(ctx context.Context, req AcquireRequest) (Grant, error)
	// Observe records the rate-limit headers of a response to reservation
	// o.ID; the header truth then includes that request.
	Observe(ctx context.Context, o Observation) error
	// Release ends reservation id. Unless Observe already settled it, the
	// used tokens and requests are charged to the budget.
	Release(ctx context.Context, org, model, id string, tokens, requests int) error
	// Cool records a 429 (or 413-free rate limit) on (org, model): nothing is
	// sent there before c.Until, and a learned RPM limit is kept.
	Cool(ctx context.Context, c Cooldown) error
	// Budgets lists the known budgets of the given orgs.
	Budgets(ctx context.Context, orgs []string) ([]Budget, error)
	// MarkDead takes a key (by fingerprint) out of rotation for every replica
	// until until: then the mark lapses and the key is tried again (a revoked
	// key is simply marked again, a reinstated one serves).
	MarkDead(ctx context.Context, fingerprint, reason string, until time.Time) error
	// ReviveKey clears a key's dead mark (the operator put it back).
	ReviveKey(ctx context.Context, fingerprint string) error
	// LearnOrg records that a key (by fingerprint) belongs to org.
	LearnOrg(ctx context.Context, fingerprint, org string) error
	// Keys returns the keys whose dead mark has not lapsed (fingerprint →
	// reason) and the learned orgs (fingerprint → org).
	Keys(ctx context.Context) (dead, orgs map[string]string, err error)
}

// AcquireRequest asks for room for one request to Model.
type AcquireRequest struct {
	Model string
	// Orgs are the candidates; among those with room the one with the most
	// remaining capacity wins, the earliest listed on ties.
	Orgs []string
	// Prefer is chosen whenever it is a candidate with room (affinity).
	Prefer string
	// Tokens is the request's estimated tokens (prompt + completion).
	Tokens int
	// ID names the reservation; unique per attempt.
	ID string
	// TTL bounds the reservation, should Release never come.
	TTL time.Duration
}

// Grant is the answer to Acquire.
type Grant struct {
	// Org is the chosen org, empty when none had room.
	Org string
	// RetryAt is, when Org is empty, the soonest time an org may have room.
	RetryAt time.Time
}

// Observation carries Groq's x-ratelimit-* headers for (Org, Model).
// Requests are per day (RPD), tokens per minute (TPM).
type Observation struct {
	Org, Model string
	// ID is the reservation this response answers (settled by it).
	ID                 string
	RequestsLimit      int
	RequestsRemaining  int
	TokensLimit        int
	TokensRemaining    int
	HasRequests        bool
	HasTokens          bool
	RequestsResetAfter time.Duration
	TokensResetAfter   time.Duration
}

// Limit units as Groq names them in 429 bodies.
const (
	UnitRPM = "RPM"
	UnitRPD = "RPD"
	UnitTPM = "TPM"
	UnitTPD = "TPD"
)

// Cooldown is a 429 on (Org, Model).
type Cooldown struct {
	Org, Model string
	// Until is Groq's reset: nothing goes there before it.
	Until time.Time
	// Unit is the limit hit (UnitRPM, ...), or empty when unknown.
	Unit string
	// Limit is the limit Groq named (0 when unknown).
	Limit int
}

// Budget is the known state of one (org, model) budget.
type Budget struct {
	Org, Model        string
	RequestsLimit     int // per day; 0 when unknown
	RequestsRemaining int
	RequestsResetAt   time.Time // zero when unknown
	TokensLimit       int       // per minute; 0 when unknown
	TokensRemaining   int
	TokensResetAt     time.Time
	RPMLimit          int // learned from a 429; 0 when unknown
	InFlightTokens    int
	InFlightRequests  int
	CoolingUntil      time.Time // zero when not cooling
	CoolingUnit       string
}

// Windows of Groq's continuously refilling buckets.
const (
	minute = time.Minute
	day    = 24 * time.Hour
)
