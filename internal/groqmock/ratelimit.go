package groqmock

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The six budgets of a bucket, in the order their 429s are considered.
const (
	unitRPM = iota
	unitRPD
	unitTPM
	unitTPD
	unitASH
	unitASD
	numUnits
)

var unitWindow = [numUnits]float64{60, 86400, 60, 86400, 3600, 86400}

var unitName = [numUnits]string{
	"requests per minute (RPM)", "requests per day (RPD)", "tokens per minute (TPM)", "tokens per day (TPD)",
	"audio seconds per hour (ASH)", "audio seconds per day (ASD)",
}

var unitType = [numUnits]string{"requests", "requests", "tokens", "tokens", "audio_seconds", "audio_seconds"}

func (l Limits) of(u int) int {
	return [numUnits]int{l.RPM, l.RPD, l.TPM, l.TPD, l.ASH, l.ASD}[u]
}

// cost is what one request charges: a request, tokens and audio seconds.
type cost struct {
	tokens int
	audio  float64
}

func (c cost) of(u int) float64 {
	switch u {
	case unitRPM, unitRPD:
		return 1
	case unitTPM, unitTPD:
		return float64(c.tokens)
	default:
		return c.audio
	}
}

// bucket is one (organisation, model) budget. Each unit drains continuously:
// used falls by limit/window per second, so a full bucket is empty again one
// window later and reset = used × window / limit.
type bucket struct {
	mu   sync.Mutex
	used [numUnits]float64
	at   time.Time
}

// snapshot is what the x-ratelimit-* headers report, taken under the bucket lock.
type snapshot struct {
	lim  Limits
	used [numUnits]float64
}

// rejection describes the unit that refused a request.
type rejection struct {
	unit      int
	limit     int
	used      int
	requested int
	wait      time.Duration
	tooLarge  bool
}

func (b *bucket) refill(now time.Time, lim Limits) {
	dt := now.Sub(b.at).Seconds()
	if dt <= 0 {
		return
	}
	b.at = now
	for u := range numUnits {
		l := lim.of(u)
		if l <= 0 {
			b.used[u] = 0
			continue
		}
		b.used[u] = math.Max(0, b.used[u]-dt*float64(l)/unitWindow[u])
	}
}

// admit charges one request and tokens, or refuses without charging. The
// refusal reports the unit with the longest wait, so retrying after it helps.
func (b *bucket) admit(now time.Time, lim Limits, c cost) (snapshot, *rejection) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now, lim)
	if lim.TPM > 0 && c.tokens > lim.TPM {
		return b.snap(lim), &rejection{unit: unitTPM, limit: lim.TPM, requested: c.tokens, tooLarge: true}
	}
	if lim.ASH > 0 && c.audio > float64(lim.ASH) {
		return b.snap(lim), &rejection{unit: unitASH, limit: lim.ASH, requested: ceilInt(c.audio), tooLarge: true}
	}
	var worst *rejection
	for u := range numUnits {
		l, req := lim.of(u), c.of(u)
		if l <= 0 || b.used[u]+req <= float64(l) {
			continue
		}
		secs := (b.used[u] + req - float64(l)) / (float64(l) / unitWindow[u])
		wait := time.Duration(secs * float64(time.Second))
		if worst == nil || wait > worst.wait {
			worst = &rejection{unit: u, limit: l, used: ceilInt(b.used[u]), requested: ceilInt(req), wait: wait}
		}
	}
	if worst == nil {
		for u := range numUnits {
			if lim.of(u) > 0 {
				b.used[u] += c.of(u)
			}
		}
	}
	return b.snap(lim), worst
}

// adjust corrects the token units by delta (actual minus estimated usage).
func (b *bucket) adjust(now time.Time, lim Limits, delta int) {
	if delta == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now, lim)
	for _, u := range []int{unitTPM, unitTPD} {
		if lim.of(u) > 0 {
			b.used[u] = math.Max(0, b.used[u]+float64(delta))
		}
	}
}

// peek reports the bucket without charging it.
func (b *bucket) peek(now time.Time, lim Limits) snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now, lim)
	return b.snap(lim)
}

func (b *bucket) snap(lim Limits) snapshot {
	return snapshot{lim: lim, used: b.used}
}

// ceilInt rounds up, ignoring float noise below one millionth.
func ceilInt(f float64) int { return int(math.Ceil(f - 1e-6)) }

// setHeaders writes the x-ratelimit-* headers of units that have a limit:
// requests report RPD, tokens report TPM, audio-seconds report ASH, and
// reset = (limit−remaining)×window/limit.
func (sn snapshot) setHeaders(h http.Header) {
	set := func(kind string, limit int, used float64, window float64) {
		if limit <= 0 {
			return
		}
		remaining := max(0, limit-ceilInt(used))
		reset := time.Duration(float64(limit-remaining) * window / float64(limit) * float64(time.Second))
		h["X-Ratelimit-Limit-"+kind] = []string{strconv.Itoa(limit)}
		h["X-Ratelimit-Remaining-"+kind] = []string{strconv.Itoa(remaining)}
		h["X-Ratelimit-Reset-"+kind] = []string{formatReset(reset)}
	}
	set("Requests", sn.lim.RPD, sn.used[unitRPD], 86400)
	set("Tokens", sn.lim.TPM, sn.used[unitTPM], 60)
	set("Audio-Seconds", sn.lim.ASH, sn.used[unitASH], 3600)
}

// formatReset renders a header reset like Groq: Go duration at 10 ms ("7.66s", "2m59.56s", "940ms").
func formatReset(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }

// formatWait renders the 429 "try again in" value at 1 ms ("11.455s", "1m26.4s").
func formatWait(d time.Duration) string { return d.Round(time.Millisecond).String() }

// retryAfter is the 429 retry-after header: whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()-1e-9))))
}

// message renders the 429 or 413 text naming org, model and tier.
func (r *rejection) message(model, org, tier string) string {
	const upsell = " Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing"
	if r.tooLarge {
		return fmt.Sprintf("Request too large for model `%s` in organization `%s` service tier `%s` on %s: "+
			"Limit %d, Requested %d, please reduce your message size and try again.%s",
			model, org, tier, unitName[r.unit], r.limit, r.requested, upsell)
	}
	return fmt.Sprintf("Rate limit reached for model `%s` in organization `%s` service tier `%s` on %s: "+
		"Limit %d, Used %d, Requested %d. Please try again in %s.%s",
		model, org, tier, unitName[r.unit], r.limit, r.used, r.requested, formatWait(r.wait), upsell)
}

// bucketFor returns the organisation's bucket for model, creating it on first use.
func (s *Server) bucketFor(o *orgState, model string) *bucket {
	if b, ok := o.buckets.Load(model); ok {
		return b.(*bucket)
	}
	b, _ := o.buckets.LoadOrStore(model, &bucket{at: s.now()})
	return b.(*bucket)
}
