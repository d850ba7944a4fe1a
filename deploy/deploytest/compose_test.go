package deploytest

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-cmp/cmp"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../.."

var composeFile = filepath.Join(repoRoot, "deploy/compose/compose.yaml")

// testEnv is what an operator's deploy/compose/.env holds: names, no secrets.
var testEnv = []string{"PARLEY_DOMAIN=chat.example.test", "ACME_EMAIL=ops@example.test"}

func loadCompose(t *testing.T, env []string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{composeFile},
		cli.WithEnv(env), cli.WithWorkingDirectory(filepath.Dir(composeFile)),
		cli.WithInterpolation(true), cli.WithNormalization(true), cli.WithConsistency(true))
	if err != nil {
		t.Fatalf("compose options: %v", err)
	}
	return opts.LoadProject(context.Background())
}

func project(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, testEnv)
	if err != nil {
		t.Fatalf("load %s: %v", composeFile, err)
	}
	return p
}

// rootAllowed lists the services that run as root, and why; any other
// service running as root fails the test.
var rootAllowed = map[string]string{
	"traefik": "binds 80/443 and writes ACME state; caps dropped but NET_BIND_SERVICE, read-only, no Docker socket",
	"alloy":   "reads the Docker socket (read-only) to ship container logs",
}

func TestComposeServices(t *testing.T) {
	p := project(t)
	want := []string{"alertmanager", "alloy", "api", "backup", "grafana", "loki", "node-exporter",
		"postgres", "prometheus", "redis", "traefik", "web"}
	if diff := cmp.Diff(want, p.ServiceNames()); diff != "" {
		t.Fatalf("services (-want +got):\n%s", diff)
	}
	if r := p.Services["api"].Deploy.Replicas; r == nil || *r != 2 {
		t.Errorf("api replicas = %v, want 2", r)
	}
}

func TestComposeEveryServiceIsHardened(t *testing.T) {
	p := project(t)
	for name, s := range p.Services {
		t.Run(name, func(t *testing.T) {
			if s.Deploy == nil || s.Deploy.Resources.Limits == nil ||
				s.Deploy.Resources.Limits.NanoCPUs <= 0 || s.Deploy.Resources.Limits.MemoryBytes <= 0 {
				t.Error("no CPU and memory limits (deploy.resources.limits)")
			}
			if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 {
				t.Error("no health check")
			}
			if s.Restart != types.RestartPolicyAlways && s.Restart != types.RestartPolicyUnlessStopped {
				t.Errorf("restart = %q, want always or unless-stopped", s.Restart)
			}
			for dep, d := range s.DependsOn {
				if d.Condition != types.ServiceConditionHealthy {
					t.Errorf("depends_on %s: condition %q, want service_healthy", dep, d.Condition)
				}
			}
			user := strings.SplitN(s.User, ":", 2)[0]
			root := user == "" || user == "0" || user == "root"
			if _, ok := rootAllowed[name]; root != ok {
				t.Errorf("user %q: root=%v, but allowed-root=%v", s.User, root, ok)
			}
			if !slices.Contains(s.SecurityOpt, "no-new-privileges:true") || !slices.Contains(s.CapDrop, "ALL") {
				t.Errorf("security_opt %v cap_drop %v: want no-new-privileges and all capabilities dropped", s.SecurityOpt, s.CapDrop)
			}
			for _, v := range s.Volumes {
				switch v.Type {
				case types.VolumeTypeBind:
					if !v.ReadOnly {
						t.Errorf("bind mount %s → %s is writable; data belongs in named volumes", v.Source, v.Target)
					}
				case types.VolumeTypeVolume:
					if _, ok := p.Volumes[v.Source]; !ok || v.Source == "" {
						t.Errorf("volume at %s is anonymous or undeclared", v.Target)
					}
				}
			}
			if len(s.EnvFiles) > 0 {
				t.Errorf("env_file %v: configuration comes from the environment block and secrets", s.EnvFiles)
			}
		})
	}
}

func TestComposeDataLivesInNamedVolumes(t *testing.T) {
	p := project(t)
	want := map[string]string{
		"postgres": "/var/lib/postgresql/data", "redis": "/data", "backup": "/backups", "traefik": "/letsencrypt",
		"prometheus": "/prometheus", "grafana": "/var/lib/grafana", "loki": "/loki", "alertmanager": "/alertmanager",
	}
	for svc, target := range want {
		found := false
		for _, v := range p.Services[svc].Volumes {
			if v.Type == types.VolumeTypeVolume && v.Target == target {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no named volume at %s", svc, target)
		}
	}
}

func TestComposeStartupOrder(t *testing.T) {
	p := project(t)
	deps := func(s string) []string {
		var out []string
		for d := range p.Services[s].DependsOn {
			out = append(out, d)
		}
		sort.Strings(out)
		return out
	}
	want := map[string][]string{
		"traefik": {"web"}, "web": {"api"}, "api": {"postgres", "redis"}, "backup": {"postgres"},
		"grafana": {"loki", "prometheus"}, "alloy": {"loki"}, "prometheus": {"alertmanager"},
	}
	for svc, w := range want {
		if diff := cmp.Diff(w, deps(svc)); diff != "" {
			t.Errorf("%s depends_on (-want +got):\n%s", svc, diff)
		}
	}
}

func TestComposeOnlyTraefikIsReachable(t *testing.T) {
	p := project(t)
	for name, s := range p.Services {
		if name == "traefik" {
			var got []string
			for _, port := range s.Ports {
				got = append(got, fmt.Sprintf("%s->%d", port.Published, port.Target))
			}
			sort.Strings(got)
			if diff := cmp.Diff([]string{"443->443", "80->80"}, got); diff != "" {
				t.Errorf("traefik ports (-want +got):\n%s", diff)
			}
			continue
		}
		if len(s.Ports) > 0 {
			t.Errorf("%s publishes ports %v: only traefik may", name, s.Ports)
		}
	}

	for _, n := range []string{"internal", "ops", "app"} {
		if !p.Networks[n].Internal {
			t.Errorf("network %s is not internal: true", n)
		}
	}
	if p.Networks["public"].Internal {
		t.Error("network public must reach the internet")
	}
	members := map[string][]string{}
	for name, s := range p.Services {
		for n := range s.Networks {
			members[n] = append(members[n], name)
		}
	}
	for n := range members {
		sort.Strings(members[n])
	}
	want := map[string][]string{
		"public": {"traefik", "web"},
		"app":    {"api", "web"},
		"egress": {"alertmanager", "api"},
		"ops":    {"grafana", "prometheus", "traefik"},
		"internal": {"alertmanager", "alloy", "api", "backup", "grafana", "loki", "node-exporter",
			"postgres", "prometheus", "redis"},
	}
	if diff := cmp.Diff(want, members); diff != "" {
		t.Errorf("network members (-want +got):\n%s", diff)
	}
	for _, db := range []string{"postgres", "redis", "backup"} {
		if len(p.Services[db].Networks) != 1 {
			t.Errorf("%s is on %v: databases belong on the internal network only", db, p.Services[db].Networks)
		}
	}
}
