package store

import "github.com/prometheus/client_golang/prometheus"

// PoolStatser is implemented by both backends: connection counts of every
// handle they hold (SQLite: writer and readers; PostgreSQL: both pools).
type PoolStatser interface {
	PoolStats() (inUse, idle, max int)
}

var poolDesc = prometheus.NewDesc("parley_db_pool_connections",
	"Database connections by state: in_use, idle, and max (the configured ceiling).", []string{"state"}, nil)

// PoolCollector reports parley_db_pool_connections{state} for s at each
// scrape; register it on the metrics registry.
type PoolCollector struct{ s PoolStatser }

// NewPoolCollector returns the collector for s.
func NewPoolCollector(s PoolStatser) *PoolCollector { return &PoolCollector{s: s} }

// Describe sends the one metric's description.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) { ch <- poolDesc }

// Collect reads the pools' counts now.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	inUse, idle, maxConns := c.s.PoolStats()
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(inUse), "in_use")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(idle), "idle")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(maxConns), "max")
}
