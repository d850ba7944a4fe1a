package deploytest

import (
	"slices"
	"strings"
	"testing"
)

// TestEdgeRoutes checks Traefik's dynamic configuration: HTTPS only, Let's
// Encrypt certificates, web (and Grafana) routed, the API never routed
// directly, security headers and the edge rate limit defined.
func TestEdgeRoutes(t *testing.T) {
	var cfg struct {
		HTTP struct {
			Routers map[string]struct {
				Rule        string   `yaml:"rule"`
				EntryPoints []string `yaml:"entryPoints"`
				Service     string   `yaml:"service"`
				TLS         *struct {
					CertResolver string `yaml:"certResolver"`
				} `yaml:"tls"`
			} `yaml:"routers"`
			Services map[string]struct {
				LoadBalancer struct {
					Servers []struct {
						URL string `yaml:"url"`
					} `yaml:"servers"`
				} `yaml:"loadBalancer"`
			} `yaml:"services"`
			Middlewares map[string]struct {
				Headers *struct {
					STSSeconds         int    `yaml:"stsSeconds"`
					FrameDeny          bool   `yaml:"frameDeny"`
					ContentTypeNosniff bool   `yaml:"contentTypeNosniff"`
					ReferrerPolicy     string `yaml:"referrerPolicy"`
				} `yaml:"headers"`
				RateLimit *struct {
					Average int `yaml:"average"`
					Burst   int `yaml:"burst"`
				} `yaml:"rateLimit"`
				Buffering any `yaml:"buffering"`
			} `yaml:"middlewares"`
		} `yaml:"http"`
		TLS struct {
			Options map[string]struct {
				MinVersion string `yaml:"minVersion"`
			} `yaml:"options"`
		} `yaml:"tls"`
	}
	readYAML(t, "deploy/traefik/dynamic.yml", &cfg)

	for name, r := range cfg.HTTP.Routers {
		if !slices.Equal(r.EntryPoints, []string{"websecure"}) || r.TLS == nil || r.TLS.CertResolver != "letsencrypt" {
			t.Errorf("router %s: entryPoints %v tls %+v, want websecure with the letsencrypt resolver", name, r.EntryPoints, r.TLS)
		}
	}
	if r := cfg.HTTP.Routers["parley"]; r.Service != "web" || !strings.Contains(r.Rule, `env "PARLEY_DOMAIN"`) {
		t.Errorf("parley router %+v, want Host(PARLEY_DOMAIN) → web", r)
	}
	for name, s := range cfg.HTTP.Services {
		for _, srv := range s.LoadBalancer.Servers {
			if strings.Contains(srv.URL, "//api") {
				t.Errorf("service %s routes to the API directly (%s): the API is reached only through web", name, srv.URL)
			}
		}
	}
	if got := cfg.HTTP.Services["web"].LoadBalancer.Servers; len(got) != 1 || got[0].URL != "http://web:3000" {
		t.Errorf("web service servers %v", got)
	}

	h := cfg.HTTP.Middlewares["security-headers"].Headers
	if h == nil || h.STSSeconds < 31536000 || !h.FrameDeny || !h.ContentTypeNosniff || h.ReferrerPolicy == "" {
		t.Errorf("security-headers middleware %+v", h)
	}
	rl := cfg.HTTP.Middlewares["rate-limit"].RateLimit
	if rl == nil || rl.Average != 10 || rl.Burst < rl.Average {
		t.Errorf("rate-limit middleware %+v, want 10 req/s per IP with a burst", rl)
	}
	for name, m := range cfg.HTTP.Middlewares {
		if m.Buffering != nil {
			t.Errorf("middleware %s buffers responses: server-sent events would stall", name)
		}
	}
	if v := cfg.TLS.Options["default"].MinVersion; v != "VersionTLS12" && v != "VersionTLS13" {
		t.Errorf("TLS minVersion %q", v)
	}

	// Traefik sees the names its routers need.
	env := project(t).Services["traefik"].Environment
	if env["PARLEY_DOMAIN"] == nil || *env["PARLEY_DOMAIN"] != "chat.example.test" || env["GRAFANA_DOMAIN"] == nil ||
		*env["GRAFANA_DOMAIN"] != "grafana.chat.example.test" {
		t.Errorf("traefik environment %v", env)
	}
}
