package audit

import (
	"context"
	"log/slog"
	"time"
)

// PrunerOptions configure RunPruner.
type PrunerOptions struct {
	// Retention is how long entries are kept (PARLEY_AUDIT_RETENTION);
	// 0 or less disables pruning.
	Retention time.Duration
	// Interval between prunes; 0 means 1h.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Prune deletes the entries older than retention once and returns how many.
func Prune(ctx context.Context, st Store, retention time.Duration, now time.Time) (int64, error) {
	return st.PruneAudit(ctx, now.Add(-retention))
}

// RunPruner prunes at once and then on every interval until ctx ends.
func RunPruner(ctx context.Context, st Store, o PrunerOptions) {
	if o.Retention <= 0 {
		return
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(cmpOr(o.Interval, time.Hour))
	defer t.Stop()
	for {
		n, err := Prune(ctx, st, o.Retention, now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("audit prune", slog.Any("error", err))
		case n > 0:
			log.Info("audit pruned", slog.Int64("entries", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
