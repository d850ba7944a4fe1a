package pgreplica

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// sweep stops and removes the pairs of test binaries that died before
// their cleanup (a go test timeout), found by their owner.pid.
func sweep(p *Pair) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || pid <= 0 || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue // still alive (or unreadable): not ours to touch
		}
		old := &Pair{bin: p.bin, cred: p.cred, dir: dir,
			primaryData: filepath.Join(dir, "primary"), standbyData: filepath.Join(dir, "standby")}
		if old.stopIfRunning(old.standbyData) == nil && old.stopIfRunning(old.primaryData) == nil {
			_ = os.RemoveAll(dir)
		}
	}
}

// binDir finds the server programs: PARLEY_TEST_PG_BINDIR, else the newest
// Debian /usr/lib/postgresql/N/bin, else the directory of pg_ctl on PATH.
func binDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PARLEY_TEST_PG_BINDIR"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if path, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(path)
	}
	t.Fatal("pgreplica: PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) are required: " +
		"install postgresql or set PARLEY_TEST_PG_BINDIR")
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// postgresUser is the OS user the servers run as when the test runs as
// root (initdb and postgres refuse to run as root).
func postgresUser(t testing.TB) *syscall.Credential {
	t.Helper()
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("pgreplica: running as root needs a postgres OS user to run the servers: %v", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}
