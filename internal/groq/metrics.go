package groq

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the pool's Prometheus series (names in docs/ARCHITECTURE.md).
// Gauges are computed from the shared state at scrape time.
type metrics struct {
	pool     *Pool
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	keysDesc *prometheus.Desc
	budget   *prometheus.Desc
	cooldown *prometheus.Desc
}

func newMetrics(reg prometheus.Registerer, p *Pool) (*metrics, error) {
	m := &metrics{
		pool: p,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_upstream_requests_total", Help: "Groq chat completion attempts by key fingerprint, org, model and outcome.",
		}, []string{"key", "org", "model", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_upstream_request_duration_seconds", Help: "Time until Groq's response headers.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"org", "model"}),
		keysDesc: prometheus.NewDesc("parley_pool_keys", "Groq keys by state.", []string{"state"}, nil),
		budget:   prometheus.NewDesc("parley_pool_budget_remaining", "Remaining Groq budget per org and model (requests per day, tokens per minute).", []string{"org", "model", "kind"}, nil),
		cooldown: prometheus.NewDesc("parley_pool_cooldown_seconds", "Seconds until a cooling org and model budget is usable again.", []string{"org", "model"}, nil),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.duration, m} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) request(fp, org, model, outcome string) {
	m.requests.WithLabelValues(fp, org, model, outcome).Inc()
}

func (m *metrics) latency(org, model string, d time.Duration) {
	m.duration.WithLabelValues(org, model).Observe(d.Seconds())
}

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.keysDesc
	ch <- m.budget
	ch <- m.cooldown
}

// Collect implements prometheus.Collector.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	states := map[string]float64{StateActive: 0, StateCooling: 0, StateDead: 0}
	for _, k := range m.pool.Snapshot(ctx) {
		states[k.State]++
	}
	for s, n := range states {
		ch <- prometheus.MustNewConstMetric(m.keysDesc, prometheus.GaugeValue, n, s)
	}
	_, budgets := m.pool.state(ctx)
	now := m.pool.opts.Now()
	for _, b := range budgets {
		if b.RequestsLimit > 0 {
			ch <- prometheus.MustNewConstMetric(m.budget, prometheus.GaugeValue, float64(b.RequestsRemaining), b.Org, b.Model, "requests")
		}
		if b.TokensLimit > 0 {
			ch <- prometheus.MustNewConstMetric(m.budget, prometheus.GaugeValue, float64(b.TokensRemaining), b.Org, b.Model, "tokens")
		}
		ch <- prometheus.MustNewConstMetric(m.cooldown, prometheus.GaugeValue, max(0, b.CoolingUntil.Sub(now).Seconds()), b.Org, b.Model)
	}
}
