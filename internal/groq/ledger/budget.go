package ledger

import (
	"math"
	"time"
)

// budgetState is one (org, model) budget as both Ledgers store it. Times
// are Unix milliseconds; levels refill continuously like Groq's buckets.
type budgetState struct {
	coolUntil int64
	coolUnit  string
	rpmLimit  int
	rpmTAT    int64
	rpdLimit  int
	rpdLevel  float64
	rpdTS     int64
	tpmLimit  int
	tpmLevel  float64
	tpmTS     int64
	ifTokens  int
	ifCount   int
}

// level returns a bucket's level at now given its last reading.
func level(limit int, lvl float64, ts, now int64, window time.Duration) float64 {
	if limit <= 0 {
		return 0
	}
	if now > ts {
		lvl += float64(now-ts) * float64(limit) / float64(window.Milliseconds())
	}
	return math.Min(lvl, float64(limit))
}

// fillTime is when a bucket at lvl (now) refills up to target.
func fillTime(limit int, lvl, target float64, now int64, window time.Duration) int64 {
	if lvl >= target || limit <= 0 {
		return now
	}
	return now + int64(math.Ceil((target-lvl)*float64(window.Milliseconds())/float64(limit)))
}

// room evaluates whether a request of tokens fits at now. It returns the
// time it may fit (== now when it fits) and a capacity score in [0,1].
func (b *budgetState) room(tokens int, now int64) (at int64, score float64) {
	at, score = now, 1
	if b.coolUntil > at {
		at = b.coolUntil
	}
	if b.rpmLimit > 0 {
		interval, tolerance := rpmGCRA(b.rpmLimit)
		tat := max(b.rpmTAT, now)
		if tat-now > tolerance {
			at = max(at, tat-tolerance)
		}
		score = math.Min(score, float64(tolerance-(tat-now))/float64(interval*int64(b.rpmLimit)))
	}
	if b.rpdLimit > 0 {
		avail := level(b.rpdLimit, b.rpdLevel, b.rpdTS, now, day) - float64(b.ifCount)
		at = max(at, fillTime(b.rpdLimit, avail, 1, now, day))
		score = math.Min(score, avail/float64(b.rpdLimit))
	}
	if b.tpmLimit > 0 {
		need := float64(min(tokens, b.tpmLimit))
		avail := level(b.tpmLimit, b.tpmLevel, b.tpmTS, now, minute) - float64(b.ifTokens)
		at = max(at, fillTime(b.tpmLimit, avail, need, now, minute))
		score = math.Min(score, avail/float64(b.tpmLimit))
	}
	return at, score
}

// rpmGCRA returns the emission interval and tolerance (ms) of an RPM limit.
func rpmGCRA(limit int) (interval, tolerance int64) {
	interval = minute.Milliseconds() / int64(limit)
	return interval, minute.Milliseconds() - interval
}

// take records a request sent at now (the RPM count).
func (b *budgetState) take(now int64) {
	if b.rpmLimit > 0 {
		interval, _ := rpmGCRA(b.rpmLimit)
		b.rpmTAT = max(b.rpmTAT, now) + interval
	}
}

// release accounts for a finished request that reserved tokens. A settled
// request is in a header truth that charged about its reservation: the
// unused part is credited back once the usage is known. Otherwise the used
// tokens and requests are charged.
func (b *budgetState) release(reserved int, settled bool, tokens, requests int, now int64) {
	if !settled {
		b.charge(tokens, requests, now)
		return
	}
	if tokens > 0 && reserved > tokens && b.tpmLimit > 0 {
		lvl := level(b.tpmLimit, b.tpmLevel, b.tpmTS, now, minute) + float64(reserved-tokens)
		b.tpmLevel, b.tpmTS = math.Min(lvl, float64(b.tpmLimit)), now
	}
}

// charge deducts used tokens and requests not yet in a header truth.
func (b *budgetState) charge(tokens, requests int, now int64) {
	if tokens > 0 && b.tpmLimit > 0 {
		b.tpmLevel = level(b.tpmLimit, b.tpmLevel, b.tpmTS, now, minute) - float64(tokens)
		b.tpmTS = now
	}
	if requests > 0 && b.rpdLimit > 0 {
		b.rpdLevel = level(b.rpdLimit, b.rpdLevel, b.rpdTS, now, day) - float64(requests)
		b.rpdTS = now
	}
}

// observe stores a header truth.
func (b *budgetState) observe(o Observation, now int64) {
	if o.HasTokens && o.TokensLimit > 0 {
		b.tpmLimit, b.tpmLevel, b.tpmTS = o.TokensLimit, float64(o.TokensRemaining), now
	}
	if o.HasRequests && o.RequestsLimit > 0 {
		b.rpdLimit, b.rpdLevel, b.rpdTS = o.RequestsLimit, float64(o.RequestsRemaining), now
	}
}

// cool stores a 429.
func (b *budgetState) cool(c Cooldown) {
	until := c.Until.UnixMilli()
	if until > b.coolUntil {
		b.coolUntil, b.coolUnit = until, c.Unit
	}
	if c.Unit == UnitRPM && c.Limit > 0 {
		b.rpmLimit = c.Limit
		_, tolerance := rpmGCRA(c.Limit)
		b.rpmTAT = max(b.rpmTAT, until+tolerance)
	}
}

// view renders the state at now for the admin view.
func (b *budgetState) view(org, model string, now int64) Budget {
	out := Budget{Org: org, Model: model, RPMLimit: b.rpmLimit, InFlightTokens: b.ifTokens, InFlightRequests: b.ifCount}
	if b.rpdLimit > 0 {
		lvl := level(b.rpdLimit, b.rpdLevel, b.rpdTS, now, day)
		out.RequestsLimit, out.RequestsRemaining = b.rpdLimit, int(math.Max(0, math.Floor(lvl)))
		out.RequestsResetAt = time.UnixMilli(fillTime(b.rpdLimit, lvl, float64(b.rpdLimit), now, day)).UTC()
	}
	if b.tpmLimit > 0 {
		lvl := level(b.tpmLimit, b.tpmLevel, b.tpmTS, now, minute)
		out.TokensLimit, out.TokensRemaining = b.tpmLimit, int(math.Max(0, math.Floor(lvl)))
		out.TokensResetAt = time.UnixMilli(fillTime(b.tpmLimit, lvl, float64(b.tpmLimit), now, minute)).UTC()
	}
	if b.coolUntil > now {
		out.CoolingUntil, out.CoolingUnit = time.UnixMilli(b.coolUntil).UTC(), b.coolUnit
	}
	return out
}
