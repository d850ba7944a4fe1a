package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// target is one place the load goes to: a URL, and the bearer key it needs.
type target struct {
	name string
	url  string // full chat completions URL
	key  string
}

// env is the set of processes under test: groqmock twice (instant, and slow
// for long-lived streams), a bare reverse proxy, and parley.
type env struct {
	dir            string
	procs          []*exec.Cmd
	mock, slowMock string // base URLs
	proxy          string
	parley         string
	parleySlow     string
	parleySlowPID  int
	slowMetrics    string // metrics URL of the slow parley
	token, slowTok string
}

const benchKey = "gsk_bench_key_0000000000000000000000"

func startEnv(ctx context.Context) (*env, error) {
	dir, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	for _, b := range []string{"parley", "groqmock"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, b), "./cmd/"+b)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			e.stop()
			return nil, fmt.Errorf("build %s: %w", b, err)
		}
	}
	mockArgs := []string{"-org", "org_bench=" + benchKey, "-log-level", "error"}
	if e.mock, err = e.startMock(ctx, mockArgs...); err != nil {
		e.stop()
		return nil, err
	}
	// The slow double keeps streams open: one token a second.
	if e.slowMock, err = e.startMock(ctx, append(mockArgs, "-tps", "1")...); err != nil {
		e.stop()
		return nil, err
	}
	if e.proxy, err = e.startProxy(ctx, e.mock); err != nil {
		e.stop()
		return nil, err
	}
	var pid int
	if e.parley, _, e.token, err = e.startParley(ctx, "fast", e.mock); err != nil {
		e.stop()
		return nil, err
	}
	if e.parleySlow, pid, e.slowTok, e.slowMetrics, err = e.startParleyM(ctx, "slow", e.slowMock); err != nil {
		e.stop()
		return nil, err
	}
	e.parleySlowPID = pid
	return e, nil
}

func (e *env) targets() []target {
	return []target{
		{"direct", e.mock + "/openai/v1/chat/completions", benchKey},
		{"proxy", e.proxy + "/openai/v1/chat/completions", benchKey},
		{"parley", e.parley + "/v1/chat/completions", e.token},
	}
}

func (e *env) streamTargets() []target { return e.targets() }

func (e *env) stop() {
	for i := len(e.procs) - 1; i >= 0; i-- {
		p := e.procs[i]
		if p.Process != nil {
			_ = p.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = p.Process.Kill()
			}
		}
	}
	_ = os.RemoveAll(e.dir)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (e *env) spawn(ctx context.Context, name string, environ []string, args ...string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = environ
	cmd.Stdout = nil
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e.procs = append(e.procs, cmd)
	return cmd, nil
}

func (e *env) startMock(ctx context.Context, args ...string) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	if _, err := e.spawn(ctx, filepath.Join(e.dir, "groqmock"), os.Environ(), append([]string{"-addr", addr}, args...)...); err != nil {
		return "", err
	}
	base := "http://" + addr
	return base, waitHTTP(ctx, base+"/openai/v1/models", benchKey)
}

func (e *env) startProxy(ctx context.Context, upstream string) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if _, err := e.spawn(ctx, self, os.Environ(), "-serve-proxy", addr, upstream); err != nil {
		return "", err
	}
	base := "http://" + addr
	return base, waitHTTP(ctx, base+"/openai/v1/models", benchKey)
}

// serveProxy is the bare reverse-proxy baseline: one hop, nothing else.
func serveProxy(addr, upstream string) {
	u, err := url.Parse(upstream)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 4096, MaxIdleConns: 4096}
	srv := &http.Server{Addr: addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// startParley runs parley on SQLite with auth and quotas on. The per-address
// rate limiter is opened wide (one address produces all the load) and the
// per-user stream cap raised for the memory run; nothing else is relaxed.
func (e *env) startParley(ctx context.Context, name, upstream string) (base string, pid int, token string, err error) {
	base, pid, token, _, err = e.startParleyM(ctx, name, upstream)
	return
}

func (e *env) startParleyM(ctx context.Context, name, upstream string) (base string, pid int, token, metricsURL string, err error) {
	addr, err := freeAddr()
	if err != nil {
		return "", 0, "", "", err
	}
	maddr, err := freeAddr()
	if err != nil {
		return "", 0, "", "", err
	}
	environ := append(os.Environ(),
		"PARLEY_ADDR="+addr,
		"PARLEY_METRICS_ADDR="+maddr,
		"PARLEY_DATA_DIR="+filepath.Join(e.dir, "data-"+name),
		"PARLEY_GROQ_API_KEYS="+benchKey,
		"PARLEY_GROQ_BASE_URL="+upstream+"/openai/v1",
		"PARLEY_LOG_LEVEL=error",
		"PARLEY_RATE_LIMIT_RPS=1000000",
		"PARLEY_RATE_LIMIT_BURST=1000000",
		"PARLEY_MAX_STREAMS_PER_USER=100000",
		"PARLEY_DAILY_TOKEN_QUOTA=1000000000000",
	)
	cmd, err := e.spawn(ctx, filepath.Join(e.dir, "parley"), environ, "serve")
	if err != nil {
		return "", 0, "", "", err
	}
	base = "http://" + addr
	if err := waitHTTP(ctx, base+"/readyz", ""); err != nil {
		return "", 0, "", "", err
	}
	token, err = makeToken(ctx, base)
	return base, cmd.Process.Pid, token, "http://" + maddr + "/metrics", err
}

func waitHTTP(ctx context.Context, u, key string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready: %v", u, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond): // polling a child process coming up
		}
	}
}

// makeToken registers the bench user and creates a personal API token.
func makeToken(ctx context.Context, base string) (string, error) {
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	if err := postJSON(ctx, base+"/api/v1/auth/register", "", map[string]string{
		"email": "bench@example.com", "password": "bench-password-123", "name": "bench",
	}, &auth); err != nil {
		return "", err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := postJSON(ctx, base+"/api/v1/tokens", auth.AccessToken, map[string]string{"name": "bench"}, &tok); err != nil {
		return "", err
	}
	return tok.Token, nil
}

func postJSON(ctx context.Context, u, bearer string, in, out any) error {
	b, _ := json.Marshal(in)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return fmt.Errorf("POST %s: %s: %s", u, resp.Status, strings.TrimSpace(buf.String()))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// goMemory reads the Go runtime's in-use heap plus goroutine stacks, and the
// goroutine count, from a parley metrics endpoint.
func goMemory(ctx context.Context, metricsURL string) (inuse int64, goroutines int64, err error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, perr := strconv.ParseFloat(f[1], 64)
		if perr != nil {
			continue
		}
		switch f[0] {
		case "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes":
			inuse += int64(v)
		case "go_goroutines":
			goroutines = int64(v)
		}
	}
	if inuse == 0 {
		return 0, 0, errors.New("no go_memstats in " + metricsURL)
	}
	return inuse, goroutines, nil
}

// rss reads a process's resident set size in bytes from /proc.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS")
}
