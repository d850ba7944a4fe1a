package store

import "github.com/prometheus/client_golang/prometheus"

// PoolStatser is implemented by both backends: connection counts of every
// handle they hold (SQLite: writer and readers; PostgreSQL: both pools).
type PoolStatser interface {
	PoolStats() (inUse, idle, max int)
}

var poolDesc = prometheus.NewDesc("parley_db_pool_connections",
	"Database connections by state: in_use, idle, and max (the configured ceiling).", []string{"state"}, nil)

var fallbackDesc = prometheus.NewDesc("parley_db_replica_fallbacks_total",
	"Lag-tolerant reads served by the primary because the read replica could not answer.", nil, nil)

// replicaFallbacker is implemented by a backend with a read replica.
type replicaFallbacker interface{ ReplicaFallbacks() uint64 }

// PoolCollector reports parley_db_pool_connections{state} for s at each
// scrape; register it on the metrics registry.
type PoolCollector struct{ s PoolStatser }

// NewPoolCollector returns the collector for s.
func NewPoolCollector(s PoolStatser) *PoolCollector { return &PoolCollector{s: s} }

// Describe sends the metrics' descriptions.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolDesc
	if _, ok := c.s.(replicaFallbacker); ok {
		ch <- fallbackDesc
	}
}

// Collect reads the pools' counts now.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	inUse, idle, maxConns := c.s.PoolStats()
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(inUse), "in_use")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(idle), "idle")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(maxConns), "max")
	if r, ok := c.s.(replicaFallbacker); ok {
		ch <- prometheus.MustNewConstMetric(fallbackDesc, prometheus.CounterValue, float64(r.ReplicaFallbacks()))
	}
}
