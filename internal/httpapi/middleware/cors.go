package middleware

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
)

// ParseOrigins parses PARLEY_CORS_ORIGINS: comma-separated origins such as
// https://chat.example.com (scheme, host, optional port; nothing else). The
// single entry "*" allows every origin, and then never with credentials.
func ParseOrigins(s string) ([]string, error) {
	var out, bad []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "*" {
			out = append(out, f)
			continue
		}
		o, ok := normalizeOrigin(f)
		if !ok {
			bad = append(bad, f)
			continue
		}
		out = append(out, o)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("cors origins: not an origin (scheme://host[:port]): %s", strings.Join(bad, ", "))
	}
	return out, nil
}

func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// CORSOptions configures the CORS middleware.
type CORSOptions struct {
	// Origins is the allow-list (see ParseOrigins). Empty: no cross-origin
	// access at all.
	Origins []string
	// Methods and Headers are answered to preflights; defaults cover the API.
	Methods []string
	Headers []string
	// Expose lists response headers scripts may read; defaults cover the
	// request id and rate-limit headers.
	Expose []string
	// MaxAge is how long browsers may cache a preflight (default 10 minutes).
	MaxAge time.Duration
}

// CORS lets listed origins call the API from a browser, with credentials.
// Unknown origins get no CORS headers at all (and their preflights a 403), so
// the browser blocks them; every answer carries Vary: Origin so caches never
// mix them up. The wildcard "*" never comes with credentials.
func CORS(opts CORSOptions) func(http.Handler) http.Handler {
	allowed := make(map[string]bool, len(opts.Origins))
	anyOrigin := false
	for _, o := range opts.Origins {
		if o == "*" {
			anyOrigin = true
		}
		allowed[o] = true
	}
	methods := strings.Join(orDefault(opts.Methods, []string{"GET", "POST", "PATCH", "DELETE", "OPTIONS"}), ", ")
	headers := strings.Join(orDefault(opts.Headers, []string{"Authorization", "Content-Type", "Accept", "X-Request-Id"}), ", ")
	expose := strings.Join(orDefault(opts.Expose, []string{"X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}), ", ")
	maxAge := opts.MaxAge
	if maxAge <= 0 {
		maxAge = 10 * time.Minute
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Add("Vary", "Origin")
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if preflight {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
			}
			norm, ok := normalizeOrigin(origin)
			listed := ok && allowed[norm]
			if !listed && !anyOrigin {
				if preflight {
					problem.Write(w, r, errs.E(errs.Forbidden, "origin not allowed"))
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			if listed {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
			} else {
				h.Set("Access-Control-Allow-Origin", "*")
			}
			if !preflight {
				h.Set("Access-Control-Expose-Headers", expose)
				next.ServeHTTP(w, r)
				return
			}
			h.Set("Access-Control-Allow-Methods", methods)
			h.Set("Access-Control-Allow-Headers", headers)
			h.Set("Access-Control-Max-Age", strconv.Itoa(int(maxAge.Seconds())))
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

func orDefault(v, def []string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}
