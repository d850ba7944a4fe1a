package groq

import (
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/groq/ledger"
)

// rateHeaders are Groq's x-ratelimit-* headers: requests are per day (RPD),
// tokens per minute (TPM). A set without limit and remaining is absent.
type rateHeaders struct {
	requestsLimit, requestsRemaining int
	requestsReset                    time.Duration
	hasRequests                      bool
	tokensLimit, tokensRemaining     int
	tokensReset                      time.Duration
	hasTokens                        bool
}

// parseRateHeaders reads the x-ratelimit-* headers; malformed values are ignored.
func parseRateHeaders(h http.Header) rateHeaders {
	var r rateHeaders
	var okL, okR bool
	r.requestsLimit, okL = headerInt(h, "x-ratelimit-limit-requests")
	r.requestsRemaining, okR = headerInt(h, "x-ratelimit-remaining-requests")
	r.hasRequests = okL && okR && r.requestsLimit > 0
	r.requestsReset, _ = parseReset(h.Get("x-ratelimit-reset-requests"))
	r.tokensLimit, okL = headerInt(h, "x-ratelimit-limit-tokens")
	r.tokensRemaining, okR = headerInt(h, "x-ratelimit-remaining-tokens")
	r.hasTokens = okL && okR && r.tokensLimit > 0
	r.tokensReset, _ = parseReset(h.Get("x-ratelimit-reset-tokens"))
	return r
}

// observation turns headers into a ledger observation.
func (r rateHeaders) observation(org, model, id string) ledger.Observation {
	return ledger.Observation{
		Org: org, Model: model, ID: id,
		HasRequests: r.hasRequests, RequestsLimit: r.requestsLimit, RequestsRemaining: r.requestsRemaining, RequestsResetAfter: r.requestsReset,
		HasTokens: r.hasTokens, TokensLimit: r.tokensLimit, TokensRemaining: r.tokensRemaining, TokensResetAfter: r.tokensReset,
	}
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return int(f), true
}

// parseReset reads a reset value: a Go duration ("2m59.56s", "940ms"), or
// bare seconds ("7").
func parseReset(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, true
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f < 1e9 {
		return time.Duration(f * float64(time.Second)), true
	}
	return 0, false
}

// parseRetryAfter reads retry-after as (float) seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || math.IsNaN(f) || f > 1e9 {
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// limitMessage is what a 429 or 413 message tells about the limit hit.
type limitMessage struct {
	org      string
	unit     string // ledger.UnitRPM, ...
	limit    int
	tryAgain time.Duration
	hasWait  bool
}

var (
	reOrg      = regexp.MustCompile("in organization `(org_[A-Za-z0-9_-]+)`")
	reUnit     = regexp.MustCompile(`\((RPM|RPD|TPM|TPD)\)`)
	reLimit    = regexp.MustCompile(`Limit (\d+)`)
	reTryAgain = regexp.MustCompile(`try again in ([0-9][0-9.hmsµun]*)`)
)

// parseLimitMessage reads org, unit, limit and wait out of Groq's rate-limit
// message text; missing parts stay zero.
func parseLimitMessage(msg string) limitMessage {
	var m limitMessage
	if s := reOrg.FindStringSubmatch(msg); s != nil {
		m.org = s[1]
	}
	if s := reUnit.FindStringSubmatch(msg); s != nil {
		m.unit = s[1]
	}
	if s := reLimit.FindStringSubmatch(msg); s != nil {
		m.limit, _ = strconv.Atoi(s[1])
	}
	if s := reTryAgain.FindStringSubmatch(msg); s != nil {
		m.tryAgain, m.hasWait = parseReset(strings.TrimRight(s[1], "."))
	}
	return m
}
