package usage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
	"github.com/parley-chat/parley/internal/usage"
)

// A long flush interval proves the writes come from Close, not the timer.
const never = time.Hour

func TestRecorderCloseWritesEveryRecord(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			alice := newUser(t, b.accounts, "alice@example.com", nil)
			bob := newUser(t, b.accounts, "bob@example.com", nil)
			now := time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)
			rec, err := usage.NewRecorder(usage.Options{Store: b.store, FlushInterval: never, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			const n = 200
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					user, model := alice.ID, "m-a"
					if i%4 == 0 {
						user, model = bob.ID, "m-b"
					}
					rec.Record(ctx, user, model, 10, 5)
				})
			}
			wg.Wait()
			if err := rec.Close(ctx); err != nil {
				t.Fatal(err)
			}
			day := usage.Day(now)
			for _, tc := range []struct {
				user string
				want []usage.Record
			}{
				{alice.ID, []usage.Record{{UserID: alice.ID, Day: day, Model: "m-a", Requests: 150, PromptTokens: 1500, CompletionTokens: 750}}},
				{bob.ID, []usage.Record{{UserID: bob.ID, Day: day, Model: "m-b", Requests: 50, PromptTokens: 500, CompletionTokens: 250}}},
			} {
				got, err := b.store.UsageByDay(ctx, tc.user, day)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got, cmpopts.EquateApproxTime(0)); diff != "" {
					t.Errorf("stored usage (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// failingStore fails AddUsage while fail is set: a real store cannot be
// made to fail on cue, and this is the one case it is needed for.
type failingStore struct {
	usage.Store
	mu   sync.Mutex
	fail bool
}

func (f *failingStore) AddUsage(ctx context.Context, recs []usage.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("database down")
	}
	return f.Store.AddUsage(ctx, recs)
}

func TestRecorderKeepsRecordsAcrossAFailedFlush(t *testing.T) {
	b := backends(t)[0]
	ctx := context.Background()
	u := newUser(t, b.accounts, "carol@example.com", nil)
	fs := &failingStore{Store: b.store, fail: true}
	rec, err := usage.NewRecorder(usage.Options{Store: fs, FlushInterval: never})
	if err != nil {
		t.Fatal(err)
	}
	rec.Record(ctx, u.ID, "m", 3, 4)
	if err := rec.Flush(ctx); err == nil {
		t.Fatal("Flush succeeded on a failing store")
	}
	rec.Record(ctx, u.ID, "m", 1, 1)
	fs.mu.Lock()
	fs.fail = false
	fs.mu.Unlock()
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := b.store.UsageByDay(ctx, u.ID, usage.Day(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Requests != 2 || got[0].PromptTokens != 4 || got[0].CompletionTokens != 5 {
		t.Fatalf("stored %+v, want 2 requests, 4 prompt, 5 completion tokens", got)
	}
}

func TestQuota(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			clk := testkit.NewClock(time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC))
			rec, err := usage.NewRecorder(usage.Options{Store: b.store, DefaultQuota: 100, FlushInterval: never, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Close(ctx)
			def := newUser(t, b.accounts, "default@example.com", nil)
			big := newUser(t, b.accounts, "big@example.com", ptr[int64](1000))
			free := newUser(t, b.accounts, "free@example.com", ptr[int64](0))

			for _, u := range []string{def.ID, big.ID, free.ID} {
				rec.Record(ctx, u, "m", 60, 40) // 100 tokens each
			}
			if err := rec.Check(ctx, big); err != nil {
				t.Errorf("user with a 1000 override at 100: %v", err)
			}
			if err := rec.Check(ctx, free); err != nil {
				t.Errorf("unlimited user: %v", err)
			}
			err = rec.Check(ctx, def)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.QuotaExceeded {
				t.Fatalf("default user at quota: got %v, want quota_exceeded", err)
			}
			if e.RetryAfterSeconds != 2*3600 {
				t.Errorf("RetryAfterSeconds = %d, want %d (to UTC midnight)", e.RetryAfterSeconds, 2*3600)
			}

			sum, err := rec.Usage(ctx, def)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Used != 100 || sum.Quota != 100 || sum.Remaining() != 0 ||
				!sum.ResetsAt.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("summary %+v", sum)
			}

			clk.Set(time.Date(2026, 11, 26, 0, 0, 1, 0, time.UTC)) // a new UTC day
			if err := rec.Check(ctx, def); err != nil {
				t.Errorf("next day: %v", err)
			}
		})
	}
}

func TestUsageSplitsByModelAcrossFlushes(t *testing.T) {
	b := backends(t)[0]
	ctx := context.Background()
	u := newUser(t, b.accounts, "dave@example.com", nil)
	rec, err := usage.NewRecorder(usage.Options{Store: b.store, FlushInterval: never})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close(ctx)
	rec.Record(ctx, u.ID, "a", 10, 1)
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rec.Record(ctx, u.ID, "a", 20, 2) // pending
	rec.Record(ctx, u.ID, "b", 5, 5)  // pending
	sum, err := rec.Usage(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	day := usage.Day(time.Now())
	want := []usage.Record{
		{UserID: u.ID, Day: day, Model: "a", Requests: 2, PromptTokens: 30, CompletionTokens: 3},
		{UserID: u.ID, Day: day, Model: "b", Requests: 1, PromptTokens: 5, CompletionTokens: 5},
	}
	if diff := cmp.Diff(want, sum.ByModel); diff != "" {
		t.Errorf("by model (-want +got):\n%s", diff)
	}
	if sum.Used != 43 || sum.Quota != 0 || sum.Remaining() != -1 {
		t.Errorf("used %d quota %d remaining %d; want 43, 0 (unlimited), -1", sum.Used, sum.Quota, sum.Remaining())
	}
}

// TestQuotaAcrossReplicas: two replicas sharing Redis see each other's use
// at once, though neither has written to the database yet.
func TestQuotaAcrossReplicas(t *testing.T) {
	b := backends(t)[1] // PostgreSQL, as replicas would share
	ctx := context.Background()
	rdb, prefix := testenv.Redis(t)
	replica := func() *usage.Recorder {
		r, err := usage.NewRecorder(usage.Options{Store: b.store, DefaultQuota: 100, FlushInterval: never,
			Counter: redisstore.NewUsageCounter(rdb, prefix, b.store)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close(ctx) })
		return r
	}
	a, c := replica(), replica()
	u := newUser(t, b.accounts, "erin@example.com", nil)
	a.Record(ctx, u.ID, "m", 50, 30)
	if err := c.Check(ctx, u); err != nil {
		t.Fatalf("at 80 of 100: %v", err)
	}
	c.Record(ctx, u.ID, "m", 15, 5)
	if err := a.Check(ctx, u); errs.CodeOf(err) != errs.QuotaExceeded {
		t.Fatalf("at 100 of 100 on the other replica: %v, want quota_exceeded", err)
	}
}
