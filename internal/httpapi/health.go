package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// readyTimeout bounds each readiness check.
const readyTimeout = 2 * time.Second

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type checkJSON struct {
	Name   string `json:"name"`
	Status string `json:"status"`          // "ok" or "failing"
	Error  string `json:"error,omitempty"` // shutdown only: check details go to the log
}

// readyz answers 200 when every check passes, else 503 naming the failing
// ones; during shutdown it fails first so traffic drains.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	checks := make([]checkJSON, 0, len(s.d.Ready)+1)
	ready := true
	if s.draining.Load() {
		ready = false
		checks = append(checks, checkJSON{Name: "shutdown", Status: "failing", Error: "server is shutting down"})
	}
	for _, c := range s.d.Ready {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		err := c.Check(ctx)
		cancel()
		cj := checkJSON{Name: c.Name, Status: "ok"}
		if err != nil {
			ready = false
			cj.Status = "failing"
			reqctx.Logger(r.Context()).WarnContext(r.Context(), "readiness check failing", "check", c.Name, "err", err.Error())
		}
		checks = append(checks, cj)
	}
	status, code := "ready", http.StatusOK
	if !ready {
		status, code = "unavailable", http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	}
	return WriteJSON(w, code, map[string]any{"status": status, "checks": checks})
}

// status answers GET /api/v1/status from the status page.
func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	if s.d.Status == nil {
		return errs.E(errs.NotFound, "no status page")
	}
	s.d.Status.ServeHTTP(w, r)
	return nil
}
