package edgetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/edge"
	"github.com/parley-chat/parley/internal/limit"
	"github.com/parley-chat/parley/internal/platform/metrics"
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

// TestPrometheusScrapesParleyMetrics serves parley's metrics registry on
// the internal metrics server and has a real Prometheus scrape it.
func TestPrometheusScrapesParleyMetrics(t *testing.T) {
	reg := metrics.NewRegistry("test")
	m := edge.NewMetrics(reg)

	// Some traffic so the edge series exist: 25 requests against a
	// burst of 20 give 5 rejections.
	h := edge.ClientIP(edge.ClientIPOptions{})(edge.RateLimit(edge.RateLimitOptions{
		Limiter: limit.NewMemoryLimiter(func() time.Time { return time.Unix(1_700_000_000, 0) }),
		Scope:   edge.ScopeIP, Limit: limit.Limit{Rate: 10, Burst: 20}, Key: edge.KeyClientIP, Metrics: m,
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	for range 25 {
		r := httptest.NewRequest("GET", "/", nil)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	release, _ := edge.NewStreams(2, m).Acquire("u1")
	defer release()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := metrics.NewServer(ln.Addr().String(), reg)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	base := startPrometheus(t, ln.Addr().String())
	waitFor(t, base, `up{job="parley"}`, "1")
	waitFor(t, base, `parley_ratelimit_rejections_total{scope="ip"}`, "5")
	waitFor(t, base, `parley_http_open_streams`, "1")
	waitFor(t, base, `parley_build_info{version="test"}`, "1")
	waitFor(t, base, `count(go_goroutines{job="parley"})`, "1")
}
