// Package pgreplica starts a throwaway PostgreSQL primary and a streaming
// standby of it (pg_basebackup -R -X stream -S slot) for tests of read-replica
// behaviour. Both run from temporary directories on free 127.0.0.1 ports and
// are stopped and removed when the test ends, whether it passed or not.
package pgreplica

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// waitTimeout bounds every wait on the servers (start, stop, replay).
const waitTimeout = 60 * time.Second

// dirPrefix names the temporary directories, so a later run can find the
// leftovers of a test binary that was killed before its cleanup ran.
const dirPrefix = "parley-pgreplica-"

// Pair is a running primary and its streaming standby.
type Pair struct {
	// PrimaryURL reaches the primary's "postgres" database as superuser.
	PrimaryURL string
	// StandbyURL reaches the same database on the hot standby (read-only).
	StandbyURL string

	bin         string
	dir         string
	primaryData string
	standbyData string
	standbyPort int
	cred        *syscall.Credential
}

// LSN is a write-ahead log position as PostgreSQL prints it ("0/3000148").
type LSN string

// Start initialises a primary (wal_level=replica, a replication line in
// pg_hba.conf, a physical replication slot), clones it with pg_basebackup into
// a hot standby, starts both with pg_ctl -w and waits until the standby
// streams. Run as root, the servers run as the postgres OS user.
func Start(t testing.TB) *Pair {
	t.Helper()
	p := &Pair{bin: binDir(t)}
	if os.Geteuid() == 0 {
		p.cred = postgresUser(t)
	}
	sweep(p)
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		t.Fatalf("pgreplica: %v", err)
	}
	p.dir = dir
	t.Cleanup(func() { p.destroy(t) })
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		t.Fatalf("pgreplica: %v", err)
	}
	if p.cred != nil {
		if err := os.Chown(dir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			t.Fatalf("pgreplica: chown %s: %v", dir, err)
		}
	}
	p.primaryData = filepath.Join(dir, "primary")
	p.standbyData = filepath.Join(dir, "standby")

	p.run(t, "initdb", "-D", p.primaryData, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions")
	appendFile(t, filepath.Join(p.primaryData, "postgresql.conf"), strings.Join([]string{
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = ''", // TCP only: no socket path to own
		"wal_level = replica",
		"max_wal_senders = 4",
		"max_replication_slots = 4",
		"hot_standby = on",
		"fsync = off", // throwaway data: no durability needed, much faster
		"full_page_writes = off",
		""}, "\n"))
	appendFile(t, filepath.Join(p.primaryData, "pg_hba.conf"),
		"host replication postgres 127.0.0.1/32 trust\n")
	primaryPort := p.startOnFreePort(t, p.primaryData)

	p.PrimaryURL = url(primaryPort)
	p.exec(t, p.PrimaryURL, `SELECT pg_create_physical_replication_slot('standby')`)
	p.run(t, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primaryPort), "-U", "postgres",
		"-D", p.standbyData, "-R", "-X", "stream", "-S", "standby", "--checkpoint=fast", "--no-sync")
	p.standbyPort = p.startOnFreePort(t, p.standbyData)
	p.StandbyURL = url(p.standbyPort)
	p.waitFor(t, p.PrimaryURL, "the standby to stream",
		`SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming')`)
	return p
}

// CurrentLSN is the primary's pg_current_wal_lsn(): capture it after a
// write, then WaitReplayed for the standby to have applied that write.
func (p *Pair) CurrentLSN(t testing.TB) LSN {
	t.Helper()
	var lsn string
	p.query(t, p.PrimaryURL, `SELECT pg_current_wal_lsn()::text`, &lsn)
	return LSN(lsn)
}

// WaitReplayed polls until the standby's pg_last_wal_replay_lsn() reaches
// lsn: everything committed before lsn is then visible on the standby.
func (p *Pair) WaitReplayed(t testing.TB, lsn LSN) {
	t.Helper()
	p.waitFor(t, p.StandbyURL, "replay to reach "+string(lsn),
		`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, string(lsn))
}

// WaitReceived polls until the standby has received (not necessarily
// replayed) the WAL up to lsn.
func (p *Pair) WaitReceived(t testing.TB, lsn LSN) {
	t.Helper()
	p.waitFor(t, p.StandbyURL, "receipt of "+string(lsn),
		`SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn`, string(lsn))
}

// PauseReplay stops the standby from applying WAL (pg_wal_replay_pause):
// it still receives WAL, but its data stays as it is until ResumeReplay.
func (p *Pair) PauseReplay(t testing.TB) {
	t.Helper()
	// Once requested, the startup process checks the flag before applying
	// each record, so no later record is applied even while the state
	// still reads "pause requested" (nothing to replay yet).
	p.exec(t, p.StandbyURL, `SELECT pg_wal_replay_pause()`)
}

// ResumeReplay lets the standby apply WAL again.
func (p *Pair) ResumeReplay(t testing.TB) {
	t.Helper()
	p.exec(t, p.StandbyURL, `SELECT pg_wal_replay_resume()`)
}

// StopStandby shuts the standby down (fast mode: sessions are ended).
func (p *Pair) StopStandby(t testing.TB) {
	t.Helper()
	p.stop(t, p.standbyData)
}

// StartStandby starts the standby again on its port; it resumes streaming
// from its replication slot.
func (p *Pair) StartStandby(t testing.TB) {
	t.Helper()
	if err := p.start(p.standbyData, p.standbyPort); err != nil {
		t.Fatalf("pgreplica: %v", err)
	}
}

// destroy stops whatever runs and removes the directory; it only logs, so
// every step is tried.
func (p *Pair) destroy(t testing.TB) {
	for _, data := range []string{p.standbyData, p.primaryData} {
		if err := p.stopIfRunning(data); err != nil {
			t.Logf("pgreplica: stop %s: %v", data, err)
		}
	}
	if err := os.RemoveAll(p.dir); err != nil {
		t.Logf("pgreplica: remove %s: %v", p.dir, err)
	}
}

// stopIfRunning stops the server of data in immediate mode (its data is
// thrown away next) when it has a postmaster.pid.
func (p *Pair) stopIfRunning(data string) error {
	if data == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err != nil {
		return nil
	}
	out, err := p.command(filepath.Join(p.bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

// startOnFreePort starts the server of data on a free port and returns it,
// picking another port if a process took the one chosen in the meantime.
func (p *Pair) startOnFreePort(t testing.TB, data string) int {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		err := p.start(data, port)
		if err == nil {
			return port
		}
		if attempt == 3 || !strings.Contains(err.Error(), "could not create any TCP/IP sockets") {
			t.Fatalf("pgreplica: %v", err)
		}
	}
}

// start starts the server of data on port and waits until it accepts
// connections; the error carries the end of the server's log.
func (p *Pair) start(data string, port int) error {
	log := data + ".log"
	out, err := p.command(filepath.Join(p.bin, "pg_ctl"), "-D", data, "-w", "-t", strconv.Itoa(int(waitTimeout.Seconds())),
		"-l", log, "-o", "-p "+strconv.Itoa(port), "start").CombinedOutput()
	if err != nil {
		logText, _ := os.ReadFile(log)
		return fmt.Errorf("pg_ctl start %s: %w\n%s\nserver log:\n%s", filepath.Base(data), err, out, tail(logText))
	}
	return nil
}

// stop shuts the server of data down in fast mode and waits until done.
func (p *Pair) stop(t testing.TB, data string) {
	t.Helper()
	out, err := p.command(filepath.Join(p.bin, "pg_ctl"), "-D", data, "-w", "-t",
		strconv.Itoa(int(waitTimeout.Seconds())), "-m", "fast", "stop").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(data + ".log")
		t.Fatalf("pgreplica: pg_ctl stop %s: %v\n%s\nserver log:\n%s", filepath.Base(data), err, out, tail(log))
	}
}

// run runs a PostgreSQL program from the server's bin directory.
func (p *Pair) run(t testing.TB, prog string, args ...string) {
	t.Helper()
	if out, err := p.command(filepath.Join(p.bin, prog), args...).CombinedOutput(); err != nil {
		t.Fatalf("pgreplica: %s: %v\n%s", prog, err, out)
	}
}

// command prepares prog to run as the postgres OS user (when root) in the
// pair's directory, without the caller's PG* variables.
func (p *Pair) command(prog string, args ...string) *exec.Cmd {
	cmd := exec.Command(prog, args...)
	cmd.Dir = p.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func (p *Pair) exec(t testing.TB, dsn, sql string) {
	t.Helper()
	var ignored any
	p.query(t, dsn, sql, &ignored)
}

func (p *Pair) query(t testing.TB, dsn, sql string, dst any, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgreplica: connect: %v", err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql, args...).Scan(dst); err != nil {
		t.Fatalf("pgreplica: %s: %v", sql, err)
	}
}

// waitFor polls cond (a query answering one boolean) on dsn until it is
// true: the servers are separate processes with nothing to subscribe to.
func (p *Pair) waitFor(t testing.TB, dsn, what, cond string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgreplica: connect: %v", err)
	}
	defer conn.Close(context.Background())
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		var ok bool
		if err := conn.QueryRow(ctx, cond, args...).Scan(&ok); err != nil {
			t.Fatalf("pgreplica: waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("pgreplica: %s: gave up waiting for %s", ctx.Err(), what)
		case <-tick.C:
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgreplica: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func appendFile(t testing.TB, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatalf("pgreplica: %v", err)
	}
}

func url(port int) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// tail keeps the last lines of a server log for a failure message.
func tail(b []byte) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
