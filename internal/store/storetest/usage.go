package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/usage"
)

func testUsage(t *testing.T, o Opener) {
	ctx := t.Context()
	s := o.migrated(t)
	u, other := newUser(t, s, ""), newUser(t, s, "")
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	// Any instant of a day counts to that UTC day, whatever its zone.
	tokyo := time.FixedZone("JST", 9*3600)
	ok(t, s.AddUsage(ctx, []usage.Record{
		{UserID: u.ID, Day: time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC), Model: "b", Requests: 1, PromptTokens: 10, CompletionTokens: 5},
		{UserID: u.ID, Day: time.Date(2026, 11, 25, 10, 0, 0, 0, tokyo), Model: "a", Requests: 1, PromptTokens: 1, CompletionTokens: 2},
		{UserID: u.ID, Day: day(25), Model: "a", Requests: 2, PromptTokens: 3, CompletionTokens: 4},
		{UserID: other.ID, Day: day(25), Model: "a", Requests: 9, PromptTokens: 9, CompletionTokens: 9},
	}))
	ok(t, s.AddUsage(ctx, nil))

	got, err := s.UsageByDay(ctx, u.ID, day(24).Add(5*time.Hour))
	ok(t, err)
	want := []usage.Record{
		{UserID: u.ID, Day: day(24), Model: "b", Requests: 1, PromptTokens: 10, CompletionTokens: 5},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("UsageByDay 24 (-want +got):\n%s", d)
	}
	got, err = s.UsageRange(ctx, u.ID, day(20), day(25))
	ok(t, err)
	want = []usage.Record{
		{UserID: u.ID, Day: day(24), Model: "b", Requests: 1, PromptTokens: 10, CompletionTokens: 5},
		{UserID: u.ID, Day: day(25), Model: "a", Requests: 3, PromptTokens: 4, CompletionTokens: 6},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("UsageRange (-want +got):\n%s", d)
	}
	got, err = s.UsageByDay(ctx, u.ID, day(1))
	ok(t, err)
	if got == nil || len(got) != 0 {
		t.Fatalf("UsageByDay of an idle day = %#v, want empty, non-nil", got)
	}

	// All or nothing: an unknown user or a negative count adds nothing.
	wantCode(t, s.AddUsage(ctx, []usage.Record{
		{UserID: u.ID, Day: day(25), Model: "a", Requests: 100},
		{UserID: "ghost", Day: day(25), Model: "a", Requests: 1},
	}), errs.NotFound)
	wantCode(t, s.AddUsage(ctx, []usage.Record{
		{UserID: u.ID, Day: day(25), Model: "a", Requests: 100},
		{UserID: u.ID, Day: day(25), Model: "a", PromptTokens: -1},
	}), errs.Invalid)
	got, err = s.UsageByDay(ctx, u.ID, day(25))
	ok(t, err)
	if len(got) != 1 || got[0].Requests != 3 {
		t.Fatalf("after refused batches: %+v, want requests still 3", got)
	}

	// Concurrent writers sum exactly.
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errc := make(chan error, writers*each)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				errc <- s.AddUsage(ctx, []usage.Record{
					{UserID: other.ID, Day: day(26), Model: "m", Requests: 1, PromptTokens: 2, CompletionTokens: 3},
				})
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		ok(t, err)
	}
	got, err = s.UsageByDay(ctx, other.ID, day(26))
	ok(t, err)
	n := int64(writers * each)
	want = []usage.Record{{UserID: other.ID, Day: day(26), Model: "m", Requests: n, PromptTokens: 2 * n, CompletionTokens: 3 * n}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("concurrent AddUsage (-want +got):\n%s", d)
	}
}
