// Package waf is parley's optional web application firewall: an HTTP
// middleware that runs the OWASP Core Rule Set on Coraza over each request's
// line, headers and body, and logs (detect) or refuses (block) what it flags.
// Chat text is kept out of body inspection, so people may talk about SQL and
// HTML.
package waf

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// Mode is what the firewall does with a request the rules flag.
type Mode string

// The modes of PARLEY_WAF.
const (
	Off    Mode = "off"    // no inspection at all
	Detect Mode = "detect" // log and count, let the request through
	Block  Mode = "block"  // answer 403 forbidden
)

// ParseMode reads PARLEY_WAF ("" is Off).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", Off:
		return Off, nil
	case Detect, Block:
		return m, nil
	}
	return "", fmt.Errorf("PARLEY_WAF: %q is not one of off, detect, block", s)
}

// BlockedMessage is the detail of a refusal; it never names what matched.
const BlockedMessage = "blocked by the web application firewall"

// DefaultExclusions are the top-level JSON fields whose text the rules do
// not inspect: a chat message's content and the messages of an OpenAI-style
// completion (people discuss SQL and HTML), and passwords (any characters
// are allowed; they are only ever hashed, never interpreted). Everything
// else of those requests (query, headers, the other body fields) is
// inspected.
var DefaultExclusions = map[string][]string{
	"POST /api/v1/conversations/{id}/messages": {"content"},
	"POST /v1/chat/completions":                {"messages"},
	"POST /api/v1/auth/register":               {"password"},
	"POST /api/v1/auth/login":                  {"password"},
	"PATCH /api/v1/me":                         {"password", "current_password"},
}

// Options configure a Firewall.
type Options struct {
	Mode Mode
	// Paranoia is the CRS blocking paranoia level, 1 (default) to 4.
	Paranoia int
	// MaxBody is the most body bytes the rules engine takes in
	// (PARLEY_MAX_BODY_BYTES); each route's own cap applies before it.
	MaxBody int64
	// Exclusions maps route patterns to top-level JSON fields left out of
	// body inspection; nil means DefaultExclusions.
	Exclusions map[string][]string
	Logger     *slog.Logger
	// Registerer receives parley_waf_matches_total; nil registers nothing.
	Registerer prometheus.Registerer
}

// Firewall is a loaded rule set and what to do with its verdicts. Its
// Route middleware is safe for concurrent use.
type Firewall struct {
	o       Options
	waf     coraza.WAF
	matches *prometheus.CounterVec
	load    time.Duration
}

// New loads the Core Rule Set (about half a second) unless the mode is Off.
func New(o Options) (*Firewall, error) {
	if o.Mode == "" {
		o.Mode = Off
	}
	if o.Mode != Off && o.Mode != Detect && o.Mode != Block {
		return nil, fmt.Errorf("waf: unknown mode %q", o.Mode)
	}
	if o.Paranoia == 0 {
		o.Paranoia = 1
	}
	if o.Paranoia < 1 || o.Paranoia > 4 {
		return nil, fmt.Errorf("PARLEY_WAF_PARANOIA: %d is not a paranoia level from 1 to 4", o.Paranoia)
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Exclusions == nil {
		o.Exclusions = DefaultExclusions
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	f := &Firewall{o: o, matches: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_waf_matches_total",
		Help: "Requests the web application firewall flagged, by action taken (detect: logged and let through, block: refused).",
	}, []string{"action"})}
	f.matches.WithLabelValues("detect") // exposed at 0 before the first match
	f.matches.WithLabelValues("block")
	if o.Registerer != nil {
		if err := o.Registerer.Register(f.matches); err != nil {
			return nil, fmt.Errorf("waf: register metrics: %w", err)
		}
	}
	if o.Mode == Off {
		return f, nil
	}
	start := time.Now()
	w, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(directives(o.Paranoia, o.MaxBody)))
	if err != nil {
		return nil, fmt.Errorf("waf: load the Core Rule Set: %w", err)
	}
	f.waf, f.load = w, time.Since(start)
	return f, nil
}

// directives are Coraza's recommended settings and the CRS, adjusted:
// the engine always decides (the mode is applied here, not by Coraza),
// no audit log (it would hold request bodies), no response inspection,
// bodies held in memory up to maxBody, and the methods parley's API uses.
func directives(paranoia int, maxBody int64) string {
	return fmt.Sprintf(`Include @coraza.conf-recommended
SecRuleEngine On
SecAuditEngine Off
SecResponseBodyAccess Off
SecRequestBodyLimit %[2]d
SecRequestBodyInMemoryLimit %[2]d
SecRequestBodyLimitAction ProcessPartial
Include @crs-setup.conf.example
SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%[1]d"
SecAction "id:900200,phase:1,pass,t:none,nolog,setvar:'tx.allowed_methods=GET HEAD POST OPTIONS PATCH DELETE'"
Include @owasp_crs/*.conf
`, paranoia, maxBody)
}

// Mode is the firewall's mode.
func (f *Firewall) Mode() Mode { return f.o.Mode }

// LoadTime is how long loading the rules took (0 when Off).
func (f *Firewall) LoadTime() time.Duration { return f.load }

// Route returns the middleware for one route pattern ("POST /api/v1/…"),
// which decides the body fields left out of inspection. It goes after the
// route's body cap; Off returns the handler unchanged.
func (f *Firewall) Route(pattern string) func(http.Handler) http.Handler {
	if f == nil || f.o.Mode == Off {
		return func(h http.Handler) http.Handler { return h }
	}
	exclude := f.o.Exclusions[pattern]
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := f.inspect(r, exclude)
			if v.err != nil {
				// The body could not be read (over its cap, too slow, gone):
				// the handler reads the same error and answers it.
				next.ServeHTTP(w, r)
				return
			}
			if len(v.rules) == 0 && !v.interrupted {
				next.ServeHTTP(w, r)
				return
			}
			f.report(r, pattern, v)
			if v.interrupted && f.o.Mode == Block {
				problem.Write(w, r, errs.E(errs.Forbidden, BlockedMessage))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// report logs and counts a verdict: rule ids, never what they matched.
func (f *Firewall) report(r *http.Request, pattern string, v verdict) {
	rec := request(r)
	attrs := []any{"request_id", rec.ID, "route", pattern, "client_ip", rec.ClientIP,
		"rule_ids", v.rules, "mode", string(f.o.Mode)}
	if u := rec.UserID; u != "" {
		attrs = append(attrs, "user_id", u)
	}
	if !v.interrupted {
		// Rules matched below the anomaly threshold: not an attack verdict.
		f.o.Logger.Debug("waf rules matched below the threshold", attrs...)
		return
	}
	attrs = append(attrs, "interrupting_rule", v.ruleID)
	if f.o.Mode == Block {
		f.matches.WithLabelValues("block").Inc()
		f.o.Logger.Warn("waf blocked a request", attrs...)
		return
	}
	f.matches.WithLabelValues("detect").Inc()
	f.o.Logger.Warn("waf flagged a request (detect mode: let through)", attrs...)
}

// request is r's record (platform/reqctx); outside the HTTP layer's chain
// (tests of the firewall alone) the peer address stands for the client.
func request(r *http.Request) *reqctx.Record {
	if rec := reqctx.From(r.Context()); rec != nil {
		return rec
	}
	return &reqctx.Record{ClientIP: r.RemoteAddr}
}
