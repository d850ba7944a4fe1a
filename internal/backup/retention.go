package backup

import (
	"fmt"
	"sort"
	"time"

	"github.com/parley-chat/parley/internal/errs"
)

// Retention says how many backups to keep: the newest backup of each of the
// last Daily days, Weekly ISO weeks and Monthly months that have one (UTC).
// A backup kept by any rule stays. All zero keeps everything.
type Retention struct {
	Daily   int
	Weekly  int
	Monthly int
}

// DefaultRetention is the policy the Compose backup service uses.
var DefaultRetention = Retention{Daily: 7, Weekly: 4, Monthly: 6}

func (r Retention) keepsAll() bool { return r.Daily == 0 && r.Weekly == 0 && r.Monthly == 0 }

func (r Retention) validate() error {
	fields := map[string]string{}
	if r.Daily < 0 {
		fields["keep_daily"] = "must not be negative"
	}
	if r.Weekly < 0 {
		fields["keep_weekly"] = "must not be negative"
	}
	if r.Monthly < 0 {
		fields["keep_monthly"] = "must not be negative"
	}
	if len(fields) > 0 {
		return errs.Validation(fields)
	}
	return nil
}

// Select reports, for each time in taken (any order), whether the policy keeps
// the backup taken then. It is a pure function of its inputs.
func (r Retention) Select(taken []time.Time) []bool {
	keep := make([]bool, len(taken))
	if r.keepsAll() {
		for i := range keep {
			keep[i] = true
		}
		return keep
	}
	order := make([]int, len(taken))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return taken[order[a]].After(taken[order[b]]) })

	rules := []struct {
		n      int
		bucket func(time.Time) string
	}{
		{r.Daily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{r.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
		{r.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
	}
	for _, rule := range rules {
		seen := map[string]bool{}
		for _, i := range order {
			if len(seen) >= rule.n {
				break
			}
			b := rule.bucket(taken[i].UTC())
			if seen[b] {
				continue
			}
			seen[b] = true
			keep[i] = true
		}
	}
	return keep
}
