package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

const seedRows = 20000

// drillSchema is a generic table-full of rows plus a ledger and a counter that
// every writer transaction updates together, so a torn snapshot would show.
const drillSchema = `
CREATE TABLE items (id bigserial PRIMARY KEY, payload text NOT NULL, n int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE ledger (item_id bigint PRIMARY KEY REFERENCES items(id), note text NOT NULL);
CREATE TABLE totals (name text PRIMARY KEY, writes bigint NOT NULL);
CREATE TABLE blocker (id int);
INSERT INTO totals VALUES ('writes', 0);
INSERT INTO items (payload, n) SELECT md5(g::text) || repeat('x', g % 50), g FROM generate_series(1, 20000) g;`

// state is what a snapshot holds: counts and content checksums.
type state struct {
	Items, Ledger, Writes int64
	ItemsSum, LedgerSum   string
}

func readState(t *testing.T, ctx context.Context, conn *pgx.Conn, maxID int64) state {
	t.Helper()
	var s state
	err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM items WHERE id <= $1),
		(SELECT count(*) FROM ledger WHERE item_id <= $1),
		(SELECT md5(coalesce(string_agg(id::text || ':' || payload || ':' || n || ':' || created_at::text, ',' ORDER BY id), '')) FROM items WHERE id <= $1),
		(SELECT md5(coalesce(string_agg(item_id::text || ':' || note, ',' ORDER BY item_id), '')) FROM ledger WHERE item_id <= $1)`,
		maxID).Scan(&s.Items, &s.Ledger, &s.ItemsSum, &s.LedgerSum)
	if err != nil {
		t.Fatalf("read state: %v", err)
	}
	return s
}

func connect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestRestoreDrill backs up a live PostgreSQL database while a writer keeps
// committing, restores it with the real pg_restore into a fresh database and
// proves the copy is exactly the snapshot pg_dump took: every row committed
// before the dump started is there, no row committed while the dump was
// provably running is, and counts and content checksums match the source.
func TestRestoreDrill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	src := testenv.NewPostgresDB(t)
	dst := testenv.NewPostgresDB(t)
	admin := connect(t, ctx, src)
	if _, err := admin.Exec(ctx, drillSchema); err != nil {
		t.Fatalf("schema: %v", err)
	}

	// One sequential writer: ids are committed in order, so the database at
	// any instant holds exactly the seed plus the first k writes.
	var committed atomic.Int64
	progress := make(chan int64, 1024)
	writerCtx, stopWriter := context.WithCancel(ctx)
	writerDone := make(chan error, 1)
	go func() {
		w, err := pgx.Connect(writerCtx, src)
		if err != nil {
			writerDone <- err
			return
		}
		defer w.Close(context.Background())
		for k := int64(1); ; k++ {
			err := pgx.BeginFunc(writerCtx, w, func(tx pgx.Tx) error {
				var id int64
				if err := tx.QueryRow(writerCtx, `INSERT INTO items (payload, n) VALUES ($1, $2) RETURNING id`,
					fmt.Sprintf("write-%d", k), k).Scan(&id); err != nil {
					return err
				}
				if _, err := tx.Exec(writerCtx, `INSERT INTO ledger VALUES ($1, $2)`, id, fmt.Sprintf("note-%d", k)); err != nil {
					return err
				}
				_, err := tx.Exec(writerCtx, `UPDATE totals SET writes = writes + 1 WHERE name = 'writes'`)
				return err
			})
			if err != nil {
				if writerCtx.Err() != nil {
					err = nil
				}
				writerDone <- err
				return
			}
			committed.Store(k)
			select {
			case progress <- k:
			default:
			}
		}
	}()
	waitWrites := func(atLeast int64) {
		t.Helper()
		for committed.Load() < atLeast {
			select {
			case <-progress:
			case err := <-writerDone:
				t.Fatalf("writer stopped early: %v", err)
			case <-ctx.Done():
				t.Fatalf("writer stuck below %d writes", atLeast)
			}
		}
	}
	waitWrites(50)

	// Hold a lock pg_dump will need, so it provably stays mid-dump (its
	// snapshot taken) while the writer goes on.
	lockConn := connect(t, ctx, src)
	lockTx, err := lockConn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockTx.Exec(ctx, `LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	before := committed.Load() // committed before pg_dump started

	dir := t.TempDir()
	type runResult struct {
		res Result
		err error
	}
	dumped := make(chan runResult, 1)
	go func() {
		res, err := Run(ctx, Options{Database: src, Dir: dir})
		dumped <- runResult{res, err}
	}()
	waitForDumpBlocked(t, ctx, admin)
	atSnapshot := committed.Load() // pg_dump's snapshot is no later than this
	waitWrites(atSnapshot + 25)    // writes the dump must not contain
	if err := lockTx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-dumped
	if r.err != nil {
		t.Fatalf("backup: %v", r.err)
	}
	stopWriter()
	if err := <-writerDone; err != nil {
		t.Fatalf("writer: %v", err)
	}
	if err := Verify(r.res.Path); err != nil {
		t.Fatalf("verify fresh backup: %v", err)
	}

	if err := Restore(ctx, RestoreOptions{File: r.res.Path, Database: dst}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	restored := connect(t, ctx, dst)
	var k int64
	if err := restored.QueryRow(ctx, `SELECT writes FROM totals WHERE name = 'writes'`).Scan(&k); err != nil {
		t.Fatalf("restored totals: %v", err)
	}
	if k < before || k > atSnapshot {
		t.Fatalf("restored snapshot holds %d writes; want between %d (committed before the dump) and %d (committed when it was blocked)", k, before, atSnapshot)
	}
	t.Logf("writes: %d before dump, %d at snapshot, %d in restore, %d in source", before, atSnapshot, k, committed.Load())

	const all = int64(1) << 62
	got := readState(t, ctx, restored, all)
	got.Writes = k
	// The source, read now, restricted to the first seed+k rows, is the
	// state the dump must have captured.
	want := readState(t, ctx, admin, seedRows+k)
	want.Writes = k
	if want.Items != seedRows+k || want.Ledger != k {
		t.Fatalf("source prefix not contiguous: %+v", want)
	}
	if got != want {
		t.Fatalf("restored state differs from the snapshot:\n got %+v\nwant %+v", got, want)
	}
	if srcNow := readState(t, ctx, admin, all); srcNow.Items <= got.Items {
		t.Fatalf("source has %d rows, restore %d: the writes during the dump were not exercised", srcNow.Items, got.Items)
	}
}

// waitForDumpBlocked polls until pg_dump (an external process) waits on the
// lock the test holds.
func waitForDumpBlocked(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = 'pg_dump' AND datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err != nil {
			t.Fatalf("poll pg_stat_activity: %v", err)
		}
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("pg_dump never reached the locked table")
}

func TestRestoreRefusesChecksumMismatch(t *testing.T) {
	ctx := context.Background()
	src := testenv.NewPostgresDB(t)
	dst := testenv.NewPostgresDB(t)
	if _, err := connect(t, ctx, src).Exec(ctx, `CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);`); err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, Options{Database: src, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	raw, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(res.Path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	err = Restore(ctx, RestoreOptions{File: res.Path, Database: dst})
	if !errors.Is(err, ErrChecksumMismatch) || errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("restore of a corrupted backup: %v, want checksum mismatch", err)
	}
	var n int
	if err := connect(t, ctx, dst).QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("target got %d tables from a refused restore", n)
	}
}

func TestBackupFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	url := testenv.NewPostgresDB(t) + "_missing"
	dir := t.TempDir()
	if _, err := Run(ctx, Options{Database: url, Dir: dir}); err == nil {
		t.Fatal("backup of a missing database succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("failed backup left %v", entries)
	}
}

func TestRestoreIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	src := testenv.NewPostgresDB(t)
	dst := testenv.NewPostgresDB(t)
	if _, err := connect(t, ctx, src).Exec(ctx, `CREATE TABLE a (id int); CREATE TABLE b (id int); INSERT INTO a VALUES (1);`); err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, Options{Database: src, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// b already exists in the target: the restore must fail and leave a out too.
	target := connect(t, ctx, dst)
	if _, err := target.Exec(ctx, `CREATE TABLE b (id int)`); err != nil {
		t.Fatal(err)
	}
	if err := Restore(ctx, RestoreOptions{File: res.Path, Database: dst}); err == nil {
		t.Fatal("restore over a conflicting table succeeded")
	}
	var n int
	if err := target.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'a'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("failed restore left table a behind")
	}
	// With Clean the same restore replaces the conflicting objects.
	if err := Restore(ctx, RestoreOptions{File: res.Path, Database: dst, Clean: true}); err != nil {
		t.Fatalf("clean restore: %v", err)
	}
	if err := target.QueryRow(ctx, `SELECT count(*) FROM a`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("clean restore: a has %d rows (%v)", n, err)
	}
}
