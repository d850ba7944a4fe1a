package deploytest

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestComposeRedis runs the real redis-server with the Compose service's
// command and a generated password, and checks that it refuses clients
// without the password, accepts the generated redis_url, persists with AOF,
// and that the service's health check command passes.
func TestComposeRedis(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is required: %v", err)
	}
	dir := t.TempDir()
	gen := filepath.Join(dir, "secrets")
	if out, err := exec.Command("bash", filepath.Join(repoRoot, "deploy/compose/gen-secrets.sh"), gen).CombinedOutput(); err != nil {
		t.Fatalf("gen-secrets.sh: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(freePort(t))

	svc := project(t).Services["redis"]
	if len(svc.Command) != 3 || svc.Command[0] != "sh" || svc.Command[1] != "-c" {
		t.Fatalf("redis command %q: want sh -c SCRIPT", svc.Command)
	}
	paths := strings.NewReplacer("/run/secrets/", gen+"/", "/tmp/", dir+"/")
	script := paths.Replace(svc.Command[2]) + " --port " + port + " --bind 127.0.0.1 --dir " + data
	srv := exec.Command("sh", "-c", script)
	var log strings.Builder
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = srv.Process.Kill()
		}
	})
	if strings.Contains(script, "requirepass \"") || strings.Contains(strings.Join(svc.Command, " "), "--requirepass") {
		t.Fatal("the password must not be a redis-server argument (visible in the process list)")
	}

	raw, err := os.ReadFile(filepath.Join(gen, "redis_url"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "127.0.0.1:" + port
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	authed := redis.NewClient(opt)
	defer authed.Close()
	// Poll the external server until it answers.
	deadline := time.Now().Add(30 * time.Second)
	for authed.Ping(ctx).Err() != nil {
		select {
		case err := <-exited:
			t.Fatalf("redis-server exited: %v\n%s", err, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis not ready: %v\n%s", authed.Ping(ctx).Err(), log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	anon := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port})
	defer anon.Close()
	if err := anon.Set(ctx, "k", "v", 0).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Errorf("write without the password: %v, want NOAUTH", err)
	}
	if err := authed.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("write with redis_url: %v", err)
	}
	cfg, err := authed.ConfigGet(ctx, "appendonly").Result()
	if err != nil || cfg["appendonly"] != "yes" {
		t.Errorf("appendonly = %v (%v), want yes", cfg, err)
	}
	if _, err := os.Stat(filepath.Join(data, "appendonlydir")); errors.Is(err, os.ErrNotExist) {
		t.Error("no append-only file in the data directory")
	}

	// The Compose health check, pointed at this server's port.
	hc := svc.HealthCheck.Test
	if len(hc) != 2 || hc[0] != "CMD-SHELL" {
		t.Fatalf("redis health check %q: want CMD-SHELL", hc)
	}
	check := strings.Replace(paths.Replace(hc[1]), "redis-cli", "redis-cli -p "+port, 1)
	if out, err := exec.Command("sh", "-c", check).CombinedOutput(); err != nil {
		t.Errorf("health check failed on a healthy server: %v\n%s", err, out)
	}
	wrong := strings.Replace(check, filepath.Join(gen, "redis_password"), filepath.Join(gen, "jwt_secret"), 1)
	if err := exec.Command("sh", "-c", wrong).Run(); err == nil {
		t.Error("health check passes with a wrong password")
	}
}
