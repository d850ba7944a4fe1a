// Package metrics owns parley's Prometheus registry and the internal server
// that exposes it; each package registers the metrics it measures.
package metrics

import (
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every parley metric.
const Namespace = "parley"

// NewRegistry returns a registry with the Go and process collectors and
// parley_build_info{version} set to 1.
func NewRegistry(version string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "build_info",
		Help: "Build information of the running parley binary; always 1.",
	}, []string{"version"})
	info.WithLabelValues(version).Set(1)
	reg.MustRegister(info)
	return reg
}

// Handler serves the registry in the Prometheus exposition format.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// Option changes what the internal metrics server serves.
type Option func(*http.ServeMux)

// WithPprof also serves Go's runtime profiles under /debug/pprof/
// (PARLEY_PPROF): heap, goroutine, CPU profiles for diagnosing a live process.
func WithPprof() Option {
	return func(mux *http.ServeMux) {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
}

// NewServer returns the internal metrics server for addr: /metrics (and
// what opts add), meant for a private address (PARLEY_METRICS_ADDR).
func NewServer(addr string, reg *prometheus.Registry, opts ...Option) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Handler(reg))
	for _, o := range opts {
		o(mux)
	}
	return &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
}
