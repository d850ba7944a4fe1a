package ratelimit

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the series the rate limits own. A nil *Metrics records nothing.
type Metrics struct {
	rejections  *prometheus.CounterVec
	openStreams prometheus.Gauge
}

// NewMetrics creates the rate limits' series and registers them on reg (nil: not
// registered, handy in tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_ratelimit_rejections_total",
			Help: "Requests refused by a rate limit, by scope (ip, auth, user, token, streams).",
		}, []string{"scope"}),
		openStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_http_open_streams",
			Help: "Event streams currently open to clients.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.rejections, m.openStreams)
	}
	return m
}

func (m *Metrics) rejected(scope string) {
	if m != nil {
		m.rejections.WithLabelValues(scope).Inc()
	}
}

func (m *Metrics) streams(delta float64) {
	if m != nil {
		m.openStreams.Add(delta)
	}
}
