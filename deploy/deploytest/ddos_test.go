package deploytest

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/httpapi/middleware"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// cloudflareV4 is a part of the shield's published ranges, as an operator
// would set EDGE_TRUSTED_IPS.
const cloudflareV4 = "173.245.48.0/20,103.21.244.0/22,104.16.0.0/13"

// traefikFlags returns the traefik service's --name=value flags.
func traefikFlags(t *testing.T, env []string) map[string]string {
	t.Helper()
	p, err := loadCompose(t, env)
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{}
	for _, arg := range p.Services["traefik"].Command {
		name, value, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		flags[name] = value
	}
	return flags
}

// TestEdgeDDoSPosture checks Traefik's own defences: a rate limit and an
// in-flight cap per client on every public request, timeouts that cut slow
// clients without cutting chat streams, and X-Forwarded-For believed only
// from the configured shield.
func TestEdgeDDoSPosture(t *testing.T) {
	var cfg struct {
		HTTP struct {
			Middlewares map[string]struct {
				InFlightReq *struct {
					Amount          int `yaml:"amount"`
					SourceCriterion struct {
						IPStrategy *struct {
							Depth int `yaml:"depth"`
						} `yaml:"ipStrategy"`
					} `yaml:"sourceCriterion"`
				} `yaml:"inFlightReq"`
				RateLimit *struct {
					SourceCriterion struct {
						IPStrategy *struct {
							Depth int `yaml:"depth"`
						} `yaml:"ipStrategy"`
					} `yaml:"sourceCriterion"`
				} `yaml:"rateLimit"`
			} `yaml:"middlewares"`
		} `yaml:"http"`
	}
	readYAML(t, "deploy/traefik/dynamic.yml", &cfg)
	inflight := cfg.HTTP.Middlewares["in-flight"].InFlightReq
	if inflight == nil || inflight.Amount < 10 || inflight.Amount > 200 || inflight.SourceCriterion.IPStrategy == nil {
		t.Errorf("in-flight middleware %+v, want inFlightReq per client IP (10–200)", inflight)
	}
	rl := cfg.HTTP.Middlewares["rate-limit"].RateLimit
	if rl == nil || rl.SourceCriterion.IPStrategy == nil || inflight == nil ||
		rl.SourceCriterion.IPStrategy.Depth != inflight.SourceCriterion.IPStrategy.Depth {
		t.Errorf("rate-limit and in-flight must key on the same client address: %+v / %+v", rl, inflight)
	}

	flags := traefikFlags(t, testEnv)
	mws := strings.Split(flags["entrypoints.websecure.http.middlewares"], ",")
	for _, want := range []string{"rate-limit@file", "in-flight@file"} {
		if !contains(mws, want) {
			t.Errorf("websecure middlewares %v lack %s: every public request must pass it", mws, want)
		}
	}
	dur := func(name string) time.Duration {
		t.Helper()
		v, ok := flags[name]
		if !ok {
			t.Fatalf("traefik flag --%s not set", name)
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("--%s=%s: %v", name, v, err)
		}
		return d
	}
	// The longest legitimate request is a chat stream: PARLEY_QUEUE_TIMEOUT
	// (10s) waiting for a key, then PARLEY_UPSTREAM_TIMEOUT (120s).
	if d := dur("entrypoints.websecure.transport.respondingTimeouts.readTimeout"); d < 130*time.Second || d > 10*time.Minute {
		t.Errorf("websecure readTimeout %v: must outlast a chat stream (130s) yet cut slow clients", d)
	}
	if d := dur("entrypoints.websecure.transport.respondingTimeouts.writeTimeout"); d != 0 {
		t.Errorf("websecure writeTimeout %v: any value cuts long server-sent event streams", d)
	}
	for _, name := range []string{"web", "websecure"} {
		if d := dur("entrypoints." + name + ".transport.respondingTimeouts.idleTimeout"); d <= 0 || d > 3*time.Minute {
			t.Errorf("%s idleTimeout %v, want a bound on idle connections", name, d)
		}
	}
	if d := dur("entrypoints.web.transport.respondingTimeouts.readTimeout"); d <= 0 || d > 30*time.Second {
		t.Errorf("web (redirect-only) readTimeout %v, want a short bound", d)
	}
	if got := flags["entrypoints.websecure.forwardedHeaders.trustedIPs"]; got != "127.0.0.1/32" {
		t.Errorf("without a shield Traefik trusts X-Forwarded-For from %q, want nobody outside (127.0.0.1/32)", got)
	}
	if flags["entrypoints.websecure.forwardedHeaders.insecure"] != "" {
		t.Error("forwardedHeaders.insecure trusts every client's X-Forwarded-For")
	}
}

// resolveClient is what parley's request record makes of a request from peer
// with X-Forwarded-For xff when it trusts the CIDRs in trusted. web's
// scripts/server.mjs resolves the client by the same rule (the rightmost hop
// that is not a trusted proxy), so this models both hops.
func resolveClient(t *testing.T, trusted, peer, xff string) string {
	t.Helper()
	proxies, err := middleware.ParseTrustedProxies(trusted)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := middleware.Record(middleware.RecordOptions{Logger: slog.Default(), TrustedProxies: proxies})(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = reqctx.From(r.Context()).ClientIP
	}))
	r := httptest.NewRequest("GET", "/api/v1/conversations", nil)
	r.RemoteAddr = peer + ":41000"
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	h.ServeHTTP(httptest.NewRecorder(), r)
	return got
}

// envOf is one service's environment variable, failing when it is unset.
func envOf(t *testing.T, env []string, service, name string) string {
	t.Helper()
	p, err := loadCompose(t, env)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Services[service].Environment[name]
	if v == nil {
		t.Fatalf("%s has no %s", service, name)
	}
	return *v
}

// TestShieldRangesReachParley puts a CDN/DDoS shield in front as
// deploy/README.md describes (EDGE_TRUSTED_IPS): Traefik trusts its
// X-Forwarded-For, web resolves the real client, not the shield's edge, and
// parley believes the address web forwards, so its limits apply per person.
func TestShieldRangesReachParley(t *testing.T) {
	env := append(append([]string{}, testEnv...), "EDGE_TRUSTED_IPS="+cloudflareV4)
	if got := traefikFlags(t, env)["entrypoints.websecure.forwardedHeaders.trustedIPs"]; got != cloudflareV4 {
		t.Errorf("Traefik trustedIPs %q, want the shield's ranges", got)
	}
	resolve := func(env []string) string {
		t.Helper()
		// Traefik (on the public network) passes a forged entry, the client as the
		// shield saw it and the shield's edge; web resolves one client from it …
		client := resolveClient(t, envOf(t, env, "web", "PARLEY_WEB_TRUSTED_PROXIES"), "172.30.0.3", "10.0.0.1, 198.51.100.23, 173.245.48.10")
		// … and the API, reached from web on the app network, believes it.
		return resolveClient(t, envOf(t, env, "api", "PARLEY_TRUSTED_PROXIES"), "172.30.1.5", client)
	}
	if got := resolve(env); got != "198.51.100.23" {
		t.Errorf("behind the shield parley sees %q, want the client 198.51.100.23", got)
	}
	if got := resolve(testEnv); got != "173.245.48.10" {
		t.Errorf("without EDGE_TRUSTED_IPS parley sees %q, want the shield's edge (its ranges are not trusted)", got)
	}
}

// TestComposeTrustsOnlyItsProxyNetwork: the API believes X-Forwarded-For only
// from the app network, which has a fixed subnet and holds web and the API
// alone; web believes it only from Traefik's public network. Anyone else in
// RFC 1918 (a container on internal, a neighbour on the host's LAN) who
// forges the header is seen as the address it comes from.
func TestComposeTrustsOnlyItsProxyNetwork(t *testing.T) {
	p := project(t)
	subnet := func(network string) string {
		t.Helper()
		n, ok := p.Networks[network]
		if !ok || n.Ipam.Config == nil || len(n.Ipam.Config) != 1 || n.Ipam.Config[0].Subnet == "" {
			t.Fatalf("network %s has no fixed subnet (ipam.config[0].subnet)", network)
		}
		return n.Ipam.Config[0].Subnet
	}
	app, public := subnet("app"), subnet("public")
	if !p.Networks["app"].Internal {
		t.Error("network app is not internal: true")
	}
	var onApp []string
	for name, s := range p.Services {
		if _, ok := s.Networks["app"]; ok {
			onApp = append(onApp, name)
		}
	}
	sort.Strings(onApp)
	if diff := cmp.Diff([]string{"api", "web"}, onApp); diff != "" {
		t.Errorf("app network members (-want +got):\n%s", diff)
	}
	if got := envOf(t, testEnv, "api", "PARLEY_TRUSTED_PROXIES"); got != app {
		t.Errorf("api PARLEY_TRUSTED_PROXIES = %q, want exactly the app network %s", got, app)
	}
	if got := envOf(t, testEnv, "web", "PARLEY_WEB_TRUSTED_PROXIES"); !strings.HasPrefix(got, public+",") && got != public {
		t.Errorf("web PARLEY_WEB_TRUSTED_PROXIES = %q, want the public network %s (and the shield's ranges)", got, public)
	}
	apiTrust := envOf(t, testEnv, "api", "PARLEY_TRUSTED_PROXIES")
	for _, forger := range []string{"10.0.0.7", "172.16.4.2", "172.30.0.3", "192.168.1.20", "172.18.0.9"} {
		if got := resolveClient(t, apiTrust, forger, "203.0.113.9"); got != forger {
			t.Errorf("a request from %s forging X-Forwarded-For is seen as %q, want %s", forger, got, forger)
		}
	}
	if got := resolveClient(t, apiTrust, "172.30.1.5", "203.0.113.9"); got != "203.0.113.9" {
		t.Errorf("the client web forwards is seen as %q, want 203.0.113.9", got)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.TrimSpace(v) == s {
			return true
		}
	}
	return false
}

// TestComposeFirewall checks the API runs the web application firewall in
// detect mode unless the operator chooses (PARLEY_WAF in .env).
func TestComposeFirewall(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want string
	}{
		{testEnv, "detect"},
		{append(append([]string{}, testEnv...), "PARLEY_WAF=block"), "block"},
	} {
		p, err := loadCompose(t, c.env)
		if err != nil {
			t.Fatal(err)
		}
		env := p.Services["api"].Environment
		if v := env["PARLEY_WAF"]; v == nil || *v != c.want {
			t.Errorf("api PARLEY_WAF = %v, want %s", v, c.want)
		}
		if v := env["PARLEY_WAF_PARANOIA"]; v == nil || *v != "1" {
			t.Errorf("api PARLEY_WAF_PARANOIA = %v, want 1", v)
		}
	}
}
