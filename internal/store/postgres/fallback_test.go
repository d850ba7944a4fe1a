package postgres_test

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/store/postgres"
)

// count is how often msg was logged so far.
func count(b *testkit.Buffer, msg string) int { return strings.Count(b.String(), msg) }

const (
	outageMsg   = "read replica unavailable"
	recoveryMsg = "read replica answers again"
)

// The standby goes down: readiness (Ping) still passes because the primary
// serves, ReplicaPing reports the replica, and every lag-tolerant read falls
// back to the primary, logged once for the outage and counted. Once the
// standby is back and the retry period has passed, reads return to it.
func TestStreamingReplicaDown(t *testing.T) {
	logs := &testkit.Buffer{}
	pair, s := openPair(t, postgres.Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).UnixNano())
	postgres.SetReplicaClock(s, func() time.Time { return time.Unix(0, clock.Load()) })
	early := write(t, s, "", "early")
	pair.WaitReplayed(t, pair.CurrentLSN(t))
	// The replica pool now holds connections that the shutdown will cut.
	lists := func(t *testing.T, s *postgres.Store, w world, owner string) {
		t.Helper()
		for _, r := range reads {
			if saw, err := r.sees(t.Context(), s, owner, w); err != nil || !saw {
				t.Errorf("%s: saw=%v err=%v; want the data, from the primary", r.name, saw, err)
			}
		}
	}
	lists(t, s, early, early.user)
	if err := s.ReplicaPing(t.Context()); err != nil {
		t.Fatalf("ReplicaPing with the standby up: %v", err)
	}

	pair.StopStandby(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping with only the standby down: %v; readiness must hold while the primary serves", err)
	}
	if err := s.ReplicaPing(t.Context()); err == nil || !strings.Contains(err.Error(), "ping replica") {
		t.Fatalf("ReplicaPing with the standby down: %v; want the replica's failure", err)
	}
	before := s.ReplicaFallbacks()
	late := write(t, s, early.user, "late") // written while the standby is down
	lists(t, s, late, early.user)
	if got, n := s.ReplicaFallbacks()-before, uint64(countReplicaReads()); got < n {
		t.Errorf("ReplicaFallbacks grew by %d over %d lag-tolerant reads", got, n)
	}
	if n := count(logs, outageMsg); n != 1 {
		t.Errorf("%q logged %d times over the outage, want once:\n%s", outageMsg, n, logs)
	}

	t.Run("OpenWhileDown", func(t *testing.T) {
		s2, err := postgres.Open(t.Context(), postgres.Config{URL: pair.PrimaryURL, ReadURL: pair.StandbyURL,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("Open with the standby down: %v", err)
		}
		defer s2.Close()
		lists(t, s2, late, early.user)
	})

	pair.StartStandby(t)
	pair.WaitReplayed(t, pair.CurrentLSN(t)) // it caught up through its slot
	pair.PauseReplay(t)
	c, err := s.CreateConversation(t.Context(), chat.Conversation{UserID: early.user, Title: "unreplayed"})
	must(t, err)
	pair.WaitReceived(t, pair.CurrentLSN(t))
	if !listed(t, s, early.user, c.ID) {
		t.Fatal("within the retry period, ListConversations left the primary")
	}
	clock.Add(int64(postgres.ReplicaRetryAfter))
	if listed(t, s, early.user, c.ID) {
		t.Fatal("after the retry period, ListConversations still reads the primary; want the (paused) standby")
	}
	if n := count(logs, recoveryMsg); n != 1 {
		t.Errorf("%q logged %d times, want once", recoveryMsg, n)
	}
}

func listed(t *testing.T, s *postgres.Store, owner, convID string) bool {
	t.Helper()
	cs, _, err := s.ListConversations(t.Context(), owner, chat.ListParams{})
	must(t, err)
	return slices.ContainsFunc(cs, func(c chat.Conversation) bool { return c.ID == convID })
}

func countReplicaReads() int {
	n := 0
	for _, r := range reads {
		if r.replica {
			n++
		}
	}
	return n
}

// The replica's connection is lost while a list runs on it (here: its
// backend is terminated while blocked behind a lock replayed from the
// primary): the list is run again on the primary and answers.
func TestStreamingReplicaLostMidQuery(t *testing.T) {
	logs := &testkit.Buffer{}
	pair, s := openPair(t, postgres.Config{MaxConns: 1, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	ctx := t.Context()
	u, err := s.CreateUser(ctx, account.User{Email: "a@x.io"}, account.CreateOptions{})
	must(t, err)
	must(t, s.CreateInvite(ctx, account.Invite{ID: "i1", CodeHash: "h", CreatedBy: u.ID,
		CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}))
	pair.WaitReplayed(t, pair.CurrentLSN(t))
	if _, err := s.ListInvites(ctx); err != nil { // prepares the statement on the replica connection
		t.Fatal(err)
	}

	// Hold an ACCESS EXCLUSIVE lock on invites on the primary; the standby
	// replays it and holds it too.
	locker, err := pgx.Connect(ctx, pair.PrimaryURL)
	must(t, err)
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	must(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `LOCK TABLE invites IN ACCESS EXCLUSIVE MODE`)
	must(t, err)
	// A committed write flushes the WAL up to it, the lock's record included.
	_, err = s.CreateUser(ctx, account.User{Email: "b@x.io"}, account.CreateOptions{})
	must(t, err)
	pair.WaitReplayed(t, pair.CurrentLSN(t))

	type result struct {
		invites []account.Invite
		err     error
	}
	done := make(chan result, 1)
	before := s.ReplicaFallbacks()
	go func() {
		is, err := s.ListInvites(ctx)
		done <- result{is, err}
	}()
	standby, err := pgx.Connect(ctx, pair.StandbyURL)
	must(t, err)
	defer standby.Close(ctx)
	pid := waitForLockWaiter(t, standby, done)
	if _, err := standby.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	must(t, tx.Commit(ctx)) // the fallback on the primary can now run

	select {
	case r := <-done:
		if r.err != nil || len(r.invites) != 1 {
			t.Fatalf("ListInvites after losing the replica mid-query = %v, %v; want the invite from the primary", r.invites, r.err)
		}
	case <-time.After(time.Minute):
		t.Fatal("ListInvites did not return after its replica connection was terminated")
	}
	if s.ReplicaFallbacks() == before {
		t.Error("ReplicaFallbacks did not count the fallback")
	}
	if n := count(logs, outageMsg); n != 1 {
		t.Errorf("%q logged %d times, want once", outageMsg, n)
	}
}

// waitForLockWaiter polls the standby until a client backend waits on a
// lock, and returns its pid.
func waitForLockWaiter[R any](t *testing.T, standby *pgx.Conn, done <-chan R) int {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		var pid int
		err := standby.QueryRow(t.Context(), `SELECT pid FROM pg_stat_activity
			WHERE backend_type = 'client backend' AND wait_event_type = 'Lock' AND query LIKE '%invites%'`).Scan(&pid)
		if err == nil {
			return pid
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		select {
		case r := <-done:
			t.Fatalf("ListInvites returned without waiting on the standby's replayed lock: %+v", r)
		case <-deadline:
			t.Fatal("no standby session waited on the replayed lock")
		case <-tick.C:
		}
	}
}
