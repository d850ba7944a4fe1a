package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// prometheusBin is Debian's prometheus package (.ci/run installs it).
const prometheusBin = "/usr/bin/prometheus"

// freePort returns a port on 127.0.0.1 nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startPrometheus runs a real Prometheus scraping target every second and
// returns the base URL of its HTTP API.
func startPrometheus(t *testing.T, target string) string {
	t.Helper()
	if _, err := os.Stat(prometheusBin); err != nil {
		t.Fatalf("%s is required (apt-get install prometheus; .ci/run does it): %v", prometheusBin, err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: parley
    scrape_interval: 1s
    scrape_timeout: 900ms
    static_configs:
      - targets: [%q]
`, target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, prometheusBin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+listen,
		"--log.level=warn",
	)
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		_ = logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	return "http://" + listen
}

type queryResult struct {
	Status string `json:"status"`
	Data   struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	} `json:"data"`
}

// query runs an instant PromQL query; errors (Prometheus still starting)
// come back as an empty result.
func query(base, q string) queryResult {
	var r queryResult
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return r
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return r
}

// waitFor polls Prometheus until q has a result whose value is want, up to
// a deadline: this waits on an external process's scrape loop.
func waitFor(t *testing.T, base, q, want string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		r := query(base, q)
		if r.Status == "success" && len(r.Data.Result) > 0 && fmt.Sprint(r.Data.Result[0].Value[1]) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus never returned %s for %s (last: %+v)", want, q, r)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestPrometheusScrapesParleyMetrics runs parley, makes it refuse part of
// a burst, and has a real Prometheus scrape its internal metrics server.
func TestPrometheusScrapesParleyMetrics(t *testing.T) {
	p := startParley(t, nil)
	r := burst(t, []string{p.URL}, "/api/v1/status", 30)
	if r.rejected == 0 {
		t.Fatalf("no refusals in a burst of 30: %+v", r)
	}
	base := startPrometheus(t, p.MetricsAddr)
	rejected := fmt.Sprint(r.rejected)
	waitFor(t, base, `up{job="parley"}`, "1")
	waitFor(t, base, `parley_ratelimit_rejections_total{scope="ip"}`, rejected)
	// Address-limit refusals happen before routing: route "unmatched".
	waitFor(t, base, `sum(parley_http_requests_total{status="429"})`, rejected)
	waitFor(t, base, `parley_http_open_streams`, "0")
	waitFor(t, base, `parley_build_info{version="dev"}`, "1")
	waitFor(t, base, `count(go_goroutines{job="parley"})`, "1")
	t.Logf("Prometheus scraped parley: %d refusals counted under scope ip and status 429", r.rejected)
}
