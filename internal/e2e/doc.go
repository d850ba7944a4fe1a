// Package e2e holds parley's end-to-end tests of the whole binary: a real
// `parley serve` process (built once) on real PostgreSQL and Redis, driven
// over HTTP like a client, a balancer or a Prometheus server would.
package e2e
