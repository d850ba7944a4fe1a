package backup

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store"
)

// tableDigest is a table's row count and a checksum of all its rows.
type tableDigest struct {
	Rows int64
	Sum  string
}

// digestDatabase reads every table of the public schema and every sequence.
func digestDatabase(t *testing.T, ctx context.Context, url string) map[string]tableDigest {
	t.Helper()
	conn := connect(t, ctx, url)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]tableDigest{}
	for _, tbl := range tables {
		var d tableDigest
		q := fmt.Sprintf(`SELECT count(*), coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '') FROM %s x`,
			pgx.Identifier{tbl}.Sanitize())
		if err := conn.QueryRow(ctx, q).Scan(&d.Rows, &d.Sum); err != nil {
			t.Fatalf("digest %s: %v", tbl, err)
		}
		out["table "+tbl] = d
	}
	seqs, err := conn.Query(ctx, `SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	for seqs.Next() {
		var name string
		var last int64
		if err := seqs.Scan(&name, &last); err != nil {
			t.Fatal(err)
		}
		out["sequence "+name] = tableDigest{Rows: last}
	}
	return out
}

// TestRestoreParleySchema backs up a database holding parley's own schema
// (its real migrations) and data written through its real store, restores it
// into a fresh database, and proves every table and sequence is identical,
// that the restored schema passes the migrator's check, and that the store
// reads the data back.
func TestRestoreParleySchema(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	src := testenv.NewPostgresDB(t)
	dst := testenv.NewPostgresDB(t)

	s, err := store.Open(ctx, store.Config{URL: src})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer s.Close()
	if err := store.MigrateAuto(ctx, s); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var users []account.User
	for i := range 5 {
		u, err := s.CreateUser(ctx, account.User{Email: fmt.Sprintf("user%d@example.test", i), Name: fmt.Sprintf("User %d", i),
			PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", Role: account.RoleUser}, account.CreateOptions{FirstAdmin: i == 0})
		if err != nil {
			t.Fatalf("create user: %v", err)
		}
		users = append(users, u)
		for j := range 3 {
			c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: fmt.Sprintf("chat %d", j), Model: "openai/gpt-oss-120b"})
			if err != nil {
				t.Fatalf("create conversation: %v", err)
			}
			for k := range 4 {
				role := chat.RoleUser
				if k%2 == 1 {
					role = chat.RoleAssistant
				}
				if _, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, Role: role, Status: chat.StatusComplete,
					Content: fmt.Sprintf("message %d — with ünïcode and 'quotes'", k), Model: c.Model, PromptTokens: k, CompletionTokens: 2 * k}); err != nil {
					t.Fatalf("add message: %v", err)
				}
			}
		}
	}
	want := digestDatabase(t, ctx, src)
	for _, tbl := range []string{"table users", "table conversations", "table messages"} {
		if want[tbl].Rows == 0 {
			t.Fatalf("source %s is empty; digest %v", tbl, want)
		}
	}
	t.Logf("compared %d tables and sequences", len(want))

	res, err := Run(ctx, Options{Database: src, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := Restore(ctx, RestoreOptions{File: res.Path, Database: dst}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if diff := cmp.Diff(want, digestDatabase(t, ctx, dst)); diff != "" {
		t.Fatalf("restored database differs (-source +restored):\n%s", diff)
	}

	r, err := store.Open(ctx, store.Config{URL: dst})
	if err != nil {
		t.Fatalf("open restored store: %v", err)
	}
	defer r.Close()
	if err := r.Migrator().Check(ctx); err != nil {
		t.Fatalf("restored schema fails the migration check: %v", err)
	}
	got, err := r.UserByEmail(ctx, users[3].Email)
	if err != nil {
		t.Fatalf("read restored user: %v", err)
	}
	if diff := cmp.Diff(users[3], got); diff != "" {
		t.Errorf("restored user (-want +got):\n%s", diff)
	}
	if n, err := r.CountUsers(ctx); err != nil || n != len(users) {
		t.Errorf("restored users: %d (%v), want %d", n, err, len(users))
	}
}

// TestRestoreParleySQLite takes an online backup of parley's SQLite store
// while it is open, restores it as a new data file and reads it back through
// the store.
func TestRestoreParleySQLite(t *testing.T) {
	ctx := context.Background()
	live := filepath.Join(t.TempDir(), "parley.db")
	s, err := store.Open(ctx, store.Config{URL: "sqlite:" + live})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := store.MigrateAuto(ctx, s); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, account.User{Email: "solo@example.test", Name: "Solo",
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", Role: account.RoleUser}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, Options{Database: "sqlite:" + live, Dir: t.TempDir()}) // the store stays open
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "parley.db")
	if err := Restore(ctx, RestoreOptions{File: res.Path, Database: restored}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	r, err := store.Open(ctx, store.Config{URL: "sqlite:" + restored})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Migrator().Check(ctx); err != nil {
		t.Fatalf("restored schema: %v", err)
	}
	got, err := r.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("read restored user: %v", err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("restored user (-want +got):\n%s", diff)
	}
}

// TestRestoredSQLiteSearchFindsTheSameMessages: the full-text indexes are
// keyed by rowid, which VACUUM INTO may renumber in tables without an
// INTEGER PRIMARY KEY; a restored database must find exactly what the live
// one found, after deletions left gaps in the rowids.
func TestRestoredSQLiteSearchFindsTheSameMessages(t *testing.T) {
	ctx := context.Background()
	live := filepath.Join(t.TempDir(), "parley.db")
	s, err := store.Open(ctx, store.Config{URL: "sqlite:" + live})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := store.MigrateAuto(ctx, s); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, account.User{Email: "finder@example.test", Name: "Finder",
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", Role: account.RoleUser}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	var convs []chat.Conversation
	for i, w := range words {
		c, err := s.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: "talk " + w + "title", Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		convs = append(convs, c)
		parent := ""
		for j := 0; j < 3; j++ {
			m, err := s.AddMessage(ctx, u.ID, chat.Message{ConversationID: c.ID, ParentID: parent, Role: "user",
				Content: fmt.Sprintf("%s number %d of %d", w, j, i), Status: "complete"})
			if err != nil {
				t.Fatal(err)
			}
			parent = m.ID
		}
	}
	// Gaps: the first and fourth conversations (and their messages) go.
	for _, i := range []int{0, 3} {
		if err := s.DeleteConversation(ctx, u.ID, convs[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	search := func(st store.Store, w string) []string {
		t.Helper()
		hits, _, err := st.Search(ctx, u.ID, chat.SearchParams{Terms: []string{w}, Limit: 50})
		if err != nil {
			t.Fatalf("search %q: %v", w, err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.ConversationID+"/"+h.MessageID+": "+h.Title+" | "+h.Body)
		}
		return out
	}
	want := map[string][]string{}
	for _, w := range append(words, w2(words)...) {
		want[w] = search(s, w)
	}
	if len(want["bravo"]) != 3 || len(want["alpha"]) != 0 {
		t.Fatalf("live search: bravo %d hits, alpha %d", len(want["bravo"]), len(want["alpha"]))
	}
	// The live index is then emptied behind the rows' back (as a rowid
	// renumbering would leave it: pointing at nothing): the restore builds
	// the index again from the rows it restores.
	raw, err := openSQLite(live, false)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')`,
		`INSERT INTO conversations_fts (conversations_fts) VALUES ('delete-all')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if got := search(s, "bravo"); len(got) != 0 {
		t.Fatalf("the emptied live index still finds %d hits", len(got))
	}
	res, err := Run(ctx, Options{Database: "sqlite:" + live, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "parley.db")
	if err := Restore(ctx, RestoreOptions{File: res.Path, Database: restored}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	r, err := store.Open(ctx, store.Config{URL: "sqlite:" + restored})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for w, hits := range want {
		if d := cmp.Diff(hits, search(r, w)); d != "" {
			t.Errorf("search %q after restore (-before +restored):\n%s", w, d)
		}
	}
}

// w2 is the title words of the conversations.
func w2(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w + "title"
	}
	return out
}
