package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v2"

	"github.com/parley-chat/parley/deploy/deploytest"
	"github.com/parley-chat/parley/internal/backup"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

const repoRoot = "../.."

// monitoredMetrics are the metric names the Grafana dashboard and the
// Prometheus alert rules query, by who must expose them.
func monitoredMetrics(t *testing.T) (api, backupSvc, elsewhere []string) {
	t.Helper()
	names, err := deploytest.DashboardMetrics(filepath.Join(repoRoot, "deploy/grafana/dashboards/parley.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy/prometheus/alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Expr string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			names = append(names, deploytest.QueryMetricNames(r.Expr)...)
		}
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		switch {
		case strings.HasPrefix(n, "parley_backup_"):
			backupSvc = append(backupSvc, n)
		case n == "up", strings.HasPrefix(n, "node_"):
			// Prometheus writes up itself; node_* come from node-exporter.
			elsewhere = append(elsewhere, n)
		default:
			api = append(api, n)
		}
	}
	return api, backupSvc, elsewhere
}

func scrape(t *testing.T, url string) map[string]bool {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	fams, err := deploytest.ExposedFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// TestDashboardAndAlertMetricsExist runs serve as production does
// (PostgreSQL, Redis, Groq keys on groqmock), makes the traffic that gives
// every labelled metric a series — a chat stream, a /v1 completion, a 429
// from the login limiter, a 429 from the Groq pool — and proves that every
// metric the Grafana dashboard and the alert rules query is in /metrics.
// The backup metrics are checked on the backup service's own /metrics.
func TestDashboardAndAlertMetricsExist(t *testing.T) {
	model := groqmock.DefaultModels()[0].ID
	mock := groqmock.New(groqmock.Config{Orgs: []groqmock.Org{{ID: "org_metrics", Keys: []string{"gsk_metrics_key_1"},
		Limits: map[string]groqmock.Limits{"": {RPM: 2, RPD: 1000, TPM: 100000, TPD: 1000000}}}}})
	up := httptest.NewServer(mock)
	t.Cleanup(up.Close)
	t.Cleanup(mock.Close)
	_, prefix := testenv.Redis(t)
	dbURL := testenv.NewPostgresDB(t)

	vars := baseVars(t)
	vars["PARLEY_DATABASE_URL"] = dbURL
	vars["PARLEY_DATABASE_READ_URL"] = dbURL // a replica handle (here the primary itself), so replica metrics exist
	vars["PARLEY_REDIS_URL"] = testenv.RedisURL()
	vars["PARLEY_GROQ_API_KEYS"] = "gsk_metrics_key_1@org_metrics"
	vars["PARLEY_GROQ_BASE_URL"] = up.URL + "/openai/v1"
	vars["PARLEY_DEFAULT_MODEL"] = model
	vars["PARLEY_QUEUE_TIMEOUT"] = "100ms"
	vars["PARLEY_AUTH_RATE_LIMIT_RPM"] = "3"
	metricsAddr := make(chan string, 1)
	s := startServeFull(t, env{lookup: lookupFrom(vars), redisPrefix: prefix,
		metricsListening: func(a string) { metricsAddr <- a }})
	metricsURL := "http://" + <-metricsAddr + "/metrics"

	tok, messages := chatUser(t, s, "metrics@example.com")
	if status, body := streamMessage(t, messages, tok, "hello"); status != 200 || !strings.Contains(body, "event: done") {
		t.Fatalf("chat: %d\n%s", status, body)
	}
	status, created := post(t, s.url+"/api/v1/tokens", tok, map[string]string{"name": "metrics"})
	if status != 201 {
		t.Fatalf("API token: %d %v", status, created)
	}
	completion := map[string]any{"model": model, "messages": []map[string]string{{"role": "user", "content": "hi"}}}
	if status, body := post(t, s.url+"/v1/chat/completions", created["token"].(string), completion); status != 200 {
		t.Fatalf("/v1 completion: %d %v", status, body)
	}
	// The org allows 2 requests a minute: the third is refused upstream and,
	// with no other org, the pool answers 429.
	if status, body := post(t, s.url+"/v1/chat/completions", created["token"].(string), completion); status != 429 {
		t.Fatalf("/v1 completion over the org's limit: %d %v", status, body)
	}
	limited := false
	for range 10 {
		status, _ := post(t, s.url+"/api/v1/auth/login", "", map[string]string{"email": "metrics@example.com", "password": "wrong-password"})
		if limited = status == 429; limited {
			break
		}
	}
	if !limited {
		t.Fatal("the login limiter never answered 429")
	}

	api, backupNames, elsewhere := monitoredMetrics(t)
	if len(api) < 15 {
		t.Fatalf("only %d metrics found in the dashboard and alerts: %v", len(api), api)
	}
	exposed := scrape(t, metricsURL)
	if missing := deploytest.Missing(api, exposed); len(missing) > 0 {
		t.Errorf("queried by the dashboard or alerts but absent from parley's /metrics: %v", missing)
	}
	contract, err := deploytest.ArchitectureMetrics(filepath.Join(repoRoot, "docs/ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	if missing := deploytest.Missing(contract, exposed); len(missing) > 0 {
		t.Errorf("declared in ARCHITECTURE.md but absent from parley's /metrics: %v", missing)
	}
	t.Logf("%d metrics checked on the API's /metrics, %d on the backup service's; not parley's: %v",
		len(api), len(backupNames), elsewhere)

	// The backup service: one run against the same database, then a scrape.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	served := make(chan error, 1)
	go func() {
		served <- backup.Serve(ctx, backup.Options{Database: dbURL, Dir: t.TempDir()},
			backup.ServeOptions{Listener: ln, Every: time.Hour, AfterRun: func(_ backup.Result, err error) { ran <- err }})
	}()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("backup service: %v", err)
		}
	}()
	if err := <-ran; err != nil {
		t.Fatalf("backup run: %v", err)
	}
	if missing := deploytest.Missing(backupNames, scrape(t, fmt.Sprintf("http://%s/metrics", ln.Addr()))); len(missing) > 0 {
		t.Errorf("queried by the dashboard or alerts but absent from the backup service's /metrics: %v", missing)
	}
}
