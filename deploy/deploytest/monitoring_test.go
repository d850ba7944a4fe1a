package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v4"

	"github.com/parley-chat/parley/internal/backup"
)

func readYAML(t *testing.T, rel string, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// promtool runs the real promtool (installed by .ci/run from Debian's
// prometheus package) in deploy/prometheus.
func promtool(t *testing.T, args ...string) {
	t.Helper()
	bin, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool is required (apt-get install prometheus): %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = filepath.Join(repoRoot, "deploy/prometheus")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestPromtoolAcceptsConfigAndRules(t *testing.T) {
	promtool(t, "check", "config", "prometheus.yml")
	promtool(t, "check", "rules", "alerts.yml")
}

func TestAlertsFireWhenTheyShould(t *testing.T) {
	promtool(t, "test", "rules", "alerts_test.yml")
}

// knownMetrics are the parley_ metrics parley declares: docs/ARCHITECTURE.md
// plus the backup service's.
func knownMetrics(t *testing.T) map[string]bool {
	t.Helper()
	doc, err := ArchitectureMetrics(filepath.Join(repoRoot, "docs/ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc) < 10 {
		t.Fatalf("only %d metrics found in ARCHITECTURE.md: %v", len(doc), doc)
	}
	known := map[string]bool{backup.LastSuccessMetric: true, backup.LastSizeMetric: true, backup.RunsMetric: true}
	for _, m := range doc {
		known[m] = true
	}
	return known
}

type ruleFile struct {
	Groups []struct {
		Rules []struct {
			Alert string `yaml:"alert"`
			Expr  string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func TestAlertsCoverWhatMatters(t *testing.T) {
	var rf ruleFile
	readYAML(t, "deploy/prometheus/alerts.yml", &rf)
	known := knownMetrics(t)
	var names []string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Alert)
			for _, m := range ParleyMetrics(QueryMetricNames(r.Expr)) {
				if !known[m] {
					t.Errorf("alert %s queries %s, which parley does not declare", r.Alert, m)
				}
			}
		}
	}
	for _, want := range []string{"ParleyAPIDown", "ParleyHighErrorRate", "ParleyGroqKeysUnavailable", "ParleyBackupTooOld", "DiskAlmostFull", "DiskFillingUp"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s alert", want)
		}
	}
}

// TestScrapeTargetsMatchCompose checks that Prometheus scrapes the ports the
// Compose services really listen on.
func TestScrapeTargetsMatchCompose(t *testing.T) {
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName string `yaml:"job_name"`
			DNSSD   []struct {
				Names []string `yaml:"names"`
				Type  string   `yaml:"type"`
				Port  int      `yaml:"port"`
			} `yaml:"dns_sd_configs"`
			Static []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
		Alerting struct {
			Alertmanagers []struct {
				Static []struct {
					Targets []string `yaml:"targets"`
				} `yaml:"static_configs"`
			} `yaml:"alertmanagers"`
		} `yaml:"alerting"`
	}
	readYAML(t, "deploy/prometheus/prometheus.yml", &cfg)
	got := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		for _, d := range sc.DNSSD {
			for _, n := range d.Names {
				got[sc.JobName] = append(got[sc.JobName], d.Type+":"+n+":"+strconv.Itoa(d.Port))
			}
		}
		for _, s := range sc.Static {
			got[sc.JobName] = append(got[sc.JobName], s.Targets...)
		}
	}
	p := project(t)
	api := p.Services["api"]
	if *api.Environment["PARLEY_METRICS_ADDR"] != ":9091" {
		t.Errorf("api metrics on %s, Prometheus scrapes :9091", *api.Environment["PARLEY_METRICS_ADDR"])
	}
	if !slices.Contains(p.Services["backup"].Command, "--metrics-addr=:9092") {
		t.Errorf("backup command %v does not serve metrics on :9092", p.Services["backup"].Command)
	}
	if !slices.Contains(p.Services["traefik"].Command, "--entrypoints.metrics.address=:8082") {
		t.Error("traefik metrics entrypoint is not :8082")
	}
	want := map[string][]string{
		"parley-api":   {"A:api:9091"},
		"backup":       {"backup:9092"},
		"traefik":      {"traefik:8082"},
		"node":         {"node-exporter:9100"},
		"prometheus":   {"localhost:9090"},
		"alertmanager": {"alertmanager:9093"},
		"loki":         {"loki:3100"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scrape targets (-want +got):\n%s", diff)
	}
	for job, targets := range want {
		for _, target := range targets {
			parts := strings.Split(target, ":")
			host := parts[len(parts)-2]
			if host == "localhost" {
				continue
			}
			if _, ok := p.Services[host]; !ok {
				t.Errorf("job %s scrapes %s, which is not a Compose service", job, host)
			}
		}
	}
	if diff := cmp.Diff([]string{"alerts.yml"}, cfg.RuleFiles); diff != "" {
		t.Errorf("rule_files (-want +got):\n%s", diff)
	}
}

func TestAlertmanagerRoutesToAConfiguredReceiver(t *testing.T) {
	var cfg struct {
		Route struct {
			Receiver string `yaml:"receiver"`
			Routes   []struct {
				Receiver string `yaml:"receiver"`
			} `yaml:"routes"`
		} `yaml:"route"`
		Receivers []struct {
			Name     string `yaml:"name"`
			Webhooks []struct {
				URLFile string `yaml:"url_file"`
				URL     string `yaml:"url"`
			} `yaml:"webhook_configs"`
		} `yaml:"receivers"`
	}
	readYAML(t, "deploy/alertmanager/alertmanager.yml", &cfg)
	receivers := map[string]bool{}
	for _, r := range cfg.Receivers {
		receivers[r.Name] = true
		for _, w := range r.Webhooks {
			if w.URL != "" || w.URLFile != "/run/secrets/alertmanager_webhook_url" {
				t.Errorf("receiver %s: webhook URL must come from the secret file, got url=%q url_file=%q", r.Name, w.URL, w.URLFile)
			}
		}
	}
	used := []string{cfg.Route.Receiver}
	for _, r := range cfg.Route.Routes {
		used = append(used, r.Receiver)
	}
	for _, u := range used {
		if !receivers[u] {
			t.Errorf("route sends to undefined receiver %q", u)
		}
	}
}

func TestGrafanaProvisioning(t *testing.T) {
	var ds struct {
		Datasources []struct {
			Name, UID, Type, URL string
		} `yaml:"datasources"`
	}
	readYAML(t, "deploy/grafana/provisioning/datasources/datasources.yml", &ds)
	got := map[string]string{}
	for _, d := range ds.Datasources {
		got[d.UID] = d.Type + " " + d.URL
	}
	want := map[string]string{"prometheus": "prometheus http://prometheus:9090", "loki": "loki http://loki:3100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("data sources (-want +got):\n%s", diff)
	}

	var prov struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "deploy/grafana/provisioning/dashboards/dashboards.yml", &prov)
	if len(prov.Providers) != 1 || prov.Providers[0].Type != "file" {
		t.Fatalf("dashboard providers: %+v", prov.Providers)
	}
	mounted := false
	for _, v := range project(t).Services["grafana"].Volumes {
		if v.Target == prov.Providers[0].Options.Path && strings.HasSuffix(v.Source, "deploy/grafana/dashboards") && v.ReadOnly {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("grafana does not mount deploy/grafana/dashboards read-only at %s", prov.Providers[0].Options.Path)
	}
}

func TestLogShipping(t *testing.T) {
	var loki struct {
		Server struct {
			Port int `yaml:"http_listen_port"`
		} `yaml:"server"`
		Limits struct {
			Retention string `yaml:"retention_period"`
		} `yaml:"limits_config"`
		Compactor struct {
			RetentionEnabled bool `yaml:"retention_enabled"`
		} `yaml:"compactor"`
	}
	readYAML(t, "deploy/loki/loki.yml", &loki)
	if loki.Server.Port != 3100 || loki.Limits.Retention == "" || !loki.Compactor.RetentionEnabled {
		t.Errorf("loki: port %d, retention %q enabled=%v", loki.Server.Port, loki.Limits.Retention, loki.Compactor.RetentionEnabled)
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy/alloy/config.alloy"))
	if err != nil {
		t.Fatal(err)
	}
	p := project(t)
	for _, want := range []string{
		`url = "http://loki:3100/loki/api/v1/push"`,
		`"com.docker.compose.project=` + p.Name + `"`,
		`loki.source.docker`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("config.alloy lacks %s", want)
		}
	}
	sockets := 0
	for _, v := range p.Services["alloy"].Volumes {
		if v.Target == "/var/run/docker.sock" && v.ReadOnly {
			sockets++
		}
	}
	if sockets != 1 {
		t.Error("alloy does not mount the Docker socket read-only")
	}
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if strings.HasSuffix(v.Source, "docker.sock") && name != "alloy" {
				t.Errorf("%s mounts the Docker socket", name)
			}
		}
	}
}
