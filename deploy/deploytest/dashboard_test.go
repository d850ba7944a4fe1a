package deploytest

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var dashboardFile = filepath.Join(repoRoot, "deploy/grafana/dashboards/parley.json")

func TestQueryMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`up`, []string{"up"}},
		{`sum(rate(parley_http_requests_total{status=~"5..", route!="/healthz"}[$__rate_interval]))`, []string{"parley_http_requests_total"}},
		{`histogram_quantile(0.95, sum by (le, route) (rate(parley_http_request_duration_seconds_bucket[5m])))`,
			[]string{"parley_http_request_duration_seconds_bucket"}},
		{`time() - max(parley_backup_last_success_timestamp_seconds) > 26 * 3600`, []string{"parley_backup_last_success_timestamp_seconds"}},
		{`max(parley_pool_keys{state="active"}) == 0 and on() max(parley_pool_keys{state=~"cooling|dead"}) > 0`, []string{"parley_pool_keys"}},
		{`a / ignoring(code) group_left b offset 5m`, []string{"a", "b"}},
		{`sum without (instance) (x) unless y`, []string{"x", "y"}},
		{`predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs"}[6h], 24 * 3600) < 1e3`, []string{"node_filesystem_avail_bytes"}},
		{`label_replace(m, "dst", "$1", "src", "(.*)")`, []string{"m"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, QueryMetricNames(tt.expr)); diff != "" {
			t.Errorf("QueryMetricNames(%q) (-want +got):\n%s", tt.expr, diff)
		}
	}
}

func TestDashboardParses(t *testing.T) {
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("dashboard uid %q title %q", d.UID, d.Title)
	}
	ids := map[int]bool{}
	var titles []string
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d repeats", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			titles = append(titles, p.Title)
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		if p.Datasource == nil || (p.Datasource.UID != "prometheus" && p.Datasource.UID != "loki") {
			t.Errorf("panel %q uses a data source that is not provisioned: %+v", p.Title, p.Datasource)
		}
	}
	want := []string{"Overview", "Traffic", "Latency", "Errors and limits", "Groq key pool", "Tokens and streams",
		"Database, Redis and audit", "Process and backups", "Logs"}
	if diff := cmp.Diff(want, titles); diff != "" {
		t.Errorf("dashboard rows (-want +got):\n%s", diff)
	}
}

// TestDashboardQueriesDeclaredMetrics proves every parley_ metric the
// dashboard queries is one parley declares, and that the dashboard covers
// traffic, latency, errors, the key pool, tokens, streams, database and Redis.
func TestDashboardQueriesDeclaredMetrics(t *testing.T) {
	names, err := DashboardMetrics(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	used := ParleyMetrics(names)
	known := knownMetrics(t)
	for _, m := range used {
		if !known[m] {
			t.Errorf("dashboard queries %s, which parley does not declare", m)
		}
	}
	for _, m := range []string{"parley_http_requests_total", "parley_http_request_duration_seconds", "parley_http_open_streams",
		"parley_ratelimit_rejections_total", "parley_upstream_requests_total", "parley_pool_keys", "parley_pool_budget_remaining",
		"parley_pool_cooldown_seconds", "parley_tokens_total", "parley_db_pool_connections", "parley_redis_pool_connections"} {
		if !known[m] {
			t.Errorf("%s is no longer declared in ARCHITECTURE.md", m)
		}
		found := false
		for _, u := range used {
			found = found || u == m
		}
		if !found {
			t.Errorf("dashboard does not show %s", m)
		}
	}
	t.Logf("dashboard queries: %s", strings.Join(names, ", "))
}

// TestExposedFamilies checks the helpers a later test uses against parley's
// real /metrics, on an exposition produced by the Prometheus client itself.
func TestExposedFamilies(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "parley_http_request_duration_seconds"}, []string{"route"})
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "parley_pool_keys"}, []string{"state"})
	unobserved := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_tokens_total"}, []string{"model"})
	reg.MustRegister(h, g, unobserved)
	h.WithLabelValues("/x").Observe(0.1)
	g.WithLabelValues("active").Set(2)

	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	exposed, err := ExposedFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := Missing([]string{"parley_http_request_duration_seconds_bucket", "parley_pool_keys", "parley_tokens_total", "parley_nope"}, exposed)
	if diff := cmp.Diff([]string{"parley_nope", "parley_tokens_total"}, got); diff != "" {
		t.Errorf("Missing (-want +got):\n%s", diff)
	}
}
