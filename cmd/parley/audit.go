package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/audit"
)

// startAudit starts the asynchronous audit writer every API call and
// administrator action is recorded through.
func startAudit(st audit.Store, log *slog.Logger, reg prometheus.Registerer) (*audit.Writer, error) {
	return audit.NewWriter(audit.WriterOptions{Store: st, Logger: log, Registerer: reg})
}

// closeAudit writes every queued audit entry: after the HTTP servers
// stopped, before the store closes.
func closeAudit(w *audit.Writer, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		log.Error("audit entries not flushed at shutdown", "err", err.Error())
		return
	}
	log.Info("audit log flushed")
}
