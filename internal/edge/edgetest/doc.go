// Package edgetest holds tests of parley's edge against real outside
// programs: a Prometheus server scraping the metrics endpoint.
package edgetest
