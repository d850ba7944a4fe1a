package usage

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// Summary is one user's usage today, the body of GET /api/v1/usage.
type Summary struct {
	Day time.Time
	// Quota is the user's daily token quota; 0 means unlimited.
	Quota    int64
	Used     int64
	ResetsAt time.Time
	ByModel  []Record
}

// Remaining is the quota left today, or -1 when the quota is unlimited.
func (s Summary) Remaining() int64 {
	if s.Quota == 0 {
		return -1
	}
	return max(s.Quota-s.Used, 0)
}

// QuotaFor returns u's daily token quota: the per-user override when set,
// otherwise the default; 0 means unlimited.
func (r *Recorder) QuotaFor(u account.User) int64 {
	if u.DailyTokenQuota != nil {
		return *u.DailyTokenQuota
	}
	return r.quota
}

// Check returns errs.QuotaExceeded, with the seconds until the next UTC
// midnight as RetryAfterSeconds, when u has used up today's quota. Call it
// before the upstream call.
func (r *Recorder) Check(ctx context.Context, u account.User) error {
	quota := r.QuotaFor(u)
	if quota == 0 {
		return nil
	}
	now := r.now()
	used, err := r.count.Used(ctx, u.ID, Day(now))
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "usage accounting is unavailable")
	}
	if used < quota {
		return nil
	}
	return exceeded(quota, now)
}

// Reserve takes estimate tokens of u's quota for today before a call goes
// upstream, or fails like Check when the quota is used up. The call's real
// count is then accounted by Record as usual; release gives the estimate
// back (call it once the call has ended, whatever the outcome; it is safe to
// call more than once). Reservations are atomic in the Counter, so
// concurrent calls cannot together pass the quota by more than one call.
func (r *Recorder) Reserve(ctx context.Context, u account.User, estimate int64) (release func(), err error) {
	quota := r.QuotaFor(u)
	if quota == 0 {
		return func() {}, nil
	}
	now := r.now()
	day := Day(now)
	ok, err := r.count.Reserve(ctx, u.ID, day, estimate, quota)
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "usage accounting is unavailable")
	}
	if !ok {
		return nil, exceeded(quota, now)
	}
	if estimate == 0 {
		return func() {}, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if _, err := r.count.Add(context.WithoutCancel(ctx), u.ID, day, -estimate); err != nil {
				r.log.ErrorContext(ctx, "usage counter release", slog.String("user_id", u.ID), slog.Any("error", err))
			}
		})
	}, nil
}

func exceeded(quota int64, now time.Time) error {
	reset := Day(now).Add(24 * time.Hour)
	e := errs.E(errs.QuotaExceeded, "daily token quota of %d tokens used up; it resets at %s",
		quota, reset.Format(time.RFC3339))
	e.RetryAfterSeconds = int(math.Ceil(reset.Sub(now).Seconds()))
	return e
}

// Usage reports u's usage today: the live total from the Counter and the
// per-model split from the store plus what this replica has not written yet
// (another replica's unwritten share shows after its next flush).
func (r *Recorder) Usage(ctx context.Context, u account.User) (Summary, error) {
	now := r.now()
	day := Day(now)
	used, err := r.count.Used(ctx, u.ID, day)
	if err != nil {
		return Summary{}, errs.Wrap(errs.Unavailable, err, "usage accounting is unavailable")
	}
	stored, err := r.store.UsageByDay(ctx, u.ID, day)
	if err != nil {
		return Summary{}, fmt.Errorf("usage by day: %w", err)
	}
	byModel := map[string]*Record{}
	for _, rec := range append(stored, r.pendingFor(u.ID, day)...) {
		m := byModel[rec.Model]
		if m == nil {
			m = &Record{UserID: u.ID, Day: day, Model: rec.Model}
			byModel[rec.Model] = m
		}
		m.Requests += rec.Requests
		m.PromptTokens += rec.PromptTokens
		m.CompletionTokens += rec.CompletionTokens
	}
	s := Summary{Day: day, Quota: r.QuotaFor(u), Used: used, ResetsAt: day.Add(24 * time.Hour)}
	for _, m := range byModel {
		s.ByModel = append(s.ByModel, *m)
	}
	sort.Slice(s.ByModel, func(i, j int) bool { return s.ByModel[i].Model < s.ByModel[j].Model })
	return s, nil
}
