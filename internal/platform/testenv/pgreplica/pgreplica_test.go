package pgreplica_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/platform/testenv/pgreplica"
)

// A row written on the primary reaches the standby once replayed, the
// standby refuses writes, and nothing of the pair is left after cleanup.
func TestPairStreams(t *testing.T) {
	var dir string
	t.Run("Pair", func(t *testing.T) {
		p := pgreplica.Start(t)
		dir = findDir(t, p)
		exec(t, p.PrimaryURL, `CREATE TABLE notes (body text); INSERT INTO notes VALUES ('hello')`)
		p.WaitReplayed(t, p.CurrentLSN(t))
		if got := count(t, p.StandbyURL); got != 1 {
			t.Fatalf("standby has %d notes after replay, want 1", got)
		}

		p.PauseReplay(t)
		exec(t, p.PrimaryURL, `INSERT INTO notes VALUES ('second')`)
		lsn := p.CurrentLSN(t)
		p.WaitReceived(t, lsn)
		if got := count(t, p.StandbyURL); got != 1 {
			t.Fatalf("standby has %d notes with replay paused, want still 1", got)
		}
		p.ResumeReplay(t)
		p.WaitReplayed(t, lsn)
		if got := count(t, p.StandbyURL); got != 2 {
			t.Fatalf("standby has %d notes after resume, want 2", got)
		}

		err := execErr(t, p.StandbyURL, `INSERT INTO notes VALUES ('nope')`)
		if err == nil || !strings.Contains(err.Error(), "read-only transaction") {
			t.Fatalf("insert on the standby: %v; want a read-only refusal", err)
		}

		p.StopStandby(t)
		if _, err := pgx.Connect(t.Context(), p.StandbyURL); err == nil {
			t.Fatal("standby still answers after StopStandby")
		}
		exec(t, p.PrimaryURL, `INSERT INTO notes VALUES ('while down')`)
		lsn = p.CurrentLSN(t)
		p.StartStandby(t)
		p.WaitReplayed(t, lsn) // the slot kept the WAL it missed
		if got := count(t, p.StandbyURL); got != 3 {
			t.Fatalf("standby has %d notes after restart, want 3", got)
		}
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s still exists after cleanup (%v)", dir, err)
	}
}

// findDir is the pair's temporary directory, found as the one whose
// standby answers on the pair's port.
func findDir(t *testing.T, p *pgreplica.Pair) string {
	t.Helper()
	var dir string
	conn, err := pgx.Connect(t.Context(), p.PrimaryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if err := conn.QueryRow(t.Context(), `SELECT current_setting('data_directory')`).Scan(&dir); err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(dir)
}

func count(t *testing.T, url string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM notes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func exec(t *testing.T, url, sql string) {
	t.Helper()
	if err := execErr(t, url, sql); err != nil {
		t.Fatal(err)
	}
}

func execErr(t *testing.T, url, sql string) error {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	_, err = conn.Exec(t.Context(), sql)
	return err
}
