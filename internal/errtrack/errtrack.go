// Package errtrack reports panics and server errors to Sentry (or any
// Sentry-compatible endpoint) with enough request context to debug them and
// no personal data: no credentials, no bodies, no emails, no addresses.
package errtrack

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/getsentry/sentry-go"
)

// Options configure a Tracker.
type Options struct {
	// DSN is PARLEY_SENTRY_DSN; empty turns error tracking off.
	DSN string
	// Environment and Release label every event (e.g. "production", "v1.2.0").
	Environment string
	Release     string
	// Logger reports tracking problems; nil means slog.Default().
	Logger *slog.Logger
}

// Tracker sends events to Sentry. A nil *Tracker is valid and does nothing,
// which is what New returns without a DSN.
type Tracker struct {
	hub *sentry.Hub
	log *slog.Logger
}

// New returns a Tracker for opts.DSN, or nil (a no-op tracker) when the DSN
// is empty. It never touches sentry's global hub, so several trackers can
// live in one process (tests).
func New(opts Options) (*Tracker, error) {
	if opts.DSN == "" {
		return nil, nil
	}
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:            opts.DSN,
		Environment:    opts.Environment,
		Release:        opts.Release,
		SendDefaultPII: false,
		BeforeSend:     func(e *sentry.Event, _ *sentry.EventHint) *sentry.Event { return Scrub(e) },
		// Breadcrumbs come from integrations that may quote input; parley
		// sends none, and any that appear are scrubbed anyway.
		MaxBreadcrumbs: -1,
		// The telemetry buffer (the SDK's default since 0.3x) can report a
		// Flush done before its queued event has left (seen as a lost 500
		// event about 2 % of the time): the plain HTTP transport's Flush
		// waits for the batch it closes, so shutdown loses nothing.
		DisableTelemetryBuffer: true,
	})
	if err != nil {
		// The error text of a bad DSN may contain the DSN: keep it out.
		return nil, fmt.Errorf("errtrack: invalid PARLEY_SENTRY_DSN")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Tracker{hub: sentry.NewHub(client, sentry.NewScope()), log: log}, nil
}

// Enabled reports whether events are sent anywhere.
func (t *Tracker) Enabled() bool { return t != nil }

// CaptureError reports err (an unexpected server error) with the request's
// identifiers (its record in ctx). It returns the event id, or "".
func (t *Tracker) CaptureError(ctx context.Context, err error) string {
	if t == nil || err == nil {
		return ""
	}
	if c, ok := ctx.Value(capturedKey{}).(*atomic.Bool); ok {
		c.Store(true)
	}
	var id *sentry.EventID
	t.hub.WithScope(func(s *sentry.Scope) {
		describe(s, ctx, "")
		id = t.hub.CaptureException(err)
	})
	return eventID(id)
}

// Flush waits up to timeout for queued events to be sent; call it on
// shutdown. It reports whether everything went out.
func (t *Tracker) Flush(timeout time.Duration) bool {
	if t == nil {
		return true
	}
	ok := t.hub.Flush(timeout)
	if !ok {
		t.log.Warn("error tracking: events still queued at shutdown")
	}
	return ok
}

func eventID(id *sentry.EventID) string {
	if id == nil {
		return ""
	}
	return string(*id)
}
