package deploytest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
)

// Zero-downtime updates. cmd/parley's TestRollingUpdateDropsNothing proves
// the mechanism with real replicas (drain, then shut down); these tests
// check that every deployment path configures it.

func envDuration(t *testing.T, env map[string]string, name string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(env[name])
	if err != nil {
		t.Fatalf("%s = %q: %v", name, env[name], err)
	}
	return d
}

func TestHelmRollsOutWithoutDowntime(t *testing.T) {
	for _, sets := range [][]string{nil, {"api.autoscaling.enabled=false", "api.replicaCount=3"}} {
		r := template(t, sets...)
		for _, comp := range []string{"api", "web"} {
			d := r.Deployments["parley-"+comp]
			ru := d.Spec.Strategy.RollingUpdate
			if d.Spec.Strategy.Type != "RollingUpdate" || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 ||
				ru.MaxSurge == nil || ru.MaxSurge.String() == "0" {
				t.Errorf("%s strategy %+v, want RollingUpdate with maxUnavailable 0 and a surge", comp, d.Spec.Strategy)
			}
			if pdb, ok := r.PDBs["parley-"+comp]; !ok || pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() < 1 {
				t.Errorf("%s: no PodDisruptionBudget keeping a pod up", comp)
			}
		}

		// api: the pod answers 503 on /readyz for the drain while it still
		// serves, long enough for the readiness probe to take it out of the
		// Service; then streams get the shutdown timeout; SIGKILL comes later.
		api := r.Deployments["parley-api"].Spec.Template.Spec
		c := api.Containers[0]
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		drain, timeout := envDuration(t, env, "PARLEY_SHUTDOWN_DRAIN"), envDuration(t, env, "PARLEY_SHUTDOWN_TIMEOUT")
		rp := c.ReadinessProbe
		if rp == nil || rp.HTTPGet == nil || rp.HTTPGet.Path != "/readyz" {
			t.Fatalf("api readiness probe %+v, want /readyz", rp)
		}
		if noticed := time.Duration(rp.PeriodSeconds*rp.FailureThreshold) * time.Second; drain < noticed {
			t.Errorf("drain %s is shorter than the %s the readiness probe needs to notice", drain, noticed)
		}
		if grace := time.Duration(*api.TerminationGracePeriodSeconds) * time.Second; grace <= drain+timeout {
			t.Errorf("terminationGracePeriodSeconds %s <= drain %s + shutdown timeout %s: streams get killed", grace, drain, timeout)
		}

		// web: a preStop sleep keeps it serving while it leaves the Service;
		// then on SIGTERM it drains, stops accepting and lets streams finish
		// within its shutdown timeout; SIGKILL comes after all of that.
		web := r.Deployments["parley-web"].Spec.Template.Spec
		lc := web.Containers[0].Lifecycle
		if lc == nil || lc.PreStop == nil || lc.PreStop.Exec == nil || len(lc.PreStop.Exec.Command) != 2 || lc.PreStop.Exec.Command[0] != "sleep" {
			t.Fatalf("web has no preStop sleep: %+v", lc)
		}
		webEnv := map[string]string{}
		for _, e := range web.Containers[0].Env {
			webEnv[e.Name] = e.Value
		}
		webDrain, webTimeout := envDuration(t, webEnv, "PARLEY_WEB_SHUTDOWN_DRAIN"), envDuration(t, webEnv, "PARLEY_WEB_SHUTDOWN_TIMEOUT")
		sleep, err := time.ParseDuration(lc.PreStop.Exec.Command[1] + "s")
		if grace := time.Duration(*web.TerminationGracePeriodSeconds) * time.Second; err != nil || sleep < 5*time.Second || grace <= sleep+webDrain+webTimeout {
			t.Errorf("web preStop sleep %v (%v), drain %s, shutdown timeout %s, grace %s: streams get killed", lc.PreStop.Exec.Command, err, webDrain, webTimeout, grace)
		}
	}
}

func TestComposeUpdatesStartFirstAndDrain(t *testing.T) {
	p := project(t)
	for _, name := range []string{"api", "web"} {
		s := p.Services[name]
		u := s.Deploy.UpdateConfig
		if u == nil || u.Order != "start-first" || u.Parallelism == nil || *u.Parallelism != 1 || u.FailureAction != "rollback" {
			t.Errorf("%s update_config %+v, want one at a time, start-first, rolled back on failure", name, u)
		}
		if s.Deploy.RollbackConfig == nil || s.Deploy.RollbackConfig.Order != "start-first" {
			t.Errorf("%s rollback_config %+v", name, s.Deploy.RollbackConfig)
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable {
			t.Errorf("%s: the rollout has no health check to wait for", name)
		}
	}
	api := p.Services["api"]
	// `parley healthcheck` probes /readyz: a new task counts only once ready.
	if diff := cmp.Diff(types.HealthCheckTest{"CMD", "/usr/local/bin/parley", "healthcheck"}, api.HealthCheck.Test); diff != "" {
		t.Errorf("api health check (-want +got):\n%s", diff)
	}
	env := map[string]string{}
	for k, v := range api.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	drain, timeout := envDuration(t, env, "PARLEY_SHUTDOWN_DRAIN"), envDuration(t, env, "PARLEY_SHUTDOWN_TIMEOUT")
	if drain <= 0 || api.StopGracePeriod == nil || time.Duration(*api.StopGracePeriod) <= drain+timeout {
		t.Errorf("api stop_grace_period %v, want more than drain %s + timeout %s", api.StopGracePeriod, drain, timeout)
	}
}

// loadComposeFiles loads files as `docker compose -f a -f b` does.
func loadComposeFiles(t *testing.T, env []string, files ...string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions(files,
		cli.WithEnv(env), cli.WithWorkingDirectory(filepath.Dir(files[0])),
		cli.WithInterpolation(true), cli.WithNormalization(true), cli.WithConsistency(true))
	if err != nil {
		t.Fatalf("compose options: %v", err)
	}
	return opts.LoadProject(context.Background())
}

func loadBlueGreen(t *testing.T, env []string) (*types.Project, error) {
	t.Helper()
	return loadComposeFiles(t, env, composeFile, filepath.Join(repoRoot, "deploy/compose/compose.bluegreen.yaml"))
}

func TestComposeBlueGreen(t *testing.T) {
	if _, err := loadBlueGreen(t, testEnv); err == nil || !strings.Contains(err.Error(), "PARLEY_GREEN_VERSION") {
		t.Errorf("green without a version: %v, want an error naming PARLEY_GREEN_VERSION", err)
	}
	p, err := loadBlueGreen(t, append([]string{"PARLEY_VERSION=v1.4.0", "PARLEY_GREEN_VERSION=v1.5.0"}, testEnv...))
	if err != nil {
		t.Fatal(err)
	}
	// Green is blue on another image: same settings, secrets, networks,
	// limits, health check — and so the same database and Redis.
	for _, pair := range [][2]string{{"api", "api-green"}, {"web", "web-green"}} {
		blue, green := p.Services[pair[0]], p.Services[pair[1]]
		if !strings.HasSuffix(blue.Image, ":v1.4.0") || green.Image != strings.TrimSuffix(blue.Image, ":v1.4.0")+":v1.5.0" {
			t.Errorf("%s image %q, %s image %q", pair[0], blue.Image, pair[1], green.Image)
		}
		ignore := []string{"Name", "Image", "Environment", "DependsOn", "CustomLabels", "Extends"}
		b, g := blue, green
		for _, s := range []*types.ServiceConfig{&b, &g} {
			s.Name, s.Image, s.DependsOn, s.CustomLabels, s.Extends = "", "", nil, nil, nil
			s.Environment = maps.Clone(s.Environment) // the project's own map stays whole
			delete(s.Environment, "PARLEY_API_URL")
		}
		if diff := cmp.Diff(b, g); diff != "" {
			t.Errorf("%s differs from %s beyond %v (-blue +green):\n%s", pair[1], pair[0], ignore, diff)
		}
	}
	if u := p.Services["web-green"].Environment["PARLEY_API_URL"]; u == nil || *u != "http://api-green:8080" {
		t.Errorf("web-green talks to %v, want its own api-green", u)
	}
	if d, ok := p.Services["web-green"].DependsOn["api-green"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("web-green does not wait for a healthy api-green: %+v", p.Services["web-green"].DependsOn)
	}
	var mounted bool
	for _, v := range p.Services["traefik"].Volumes {
		if strings.HasSuffix(v.Source, "deploy/compose/bluegreen/traefik.yml") && strings.HasPrefix(v.Target, "/etc/traefik/dynamic/") && v.ReadOnly {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("Traefik does not load the blue-green routes: %+v", p.Services["traefik"].Volumes)
	}
}

// traefikDynamic is the part of Traefik's dynamic configuration these tests read.
type traefikDynamic struct {
	HTTP struct {
		Routers map[string]struct {
			Rule        string         `yaml:"rule"`
			Priority    int            `yaml:"priority"`
			EntryPoints []string       `yaml:"entryPoints"`
			Middlewares []string       `yaml:"middlewares"`
			Service     string         `yaml:"service"`
			TLS         map[string]any `yaml:"tls"`
		} `yaml:"routers"`
		Services map[string]struct {
			LoadBalancer *struct {
				HealthCheck map[string]any `yaml:"healthCheck"`
				Servers     []struct {
					URL string `yaml:"url"`
				} `yaml:"servers"`
			} `yaml:"loadBalancer"`
			Weighted *struct {
				HealthCheck *struct{} `yaml:"healthCheck"`
				Services    []struct {
					Name   string `yaml:"name"`
					Weight int    `yaml:"weight"`
				} `yaml:"services"`
			} `yaml:"weighted"`
		} `yaml:"services"`
	} `yaml:"http"`
}

func readTraefik(t *testing.T, rel string) traefikDynamic {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	var d traefikDynamic
	if err := yaml.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return d
}

func TestBlueGreenTraefikRoutes(t *testing.T) {
	main := readTraefik(t, "deploy/traefik/dynamic.yml")
	bg := readTraefik(t, "deploy/compose/bluegreen/traefik.yml")
	blue, ok := main.HTTP.Routers["parley"]
	if !ok {
		t.Fatal("dynamic.yml has no parley router")
	}
	r := bg.HTTP.Routers["parley-bluegreen"]
	// The blue-green router replaces the parley router while it exists: the
	// same host, entry points, middlewares (WAF, limits) and TLS, a higher
	// priority, and the weighted service.
	if r.Rule != blue.Rule || r.Priority <= len(blue.Rule) || r.Service != "parley-bluegreen" {
		t.Errorf("blue-green router %+v does not take over %+v", r, blue)
	}
	if diff := cmp.Diff(blue.EntryPoints, r.EntryPoints); diff != "" {
		t.Errorf("entry points differ (-parley +blue-green):\n%s", diff)
	}
	if diff := cmp.Diff(blue.Middlewares, r.Middlewares); diff != "" {
		t.Errorf("middlewares differ (-parley +blue-green): the blue-green router would skip them\n%s", diff)
	}
	if diff := cmp.Diff(blue.TLS, r.TLS); diff != "" {
		t.Errorf("TLS differs (-parley +blue-green):\n%s", diff)
	}
	w := bg.HTTP.Services["parley-bluegreen"].Weighted
	if w == nil || w.HealthCheck == nil || len(w.Services) != 2 || w.Services[0].Name != blue.Service || w.Services[1].Name != "web-green" ||
		w.Services[0].Weight+w.Services[1].Weight <= 0 {
		t.Fatalf("weighted service %+v, want %s and web-green with health checks", w, blue.Service)
	}
	green := bg.HTTP.Services["web-green"].LoadBalancer
	blueLB := main.HTTP.Services[blue.Service].LoadBalancer
	if green == nil || blueLB == nil || green.HealthCheck == nil || blueLB.HealthCheck == nil {
		t.Fatal("both sides need a health check for the weighted service to skip a dead one")
	}
	if len(green.Servers) != 1 || green.Servers[0].URL != strings.Replace(blueLB.Servers[0].URL, "//web:", "//web-green:", 1) {
		t.Errorf("web-green servers %+v, blue %+v", green.Servers, blueLB.Servers)
	}
	if hc := green.HealthCheck["path"]; hc != "/healthz" {
		t.Errorf("web-green health check path %v", hc)
	}
}

// The procedure an operator follows is written down.
func TestREADMEDescribesBlueGreen(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy/README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"compose.bluegreen.yaml", "PARLEY_GREEN_VERSION", "bluegreen/traefik.yml", "expand/contract", "PARLEY_SHUTDOWN_DRAIN"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("deploy/README.md does not mention %s", want)
		}
	}
}
