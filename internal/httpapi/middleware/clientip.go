package middleware

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses PARLEY_TRUSTED_PROXIES: a comma-separated list of
// CIDR prefixes or single addresses. Every bad entry is reported at once.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var bad []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		bad = append(bad, f)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("trusted proxies: not an address or CIDR: %s", strings.Join(bad, ", "))
	}
	return out, nil
}

// trustFunc reports whether an address is a trusted proxy.
type trustFunc func(netip.Addr) bool

func trustOf(prefixes []netip.Prefix) trustFunc {
	return func(a netip.Addr) bool {
		for _, p := range prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
}

// client is what the request record learns about the caller.
type client struct {
	ip     string
	secure bool
}

// resolve finds the caller's address. X-Forwarded-For is used only when the
// direct peer is a trusted proxy, and then the rightmost hop that is not
// itself a trusted proxy wins: entries further left were written by the
// client and can be forged. X-Forwarded-Proto is believed on the same terms.
func resolve(r *http.Request, trusted func(netip.Addr) bool) client {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok {
		return client{ip: r.RemoteAddr, secure: r.TLS != nil}
	}
	c := client{ip: peer.String(), secure: r.TLS != nil}
	if !trusted(peer) {
		return c
	}
	if proto := lastValue(r.Header.Values("X-Forwarded-Proto")); proto != "" {
		c.secure = strings.EqualFold(proto, "https")
	}
	hops := splitHops(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHost(hops[i])
		if !ok {
			// Garbage from a hop we cannot vouch for: keep the nearest
			// trusted address rather than guess.
			return c
		}
		c.ip = a.String()
		if !trusted(a) {
			return c
		}
	}
	return c
}

// parseHost accepts "ip", "ip:port" and "[ipv6]:port".
func parseHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func splitHops(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	return hops
}

func lastValue(values []string) string {
	hops := splitHops(values)
	if len(hops) == 0 {
		return ""
	}
	return hops[len(hops)-1]
}
