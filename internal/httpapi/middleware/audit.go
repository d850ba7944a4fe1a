package middleware

import (
	"github.com/parley-chat/parley/internal/platform/httprec"
	"net/http"
	"time"

	"github.com/parley-chat/parley/internal/audit"
)

// AuditRecorder queues audit entries; *audit.Writer is one (asynchronous,
// batched, lossless on Close).
type AuditRecorder interface {
	Record(e audit.Entry)
}

// AuditOptions configure the Audit middleware. It reads the request's
// record after the handler returned, so it sees the route and the
// authenticated user.
type AuditOptions struct {
	Recorder AuditRecorder
	// Skip leaves requests out of the log (orchestrator probes).
	Skip func(r *http.Request) bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Audit records one audit entry per API call once its answer is complete
// (a stream when it ends): who, route, status, client address, user agent,
// request id and latency. It never records bodies, queries or headers
// beyond the user agent.
func Audit(o AuditOptions) func(http.Handler) http.Handler {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if o.Skip != nil && o.Skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			start := now()
			sw := httprec.Wrap(w)
			defer func() {
				status := sw.Status()
				if status == 0 {
					status = http.StatusOK
				}
				if v := recover(); v != nil {
					status = http.StatusInternalServerError
					defer panic(v)
				}
				e := audit.Entry{
					At: start.UTC(), Action: "http", Method: r.Method, Status: status,
					UserAgent: truncate(r.UserAgent(), 256),
					LatencyMS: float64(now().Sub(start).Microseconds()) / 1000,
				}
				rec := record(r)
				e.Route, e.UserID, e.ClientIP, e.RequestID = rec.Route, rec.UserID, rec.ClientIP, rec.ID
				if e.Route == "" {
					e.Route = r.Method + " (unmatched)"
				}
				o.Recorder.Record(e)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
