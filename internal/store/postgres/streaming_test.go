package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/platform/testenv/pgreplica"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/postgres"
	"github.com/parley-chat/parley/internal/usage"
)

// day is the UTC date every usage record of these tests falls on.
var day = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// openPair opens parley's store on a real primary (URL) and its streaming
// standby (ReadURL), migrated, and waits until the standby has the schema.
func openPair(t *testing.T, cfg postgres.Config) (*pgreplica.Pair, *postgres.Store) {
	t.Helper()
	start := time.Now()
	pair := pgreplica.Start(t)
	t.Logf("primary and streaming standby up in %v", time.Since(start).Round(time.Millisecond))
	cfg.URL, cfg.ReadURL = pair.PrimaryURL, pair.StandbyURL
	s, err := postgres.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := store.MigrateAuto(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	pair.WaitReplayed(t, pair.CurrentLSN(t))
	var standby bool
	if err := s.ReadPool().QueryRow(t.Context(), `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil || !standby {
		t.Fatalf("read pool in recovery = %v, %v; want the standby", standby, err)
	}
	return pair, s
}

// world is what one round of writes created; each read below says whether
// it sees the round.
type world struct {
	user, email, conv, invite, route, model, component string
	total                                              int // users (and audit entries) once this round is in
}

// write creates one of everything the lag-tolerant reads list, tagged by tag.
func write(t *testing.T, s *postgres.Store, owner, tag string) world {
	t.Helper()
	ctx := t.Context()
	w := world{route: "GET /" + tag, model: "model-" + tag, invite: "inv-" + tag}
	u, err := s.CreateUser(ctx, account.User{Email: tag + "@x.io", Role: account.RoleUser}, account.CreateOptions{})
	must(t, err)
	w.user, w.email = u.ID, u.Email
	if owner == "" {
		owner = u.ID
	}
	c, err := s.CreateConversation(ctx, chat.Conversation{UserID: owner, Title: tag})
	must(t, err)
	w.conv = c.ID
	_, err = s.AddMessage(ctx, owner, chat.Message{ConversationID: c.ID, Role: chat.RoleUser, Content: tag})
	must(t, err)
	must(t, s.AddUsage(ctx, []usage.Record{{UserID: owner, Day: day, Model: w.model, Requests: 1, PromptTokens: 3}}))
	must(t, s.InsertAudit(ctx, []audit.Entry{{At: time.Now(), UserID: owner, Action: "http", Method: "GET",
		Route: w.route, Status: 200}}))
	must(t, s.CreateInvite(ctx, account.Invite{ID: w.invite, CodeHash: "h-" + tag, CreatedBy: owner,
		CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}))
	w.component = map[string]string{"early": "groq", "late": "redis"}[tag]
	w.total = map[string]int{"early": 1, "late": 2}[tag]
	_, err = s.CreateIncident(ctx, incident.Incident{Component: w.component, Status: incident.Degraded, Title: tag})
	must(t, err)
	return w
}

// read is one store read and whether its answer includes world w of owner.
type read struct {
	name    string
	replica bool // routed to the read pool: may lag
	sees    func(ctx context.Context, s *postgres.Store, owner string, w world) (bool, error)
}

var reads = []read{
	// Fresh: authentication, read-after-write and quota paths.
	{"UserByEmail", false, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		u, err := s.UserByEmail(ctx, w.email)
		return found(u.ID == w.user, err)
	}},
	{"UserByID", false, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		u, err := s.UserByID(ctx, w.user)
		return found(u.ID == w.user, err)
	}},
	{"Conversation", false, func(ctx context.Context, s *postgres.Store, owner string, w world) (bool, error) {
		c, err := s.Conversation(ctx, owner, w.conv)
		return found(c.ID == w.conv, err)
	}},
	{"Messages", false, func(ctx context.Context, s *postgres.Store, owner string, w world) (bool, error) {
		ms, err := s.Messages(ctx, owner, w.conv)
		return found(len(ms) == 1, err)
	}},
	{"UsageByDay", false, func(ctx context.Context, s *postgres.Store, owner string, w world) (bool, error) {
		rs, err := s.UsageByDay(ctx, owner, day)
		return slices.ContainsFunc(rs, func(r usage.Record) bool { return r.Model == w.model }), err
	}},
	{"OpenIncident", false, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		_, err := s.OpenIncident(ctx, w.component)
		return found(true, err)
	}},
	// Lag-tolerant lists and counts.
	{"ListUsers", true, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		us, _, err := s.ListUsers(ctx, account.ListUsersParams{})
		return slices.ContainsFunc(us, func(u account.User) bool { return u.ID == w.user }), err
	}},
	{"CountUsers", true, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		n, err := s.CountUsers(ctx)
		return n == w.total, err
	}},
	{"ListConversations", true, func(ctx context.Context, s *postgres.Store, owner string, w world) (bool, error) {
		cs, _, err := s.ListConversations(ctx, owner, chat.ListParams{})
		return slices.ContainsFunc(cs, func(c chat.Conversation) bool { return c.ID == w.conv }), err
	}},
	{"UsageRange", true, func(ctx context.Context, s *postgres.Store, owner string, w world) (bool, error) {
		rs, err := s.UsageRange(ctx, owner, day, day)
		return slices.ContainsFunc(rs, func(r usage.Record) bool { return r.Model == w.model }), err
	}},
	{"ListAudit", true, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		es, _, err := s.ListAudit(ctx, audit.Filter{Route: w.route})
		return len(es) == 1, err
	}},
	{"CountAudit", true, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		n, err := s.CountAudit(ctx)
		return n == int64(w.total), err
	}},
	{"ListInvites", true, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		is, err := s.ListInvites(ctx)
		return slices.ContainsFunc(is, func(i account.Invite) bool { return i.ID == w.invite }), err
	}},
	{"ListIncidents", true, func(ctx context.Context, s *postgres.Store, _ string, w world) (bool, error) {
		is, err := s.ListIncidents(ctx, 10)
		return slices.ContainsFunc(is, func(i incident.Incident) bool { return i.Component == w.component }), err
	}},
}

// sightings runs every read and maps its name to whether it saw w.
func sightings(t *testing.T, s *postgres.Store, owner string, w world) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for _, r := range reads {
		saw, err := r.sees(t.Context(), s, owner, w)
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		got[r.name] = saw
	}
	return got
}

// expect maps every read to fresh for primary reads and lagging for the others.
func expect(fresh, lagging bool) map[string]bool {
	want := map[string]bool{}
	for _, r := range reads {
		want[r.name] = fresh
		if r.replica {
			want[r.name] = lagging
		}
	}
	return want
}

// With a real streaming standby as ReadURL: writes land on the primary, the
// lag-tolerant reads answer from the standby once it has replayed them, and
// the reads that must be fresh read the primary. Pausing replay makes the
// split visible: the staleness a lag-tolerant read tolerates is exactly the
// standby's replay lag (WAL received but not yet applied).
func TestStreamingReplicaRouting(t *testing.T) {
	pair, s := openPair(t, postgres.Config{})
	early := write(t, s, "", "early")
	pair.WaitReplayed(t, pair.CurrentLSN(t))
	for _, r := range reads {
		if r.replica {
			if saw, err := r.sees(t.Context(), s, early.user, early); err != nil || !saw {
				t.Fatalf("%s after replay: saw=%v err=%v; want the replicated write", r.name, saw, err)
			}
		}
	}

	pair.PauseReplay(t)
	late := write(t, s, early.user, "late")
	lsn := pair.CurrentLSN(t)
	pair.WaitReceived(t, lsn) // on the standby, not yet applied
	if diff := cmp.Diff(expect(true, false), sightings(t, s, early.user, late)); diff != "" {
		t.Fatalf("with replay paused, which reads see a just-made write (-want +got):\n%s", diff)
	}

	pair.ResumeReplay(t)
	pair.WaitReplayed(t, lsn)
	if diff := cmp.Diff(expect(true, true), sightings(t, s, early.user, late)); diff != "" {
		t.Fatalf("after replay, which reads see the write (-want +got):\n%s", diff)
	}
}

// The standby refuses writes; every write of the store succeeds while it is
// attached as ReadURL, so none of them is sent to it.
func TestStreamingReplicaGetsNoWrites(t *testing.T) {
	pair, s := openPair(t, postgres.Config{})
	ctx := t.Context()
	_, err := s.ReadPool().Exec(ctx, `INSERT INTO audit_log (at, action) VALUES (now(), 'x')`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" {
		t.Fatalf("write through the read pool: %v; want read_only_sql_transaction (25006)", err)
	}

	now := time.Now()
	u, err := s.CreateUser(ctx, account.User{Email: "w@x.io"}, account.CreateOptions{FirstAdmin: true})
	must(t, err)
	c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: "t"})
	must(t, err)
	m, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: chat.RoleUser, Content: "hi"})
	must(t, err)
	name, title := "W", "t2"
	writes := []struct {
		name string
		do   func() error
	}{
		{"UpdateUser", func() error { _, err := s.UpdateUser(ctx, u.ID, account.UserUpdate{Name: &name}); return err }},
		{"CreateRefreshToken", func() error {
			return s.CreateRefreshToken(ctx, account.RefreshToken{ID: "r1", UserID: u.ID, FamilyID: "f1",
				TokenHash: "rh1", ExpiresAt: now.Add(time.Hour), CreatedAt: now})
		}},
		{"MarkRefreshTokenUsed", func() error { return s.MarkRefreshTokenUsed(ctx, "r1", now) }},
		{"RevokeRefreshFamily", func() error { return s.RevokeRefreshFamily(ctx, "f1", now) }},
		{"RevokeUserRefreshTokensExcept", func() error { return s.RevokeUserRefreshTokensExcept(ctx, u.ID, "f1", now) }},
		{"RevokeUserRefreshTokens", func() error { return s.RevokeUserRefreshTokens(ctx, u.ID, now) }},
		{"CreateAPIToken", func() error {
			return s.CreateAPIToken(ctx, account.APIToken{ID: "t1", UserID: u.ID, Name: "n", Prefix: "p", TokenHash: "th", CreatedAt: now}, 0)
		}},
		{"TouchAPIToken", func() error { return s.TouchAPIToken(ctx, "t1", now) }},
		{"RevokeAPIToken", func() error { return s.RevokeAPIToken(ctx, u.ID, "t1", now) }},
		{"CreateInvite", func() error {
			return s.CreateInvite(ctx, account.Invite{ID: "i1", CodeHash: "ch", CreatedBy: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
		}},
		{"UpdateConversation", func() error {
			_, err := s.UpdateConversation(ctx, u.ID, c.ID, chat.ConversationUpdate{Title: &title})
			return err
		}},
		{"DeleteMessage", func() error { return s.DeleteMessage(ctx, u.ID, c.ID, m.ID) }},
		{"DeleteConversation", func() error { return s.DeleteConversation(ctx, u.ID, c.ID) }},
		{"AddUsage", func() error {
			return s.AddUsage(ctx, []usage.Record{{UserID: u.ID, Day: day, Model: "m", Requests: 1}})
		}},
		{"InsertAudit", func() error { return s.InsertAudit(ctx, []audit.Entry{{At: now, Action: "http", Status: 200}}) }},
		{"PruneAudit", func() error { _, err := s.PruneAudit(ctx, now.Add(-time.Hour)); return err }},
		{"CreateIncident", func() error {
			_, err := s.CreateIncident(ctx, incident.Incident{ID: "inc", Component: "api", Status: incident.Outage, Title: "x"})
			return err
		}},
		{"ResolveIncident", func() error { return s.ResolveIncident(ctx, "inc", time.Now()) }},
	}
	for _, w := range writes {
		if err := w.do(); err != nil {
			t.Errorf("%s with the standby attached: %v", w.name, err)
		}
	}
	// And the standby did get them, by replication.
	pair.WaitReplayed(t, pair.CurrentLSN(t))
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Fatalf("CountUsers on the standby = %d, %v; want 1", n, err)
	}
}

// found turns a lookup's answer into a sighting: not found is "not seen".
func found(match bool, err error) (bool, error) {
	if errs.CodeOf(err) == errs.NotFound {
		return false, nil
	}
	return match && err == nil, err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
