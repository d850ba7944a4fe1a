package errtrack

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/getsentry/sentry-go"
)

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	ipv4Re  = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	// ipv6Re finds candidates; netip decides.
	ipv6Re = regexp.MustCompile(`[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*`)
	// bearerRe catches credentials that leaked into error text.
	bearerRe = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+|\b(gsk|plt|sk)_[A-Za-z0-9_\-]{8,}`)
)

// sensitiveHeaders are removed from every event whatever else happens.
var sensitiveHeaders = []string{"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
	"x-forwarded-for", "x-real-ip", "forwarded"}

// ScrubString replaces emails, IP addresses and credential-looking strings.
func ScrubString(s string) string {
	s = bearerRe.ReplaceAllString(s, "${1}[credential]")
	s = emailRe.ReplaceAllString(s, "[email]")
	s = ipv4Re.ReplaceAllString(s, "[ip]")
	return ipv6Re.ReplaceAllStringFunc(s, func(m string) string {
		if _, err := netip.ParseAddr(m); err == nil {
			return "[ip]"
		}
		return m
	})
}

// Scrub removes personal data from e: credential and cookie headers, request
// bodies, query strings, environment, user fields other than the opaque id,
// and emails and IP addresses in any text. It is the BeforeSend hook.
func Scrub(e *sentry.Event) *sentry.Event {
	if e == nil {
		return nil
	}
	if r := e.Request; r != nil {
		r.Data = ""
		r.Cookies = ""
		r.QueryString = ""
		r.Env = nil
		r.URL = ScrubString(r.URL)
		for k, v := range r.Headers {
			if isSensitive(k) {
				delete(r.Headers, k)
				continue
			}
			r.Headers[k] = ScrubString(v)
		}
	}
	e.User = sentry.User{ID: e.User.ID}
	e.Message = ScrubString(e.Message)
	for i := range e.Exception {
		e.Exception[i].Value = ScrubString(e.Exception[i].Value)
		if st := e.Exception[i].Stacktrace; st != nil {
			for j := range st.Frames {
				st.Frames[j].Vars = nil
			}
		}
	}
	for _, b := range e.Breadcrumbs {
		b.Message = ScrubString(b.Message)
		b.Data = nil
	}
	for k, v := range e.Tags {
		e.Tags[k] = ScrubString(v)
	}
	return e
}

func isSensitive(header string) bool {
	h := strings.ToLower(header)
	for _, s := range sensitiveHeaders {
		if h == s {
			return true
		}
	}
	return false
}
