package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/errs"
)

func testAudit(t *testing.T, o Opener) {
	ctx := t.Context()
	s := o.migrated(t)
	if n, err := s.CountAudit(ctx); err != nil || n != 0 {
		t.Fatalf("CountAudit on empty log = %d, %v", n, err)
	}
	var in []audit.Entry
	for i := range 30 {
		e := audit.Entry{At: t0.Add(time.Duration(i) * time.Minute), UserID: "u1", Action: "http", Method: "GET",
			Route: "GET /api/v1/conversations", Status: 200, ClientIP: "192.0.2.7", UserAgent: "ua",
			RequestID: fmt.Sprintf("req-%d", i), LatencyMS: 1.25, Detail: `{"k":1}`}
		if i%3 == 0 {
			e.UserID, e.Status = "u2", 404
		}
		if i == 29 {
			e.Action, e.Target, e.Method, e.Route = "admin.user.update", "u1", "", ""
		}
		in = append(in, e)
	}
	ok(t, s.InsertAudit(ctx, in[:10]))
	ok(t, s.InsertAudit(ctx, in[10:]))
	ok(t, s.InsertAudit(ctx, nil))

	// Paging newest first returns exactly what went in, with fresh ids.
	var got []audit.Entry
	cursor := ""
	for {
		page, next, err := s.ListAudit(ctx, audit.Filter{Limit: 7, Cursor: cursor})
		ok(t, err)
		got = append(got, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	var want []audit.Entry
	for i := len(in) - 1; i >= 0; i-- {
		e := in[i]
		e.At = us(e.At)
		want = append(want, e)
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(audit.Entry{}, "ID")); d != "" {
		t.Fatalf("ListAudit pages (-want +got):\n%s", d)
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID >= got[i-1].ID {
			t.Fatalf("ids not strictly descending: %d then %d", got[i-1].ID, got[i].ID)
		}
	}

	since, until := us(t0.Add(10*time.Minute)), us(t0.Add(20*time.Minute))
	for _, c := range []struct {
		name string
		f    audit.Filter
		want int
	}{
		{"user", audit.Filter{UserID: "u2"}, 10},
		{"action", audit.Filter{Action: "admin.user.update"}, 1},
		{"route", audit.Filter{Route: "GET /api/v1/conversations"}, 29},
		{"status", audit.Filter{Status: 404}, 10},
		{"since", audit.Filter{Since: &since, Limit: 100}, 20},
		{"until", audit.Filter{Until: &until, Limit: 100}, 21},
		{"window", audit.Filter{Since: &since, Until: &until}, 11},
		{"combined", audit.Filter{UserID: "u2", Status: 404, Since: &since}, 6},
	} {
		c.f.Limit = 100
		page, _, err := s.ListAudit(ctx, c.f)
		ok(t, err)
		if len(page) != c.want {
			t.Errorf("filter %s: %d entries, want %d", c.name, len(page), c.want)
		}
	}
	_, _, err := s.ListAudit(ctx, audit.Filter{Cursor: "garbage"})
	wantCode(t, err, errs.Invalid)

	// Text neither engine can hold is sanitised, never a lost batch.
	ok(t, s.InsertAudit(ctx, []audit.Entry{{At: t0.Add(time.Hour), Action: "http", UserAgent: "bad\x00agent\xff"}}))
	page, _, err := s.ListAudit(ctx, audit.Filter{Limit: 1})
	ok(t, err)
	if page[0].UserAgent != "bad\uFFFDagent\uFFFD" {
		t.Fatalf("sanitised user agent = %q", page[0].UserAgent)
	}

	n, err := s.PruneAudit(ctx, t0.Add(10*time.Minute))
	ok(t, err)
	if n != 10 {
		t.Fatalf("PruneAudit removed %d, want 10", n)
	}
	if c, err := s.CountAudit(ctx); err != nil || c != 21 {
		t.Fatalf("CountAudit after prune = %d, %v; want 21", c, err)
	}
}
