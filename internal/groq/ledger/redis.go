package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Ledger shared by every replica using one Redis; each
// operation is one Lua script, so check-and-reserve is atomic.
type Redis struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRedis returns a ledger keeping its state under prefix. now may be
// nil (time.Now); replicas should keep their clocks in sync (NTP).
func NewRedis(c redis.UniversalClient, prefix string, now func() time.Time) *Redis {
	if now == nil {
		now = time.Now
	}
	return &Redis{client: c, prefix: prefix + "pool:", now: now}
}

func (r *Redis) name(org, model string) string { return org + "|" + model }
func (r *Redis) hash(name string) string       { return r.prefix + "b:" + name }
func (r *Redis) leases(name string) string     { return r.prefix + "b:" + name + "|l" }
func (r *Redis) set() string                   { return r.prefix + "budgets" }

// Acquire implements Ledger.
func (r *Redis) Acquire(ctx context.Context, req AcquireRequest) (Grant, error) {
	if len(req.Orgs) == 0 {
		return Grant{RetryAt: r.now().UTC()}, nil
	}
	keys := make([]string, 0, 2*len(req.Orgs)+1)
	args := []any{r.now().UnixMilli(), req.Tokens, req.ID, req.TTL.Milliseconds(), 0}
	for i, org := range req.Orgs {
		n := r.name(org, req.Model)
		keys = append(keys, r.hash(n), r.leases(n))
		args = append(args, n)
		if org == req.Prefer {
			args[4] = i + 1
		}
	}
	keys = append(keys, r.set())
	v, err := acquireScript.Run(ctx, r.client, keys, args...).Int64Slice()
	if err != nil {
		return Grant{}, fmt.Errorf("ledger: redis acquire: %w", err)
	}
	if v[0] == 0 {
		return Grant{RetryAt: time.UnixMilli(v[1]).UTC()}, nil
	}
	return Grant{Org: req.Orgs[v[0]-1]}, nil
}

// Observe implements Ledger.
func (r *Redis) Observe(ctx context.Context, o Observation) error {
	n := r.name(o.Org, o.Model)
	tl, dl := 0, 0
	if o.HasTokens {
		tl = o.TokensLimit
	}
	if o.HasRequests {
		dl = o.RequestsLimit
	}
	err := observeScript.Run(ctx, r.client, []string{r.hash(n), r.leases(n), r.set()},
		r.now().UnixMilli(), o.ID, tl, o.TokensRemaining, dl, o.RequestsRemaining, n).Err()
	if err != nil {
		return fmt.Errorf("ledger: redis observe: %w", err)
	}
	return nil
}

// Release implements Ledger.
func (r *Redis) Release(ctx context.Context, org, model, id string, tokens, requests int) error {
	n := r.name(org, model)
	err := releaseScript.Run(ctx, r.client, []string{r.hash(n), r.leases(n)}, r.now().UnixMilli(), id, tokens, requests).Err()
	if err != nil {
		return fmt.Errorf("ledger: redis release: %w", err)
	}
	return nil
}

// Cool implements Ledger.
func (r *Redis) Cool(ctx context.Context, c Cooldown) error {
	n := r.name(c.Org, c.Model)
	err := coolScript.Run(ctx, r.client, []string{r.hash(n), r.leases(n), r.set()}, c.Until.UnixMilli(), c.Unit, c.Limit, n).Err()
	if err != nil {
		return fmt.Errorf("ledger: redis cool: %w", err)
	}
	return nil
}

// Budgets implements Ledger.
func (r *Redis) Budgets(ctx context.Context, orgs []string) ([]Budget, error) {
	names, err := r.client.SMembers(ctx, r.set()).Result()
	if err != nil {
		return nil, fmt.Errorf("ledger: redis budgets: %w", err)
	}
	want := map[string]bool{}
	for _, o := range orgs {
		want[o] = true
	}
	now := r.now().UnixMilli()
	var out []Budget
	for _, n := range names {
		org, model, ok := strings.Cut(n, "|")
		if !ok || !want[org] {
			continue
		}
		vals, err := readScript.Run(ctx, r.client, []string{r.hash(n), r.leases(n)}, now).Slice()
		if err != nil {
			return nil, fmt.Errorf("ledger: redis budgets: %w", err)
		}
		b := parseState(vals)
		out = append(out, b.view(org, model, now))
	}
	sortBudgets(out)
	return out, nil
}

// parseState reads HMGET values in the order of the Lua F table.
func parseState(v []any) budgetState {
	f := func(i int) float64 {
		if i >= len(v) {
			return 0
		}
		s, _ := v[i].(string)
		x, _ := strconv.ParseFloat(s, 64)
		return x
	}
	unit, _ := v[1].(string)
	return budgetState{
		coolUntil: int64(f(0)), coolUnit: unit,
		rpmLimit: int(f(2)), rpmTAT: int64(f(3)),
		rpdLimit: int(f(4)), rpdLevel: f(5), rpdTS: int64(f(6)),
		tpmLimit: int(f(7)), tpmLevel: f(8), tpmTS: int64(f(9)),
		ifTokens: int(f(10)), ifCount: int(f(11)),
	}
}

// MarkDead implements Ledger. The mark is stored as "<until in Unix ms>|reason"
// in one hash (Redis 7.0 has no per-field expiry); Keys skips lapsed marks.
func (r *Redis) MarkDead(ctx context.Context, fingerprint, reason string, until time.Time) error {
	v := strconv.FormatInt(until.UnixMilli(), 10) + "|" + reason
	if err := r.client.HSet(ctx, r.prefix+"dead", fingerprint, v).Err(); err != nil {
		return fmt.Errorf("ledger: redis mark dead: %w", err)
	}
	return nil
}

// ReviveKey implements Ledger.
func (r *Redis) ReviveKey(ctx context.Context, fingerprint string) error {
	if err := r.client.HDel(ctx, r.prefix+"dead", fingerprint).Err(); err != nil {
		return fmt.Errorf("ledger: redis revive key: %w", err)
	}
	return nil
}

// liveDead splits the dead marks into those that have not lapsed at now
// (fingerprint → reason) and the lapsed ones (fingerprint → stored value).
// A mark without a deadline (written before marks lapsed) counts as lapsed:
// the key is tried once more and marked again if Groq still refuses it.
func liveDead(marks map[string]string, now time.Time) (live, lapsed map[string]string) {
	live, lapsed = make(map[string]string, len(marks)), map[string]string{}
	for fp, v := range marks {
		ms, reason, ok := strings.Cut(v, "|")
		until, err := strconv.ParseInt(ms, 10, 64)
		if ok && err == nil && now.UnixMilli() < until {
			live[fp] = reason
		} else {
			lapsed[fp] = v
		}
	}
	return live, lapsed
}

// dropLapsedScript deletes a lapsed mark unless it was rewritten meanwhile.
var dropLapsedScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`)

// LearnOrg implements Ledger.
func (r *Redis) LearnOrg(ctx context.Context, fingerprint, org string) error {
	if err := r.client.HSet(ctx, r.prefix+"orgs", fingerprint, org).Err(); err != nil {
		return fmt.Errorf("ledger: redis learn org: %w", err)
	}
	return nil
}

// Keys implements Ledger.
func (r *Redis) Keys(ctx context.Context) (dead, orgs map[string]string, err error) {
	pipe := r.client.Pipeline()
	d := pipe.HGetAll(ctx, r.prefix+"dead")
	o := pipe.HGetAll(ctx, r.prefix+"orgs")
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("ledger: redis keys: %w", err)
	}
	live, lapsed := liveDead(d.Val(), r.now())
	for fp, v := range lapsed { // tidy up; a failure only leaves an ignored field
		_ = dropLapsedScript.Run(ctx, r.client, []string{r.prefix + "dead"}, fp, v).Err()
	}
	return live, o.Val(), nil
}

var _ Ledger = (*Redis)(nil)
