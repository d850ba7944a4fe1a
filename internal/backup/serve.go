package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ServeOptions configures the long-running backup service
// (`parley backup --every 24h --metrics-addr :9092`).
type ServeOptions struct {
	// Every is the time between backups; 24h when zero.
	Every time.Duration
	// MetricsAddr is where /metrics and /healthz are served (":9092" when empty).
	MetricsAddr string
	// Listener, when set, is used instead of listening on MetricsAddr.
	Listener net.Listener
	// Ticks, when set, triggers the backups after the first instead of a
	// ticker of period Every (tests drive the schedule with it).
	Ticks <-chan time.Time
	// Logger receives one line per run; slog.Default() when nil.
	Logger *slog.Logger
	// AfterRun, when set, is called after each run with its outcome, once the
	// metrics reflect it.
	AfterRun func(Result, error)
}

// Metric names the backup service exposes; the "backup too old" alert reads
// LastSuccessMetric.
const (
	LastSuccessMetric = "parley_backup_last_success_timestamp_seconds"
	LastSizeMetric    = "parley_backup_last_size_bytes"
	RunsMetric        = "parley_backup_runs_total"
)

type serveMetrics struct {
	lastSuccess prometheus.Gauge
	lastSize    prometheus.Gauge
	runs        *prometheus.CounterVec
}

func newServeMetrics(reg prometheus.Registerer) serveMetrics {
	m := serveMetrics{
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: LastSuccessMetric,
			Help: "Unix time of the newest successful backup (0 when none exists)."}),
		lastSize: prometheus.NewGauge(prometheus.GaugeOpts{Name: LastSizeMetric,
			Help: "Size in bytes of the newest successful backup."}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: RunsMetric,
			Help: "Backup runs by outcome (success|failure)."}, []string{"outcome"}),
	}
	reg.MustRegister(m.lastSuccess, m.lastSize, m.runs)
	m.runs.WithLabelValues("success")
	m.runs.WithLabelValues("failure")
	return m
}

// Serve takes a backup now and then every s.Every until ctx ends, exposing
// the time of the last success on /metrics so Prometheus can alert when
// backups stop. A failed run is logged and counted; the service keeps going.
func Serve(ctx context.Context, o Options, s ServeOptions) error {
	if _, _, err := parseDatabase(o.Database); err != nil {
		return err
	}
	if s.Every <= 0 {
		s.Every = 24 * time.Hour
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	reg := prometheus.NewRegistry()
	m := newServeMetrics(reg)
	if existing, err := List(o.Dir); err == nil && len(existing) > 0 {
		m.lastSuccess.Set(float64(existing[0].Taken.Unix()))
	}

	ln := s.Listener
	if ln == nil {
		addr := s.MetricsAddr
		if addr == "" {
			addr = ":9092"
		}
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("backup metrics listener: %w", err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	defer func() {
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()

	ticks := s.Ticks
	if ticks == nil {
		t := time.NewTicker(s.Every)
		defer t.Stop()
		ticks = t.C
	}
	runOnce := func() {
		res, err := Run(ctx, o)
		if s.AfterRun != nil {
			defer s.AfterRun(res, err)
		}
		if err != nil && res.Path == "" {
			m.runs.WithLabelValues("failure").Inc()
			log.Error("backup failed", "err", err)
			return
		}
		m.runs.WithLabelValues("success").Inc()
		m.lastSuccess.Set(float64(res.Taken.Unix()))
		m.lastSize.Set(float64(res.Size))
		log.Info("backup done", "file", res.Path, "bytes", res.Size, "sha256", res.SHA256, "pruned", len(res.Removed))
		if err != nil {
			log.Error("backup retention failed", "err", err)
		}
	}
	runOnce()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-srvErr:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return fmt.Errorf("backup metrics server: %w", err)
		case <-ticks:
			runOnce()
		}
	}
}
