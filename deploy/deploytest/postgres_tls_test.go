package deploytest

import (
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/backup"
)

// pgServer is a throwaway PostgreSQL started from the real binaries with the
// Compose stack's TLS settings and pg_hba.conf.
type pgServer struct {
	port    int
	dir     string
	secrets map[string]string // secret name → value (trimmed)
	certDir string            // where the secret files are "mounted"
}

// runAs runs cmd as the postgres system user when the test runs as root
// (PostgreSQL refuses to run as root), else as the current user.
func runAs(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("running as root needs the postgres system user: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
}

func pgBin(t *testing.T, name string) string {
	t.Helper()
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Strings(matches)
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("PostgreSQL server binaries are required (%s): %v", name, err)
	}
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startComposePostgres generates the secrets with gen-secrets.sh, then starts
// PostgreSQL with the -c settings of the Compose postgres command.
func startComposePostgres(t *testing.T) *pgServer {
	t.Helper()
	dir, err := os.MkdirTemp("", "parley-pgtls-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &pgServer{port: freePort(t), dir: dir, secrets: map[string]string{}, certDir: filepath.Join(dir, "run-secrets")}

	gen := filepath.Join(dir, "generated")
	if out, err := exec.Command("bash", filepath.Join(repoRoot, "deploy/compose/gen-secrets.sh"), gen).CombinedOutput(); err != nil {
		t.Fatalf("gen-secrets.sh: %v\n%s", err, out)
	}
	// Docker bind-mounts each secret file (0644) at /run/secrets/<name>.
	if err := os.MkdirAll(s.certDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"postgres_password", "postgres_tls_cert", "postgres_tls_key", "database_url"} {
		raw, err := os.ReadFile(filepath.Join(gen, name))
		if err != nil {
			t.Fatal(err)
		}
		s.secrets[name] = strings.TrimSpace(string(raw))
		if err := os.WriteFile(filepath.Join(s.certDir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runDir := filepath.Join(dir, "run")
	data := filepath.Join(dir, "data")
	for _, d := range []string{runDir, data} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(s.secrets["postgres_password"]), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, _ := user.Lookup("postgres")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, d := range []string{runDir, data} {
			if err := os.Chown(d, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}

	// What the image's entrypoint does on first start (POSTGRES_USER=parley,
	// POSTGRES_DB=parley, POSTGRES_INITDB_ARGS).
	initdb := exec.Command(pgBin(t, "initdb"), "-D", data, "-U", "parley", "--pwfile="+pwfile,
		"--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8")
	runAs(t, initdb)
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}

	// The postgres service's command, with container paths mapped here.
	pgSvc := project(t).Services["postgres"]
	if !slices.ContainsFunc(pgSvc.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Target == "/etc/postgresql/pg_hba.conf" && v.ReadOnly && strings.HasSuffix(v.Source, "deploy/postgres/pg_hba.conf")
	}) {
		t.Fatal("postgres does not mount deploy/postgres/pg_hba.conf read-only")
	}
	command := pgSvc.Command
	if len(command) != 3 || command[0] != "sh" || command[1] != "-c" {
		t.Fatalf("postgres command %q: want sh -c SCRIPT", command)
	}
	cmdline := command[2]
	// The server user may not see into the checkout: it reads a copy of pg_hba.conf.
	hba, err := os.ReadFile(filepath.Join(repoRoot, "deploy/postgres/pg_hba.conf"))
	if err != nil {
		t.Fatal(err)
	}
	hbaCopy := filepath.Join(dir, "pg_hba.conf")
	if err := os.WriteFile(hbaCopy, hba, 0o644); err != nil {
		t.Fatal(err)
	}
	paths := strings.NewReplacer("/run/secrets/", s.certDir+"/", "/var/run/postgresql/", runDir+"/",
		"/etc/postgresql/pg_hba.conf", hbaCopy)
	install := regexp.MustCompile(`install -m 0600 (\S+) (\S+)`).FindStringSubmatch(cmdline)
	if install == nil {
		t.Fatalf("postgres command no longer installs its key privately: %s", cmdline)
	}
	cp := exec.Command("install", "-m", "0600", paths.Replace(install[1]), paths.Replace(install[2]))
	runAs(t, cp)
	if out, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("install key: %v\n%s", err, out)
	}
	args := []string{"-D", data, "-c", "listen_addresses=127.0.0.1", "-c", "port=" + strconv.Itoa(s.port),
		"-c", "unix_socket_directories=" + runDir}
	settings := regexp.MustCompile(`-c (\S+)`).FindAllStringSubmatch(cmdline, -1)
	for _, m := range settings {
		args = append(args, "-c", paths.Replace(m[1]))
	}
	if !slices.Contains(args, "ssl=on") {
		t.Fatalf("postgres command does not turn TLS on: %s", cmdline)
	}
	srv := exec.Command(pgBin(t, "postgres"), args...)
	runAs(t, srv)
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = srv.Process.Kill()
		}
	})
	// Poll the external server until it accepts connections.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if exec.Command(pgBin(t, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(s.port)).Run() == nil {
			s.createDatabase(t)
			return s
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("postgres exited: %v\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("postgres not ready\n%s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// createDatabase does what the image's entrypoint does for POSTGRES_DB.
func (s *pgServer) createDatabase(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(s.localURL(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/postgres"
	c, err := connectLocal(ctx, u.String())
	if err != nil {
		t.Fatalf("connect to create the database: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE parley"); err != nil {
		t.Fatal(err)
	}
}

// localURL rewrites the generated database_url (host "postgres", CA at
// /run/secrets) to reach the local server while still verifying the
// certificate against the name "postgres".
func (s *pgServer) localURL(t *testing.T, mutate func(q url.Values)) string {
	t.Helper()
	u, err := url.Parse(s.secrets["database_url"])
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "postgres:" + strconv.Itoa(s.port)
	q := u.Query()
	q.Set("sslrootcert", strings.Replace(q.Get("sslrootcert"), "/run/secrets", s.certDir, 1))
	if mutate != nil {
		mutate(q)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func connectLocal(ctx context.Context, raw string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	// pgx ignores hostaddr: resolve "postgres" to the local server instead,
	// keeping it as the TLS server name.
	cfg.LookupFunc = func(ctx context.Context, host string) ([]string, error) { return []string{"127.0.0.1"}, nil }
	return pgx.ConnectConfig(ctx, cfg)
}

// TestComposePostgresTLS runs PostgreSQL with the Compose stack's settings
// and generated secrets, and checks what parley relies on: clients verify the
// server's certificate (sslmode=verify-full), plain connections and wrong
// passwords are refused, and `parley backup` works over that connection.
func TestComposePostgresTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := startComposePostgres(t)

	conn, err := connectLocal(ctx, s.localURL(t, nil))
	if err != nil {
		t.Fatalf("connect with the generated database_url: %v", err)
	}
	var ssl bool
	var version string
	if err := conn.QueryRow(ctx, `SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl, &version); err != nil || !ssl {
		t.Fatalf("connection not encrypted: ssl=%v %v", ssl, err)
	}
	if version != "TLSv1.2" && version != "TLSv1.3" {
		t.Errorf("TLS version %s", version)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	refused := []struct {
		name   string
		mutate func(q url.Values)
		raw    string
	}{
		{"without TLS", func(q url.Values) { q.Set("sslmode", "disable") }, ""},
		{"wrong password", nil, strings.Replace(s.localURL(t, nil), s.secrets["postgres_password"], "not-the-password", 1)},
	}
	for _, r := range refused {
		raw := r.raw
		if raw == "" {
			raw = s.localURL(t, r.mutate)
		}
		if c, err := connectLocal(ctx, raw); err == nil {
			c.Close(ctx)
			t.Errorf("%s: connection accepted", r.name)
		}
	}
	// A certificate for another name fails verification.
	other := strings.Replace(s.localURL(t, nil), "@postgres:", "@db.example.test:", 1)
	if c, err := connectLocal(ctx, other); err == nil {
		c.Close(ctx)
		t.Error("verify-full accepted a certificate for another host name")
	}

	// pg_dump (libpq) over the same verified TLS connection.
	// libpq dials hostaddr and still verifies the certificate against "postgres".
	libpq := s.localURL(t, func(q url.Values) { q.Set("hostaddr", "127.0.0.1") })
	res, err := backup.Run(ctx, backup.Options{Database: libpq, Dir: filepath.Join(s.dir, "backups")})
	if err != nil {
		t.Fatalf("backup over TLS: %v", err)
	}
	if res.Size == 0 {
		t.Fatal("empty backup")
	}
}
