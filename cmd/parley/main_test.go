package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

func lookupFrom(m map[string]string) config.Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// cli runs parley with args and vars, returning stdout, stderr and the error.
func cli(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut testkit.Buffer
	err := run(t.Context(), env{args: args, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, lookup: lookupFrom(vars)})
	return out.String(), errOut.String(), err
}

// server is a `parley serve` running in the test.
type server struct {
	url  string
	stop func() error
	out  *testkit.Buffer
}

func startServe(t *testing.T, vars map[string]string) *server {
	t.Helper()
	return startServeEnv(t, vars, "")
}

func startServeEnv(t *testing.T, vars map[string]string, redisPrefix string) *server {
	t.Helper()
	return startServeFull(t, env{lookup: lookupFrom(vars), redisPrefix: redisPrefix})
}

// startServeFull runs serve with e's lookup and hooks; output is captured.
func startServeFull(t *testing.T, e env) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	out := &testkit.Buffer{}
	done := make(chan error, 1)
	go func() {
		e.args, e.stdin, e.stdout, e.stderr = []string{"serve"}, strings.NewReader(""), out, out
		e.listening = func(a string) { addrc <- a }
		done <- run(ctx, e)
	}()
	s := &server{out: out}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() { _ = s.stop() })
	select {
	case a := <-addrc:
		s.url = "http://" + a
	case err := <-done:
		t.Fatalf("serve ended early: %v\n%s", err, out.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start\n%s", out.String())
	}
	return s
}

func baseVars(t *testing.T) map[string]string {
	return map[string]string{
		"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_METRICS_ADDR": "127.0.0.1:0",
		"PARLEY_DATA_DIR": filepath.Join(t.TempDir(), "data"), "PARLEY_LOG_FORMAT": "json",
	}
}

func post(t *testing.T, url, token string, body any) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func TestHelpListsEverything(t *testing.T) {
	out, _, err := cli(t, nil, "", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Vars {
		if !strings.Contains(out, v.Name) {
			t.Errorf("parley --help lacks %s", v.Name)
		}
	}
	for _, c := range commands() {
		if !strings.Contains(out, c.name) {
			t.Errorf("parley --help lacks command %s", c.name)
		}
	}
	cases := map[string][]string{
		"serve":       {"PARLEY_JWT_SECRET", "PARLEY_SIGNUP"},
		"migrate":     {"up|down|status", "PARLEY_DATABASE_URL"},
		"user create": {"-email", "-password-file", "-admin", "PARLEY_USER_PASSWORD"},
		"healthcheck": {"-url", "-timeout", "PARLEY_ADDR"},
		"version":     {"Usage"},
	}
	for cmd, wants := range cases {
		out, _, err := cli(t, nil, "", append(strings.Fields(cmd), "--help")...)
		if err != nil {
			t.Errorf("%s --help: %v", cmd, err)
		}
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s --help lacks %q:\n%s", cmd, w, out)
			}
		}
	}
	_, _, err = cli(t, nil, "", "frobnicate")
	var ue usageError
	if !errors.As(err, &ue) {
		t.Errorf("unknown command: %v", err)
	}
	if _, _, err := cli(t, nil, ""); !errors.As(err, &ue) {
		t.Errorf("no command: %v", err)
	}
}

func TestVersion(t *testing.T) {
	version = "v9.9.9-test"
	out, _, err := cli(t, nil, "", "version")
	if err != nil || !strings.HasPrefix(out, "parley v9.9.9-test") {
		t.Fatalf("version = %q, %v", out, err)
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	vars := baseVars(t)
	vars["PARLEY_SIGNUP"] = "sometimes"
	vars["PARLEY_ACCESS_TOKEN_TTL"] = "soon"
	vars["PARLEY_JWT_SECRET"] = "short"
	vars["PARLEY_GROQ_API_KEYS"] = "gsk_aaaaaaaa,sk-openai-key"
	_, _, err := cli(t, vars, "", "serve")
	if err == nil {
		t.Fatal("serve started with a bad configuration")
	}
	if strings.Contains(err.Error(), "sk-openai-key") {
		t.Errorf("the error shows a key:\n%v", err)
	}
	for _, want := range []string{"PARLEY_SIGNUP", "PARLEY_ACCESS_TOKEN_TTL", "PARLEY_JWT_SECRET", "PARLEY_GROQ_API_KEYS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s:\n%v", want, err)
		}
	}
}

// TestServeSQLite: out-of-the-box serve on SQLite; a restart keeps users
// logged in (the generated key is kept in the data dir); healthcheck.
func TestServeSQLite(t *testing.T) {
	vars := baseVars(t)
	s := startServe(t, vars)
	status, auth := post(t, s.url+"/api/v1/auth/register", "", map[string]string{"email": "op@example.com", "password": "password-1"})
	if status != 201 {
		t.Fatalf("register: %d %v", status, auth)
	}
	token := auth["access_token"].(string)
	vars["PARLEY_ADDR"] = strings.TrimPrefix(s.url, "http://")
	if _, _, err := cli(t, vars, "", "healthcheck"); err != nil {
		t.Fatalf("healthcheck on a running server: %v", err)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("serve returned %v on shutdown", err)
	}
	if !strings.Contains(s.out.String(), `"msg":"store closed"`) || strings.Contains(s.out.String(), "password-1") {
		t.Errorf("shutdown log:\n%s", s.out.String())
	}
	if _, _, err := cli(t, vars, "", "healthcheck", "--timeout", "1s"); err == nil {
		t.Error("healthcheck passed with the server stopped")
	}
	fi, err := os.Stat(filepath.Join(vars["PARLEY_DATA_DIR"], "jwt-secret"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated secret: %v %v", fi, err)
	}

	vars["PARLEY_ADDR"] = "127.0.0.1:0"
	s2 := startServe(t, vars)
	if status, me := get(t, s2.url+"/api/v1/me", token); status != 200 || me["email"] != "op@example.com" {
		t.Fatalf("after restart /me = %d %v", status, me)
	}
}

// TestMigrateAndUserOnPostgres: PARLEY_MIGRATE=off refuses a stale schema;
// migrate up/status/down; user create makes an admin who can log in.
func TestMigrateAndUserOnPostgres(t *testing.T) {
	vars := baseVars(t)
	vars["PARLEY_DATABASE_URL"] = testenv.NewPostgresDB(t)
	vars["PARLEY_MIGRATE"] = "off"
	vars["PARLEY_JWT_SECRET"] = "a-configured-secret-0123456789abcdef"

	if _, _, err := cli(t, vars, "", "serve"); err == nil || !strings.Contains(err.Error(), "migrate up") {
		t.Fatalf("serve on an empty schema with PARLEY_MIGRATE=off: %v", err)
	}
	out, _, err := cli(t, vars, "", "migrate", "status")
	if err != nil || !strings.Contains(out, "pending") {
		t.Fatalf("status before: %v\n%s", err, out)
	}
	out, _, err = cli(t, vars, "", "migrate", "up")
	if err != nil || strings.Contains(out, "pending") {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	if _, _, err := cli(t, vars, "", "migrate", "sideways"); err == nil {
		t.Error("migrate accepted an unknown direction")
	}

	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("admin-password-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = cli(t, vars, "", "user", "create", "--email", "Root@Example.com", "--name", "Root", "--admin", "--password-file", pwFile)
	if err != nil || !strings.Contains(out, "created admin root@example.com") {
		t.Fatalf("user create: %v %q", err, out)
	}
	withEnv := map[string]string{"PARLEY_USER_PASSWORD": "env-password-1"}
	for k, v := range vars {
		withEnv[k] = v
	}
	if out, _, err = cli(t, withEnv, "", "user", "create", "--email", "env@example.com"); err != nil || !strings.Contains(out, "created user") {
		t.Fatalf("user create from env: %v %q", err, out)
	}
	if out, _, err = cli(t, vars, "stdin-password-1\n", "user", "create", "--email", "stdin@example.com"); err != nil {
		t.Fatalf("user create from stdin: %v %q", err, out)
	}
	if _, _, err = cli(t, vars, "stdin-password-1\n", "user", "create", "--email", "stdin@example.com"); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate user create: %v", err)
	}
	if _, _, err = cli(t, vars, "short\n", "user", "create", "--email", "weak@example.com"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Errorf("weak password: %v", err)
	}

	s := startServe(t, vars)
	for email, pw := range map[string]string{"root@example.com": "admin-password-1", "env@example.com": "env-password-1", "stdin@example.com": "stdin-password-1"} {
		if status, body := post(t, s.url+"/api/v1/auth/login", "", map[string]string{"email": email, "password": pw}); status != 200 {
			t.Errorf("login %s: %d %v", email, status, body)
		} else if email == "root@example.com" && body["user"].(map[string]any)["role"] != "admin" {
			t.Errorf("root is not admin: %v", body["user"])
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	if _, _, err := cli(t, vars, "", "migrate", "down"); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if _, _, err := cli(t, vars, "", "serve"); err == nil {
		t.Fatal("serve started on a schema one step behind with PARLEY_MIGRATE=off")
	}
}

// TestShutdownDrains: on a signal, readiness fails while the server still
// answers, then serve ends cleanly.
func TestShutdownDrains(t *testing.T) {
	vars := baseVars(t)
	vars["PARLEY_SHUTDOWN_DRAIN"] = "2s"
	draining := make(chan struct{})
	s := startServeFull(t, env{lookup: lookupFrom(vars), draining: func() { close(draining) }})
	if status, _ := get(t, s.url+"/readyz", ""); status != 200 {
		t.Fatalf("readyz before shutdown: %d", status)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	<-draining
	if status, _ := get(t, s.url+"/readyz", ""); status != 503 {
		t.Errorf("readyz while draining: %d, want 503", status)
	}
	if status, _ := get(t, s.url+"/healthz", ""); status != 200 {
		t.Errorf("healthz while draining: %d, want 200", status)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
