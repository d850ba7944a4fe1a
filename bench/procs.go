package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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
// for long-lived streams), a bare reverse proxy, and parley in front of each.
type env struct {
	dir         string
	procs       []*exec.Cmd
	mock        string // base URL of the instant double
	proxy       string // bare reverse proxy in front of it
	parley      parleyProc
	slowH1      parleyProc // in front of the slow double over plain HTTP/1.1
	slowH2      parleyProc // in front of the slow double over TLS (HTTP/2), as with Groq
	heapProfile string     // where to save parley's heap profile with every stream open
}

// parleyProc is one running parley.
type parleyProc struct {
	name, base, token, metrics string
	pid                        int
}

const benchKey = "gsk_bench_key_0000000000000000000000"

func startEnv(ctx context.Context) (*env, error) {
	dir, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	if err := e.start(ctx); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

// build compiles the named commands into the run's directory.
func (e *env) build(ctx context.Context, names ...string) error {
	for _, b := range names {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(e.dir, b), "./cmd/"+b)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", b, err)
		}
	}
	return nil
}

func (e *env) start(ctx context.Context) error {
	if err := e.build(ctx, "parley", "groqmock"); err != nil {
		return err
	}
	mockArgs := []string{"-org", "org_bench=" + benchKey, "-log-level", "error"}
	var err error
	if e.mock, err = e.startMock(ctx, mockArgs...); err != nil {
		return err
	}
	// The slow double keeps streams open: one token a second.
	slow, err := e.startMock(ctx, append(mockArgs, "-tps", "1")...)
	if err != nil {
		return err
	}
	if e.proxy, err = e.startProxy(ctx, e.mock, false); err != nil {
		return err
	}
	slowTLS, err := e.startProxy(ctx, slow, true)
	if err != nil {
		return err
	}
	if e.parley, err = e.startParley(ctx, "fast", e.mock); err != nil {
		return err
	}
	if e.slowH1, err = e.startParley(ctx, "HTTP/1.1 upstream", slow); err != nil {
		return err
	}
	e.slowH2, err = e.startParley(ctx, "HTTP/2 TLS upstream", slowTLS)
	return err
}

func (e *env) targets() []target {
	return []target{
		{"direct", e.mock + "/openai/v1/chat/completions", benchKey},
		{"proxy", e.proxy + "/openai/v1/chat/completions", benchKey},
		{"parley", e.parley.base + "/v1/chat/completions", e.parley.token},
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
	return base, waitHTTP(ctx, base+"/openai/v1/models", benchKey, "")
}

// startProxy runs the bare reverse proxy in a child process; with tls it
// serves HTTPS (and so HTTP/2) with a certificate made for this run.
func (e *env) startProxy(ctx context.Context, upstream string, tls bool) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	args := []string{"-serve-proxy", addr, upstream}
	base := "http://" + addr
	if tls {
		if err := writeCert(e.dir); err != nil {
			return "", err
		}
		args = append(args, filepath.Join(e.dir, "cert.pem"), filepath.Join(e.dir, "key.pem"))
		base = "https://" + addr
	}
	if _, err := e.spawn(ctx, self, os.Environ(), args...); err != nil {
		return "", err
	}
	return base, waitHTTP(ctx, base+"/openai/v1/models", benchKey, e.certFile(tls))
}

func (e *env) certFile(tls bool) string {
	if !tls {
		return ""
	}
	return filepath.Join(e.dir, "cert.pem")
}

// serveProxy is the bare reverse-proxy baseline: one hop, nothing else.
// With a certificate and key it serves TLS, where Go negotiates HTTP/2.
func serveProxy(addr, upstream string, tlsFiles ...string) {
	u, err := url.Parse(upstream)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 4096, MaxIdleConns: 4096}
	srv := &http.Server{Addr: addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	if len(tlsFiles) == 2 {
		err = srv.ListenAndServeTLS(tlsFiles[0], tlsFiles[1])
	} else {
		err = srv.ListenAndServe()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// startParley runs parley on SQLite with auth and quotas on. The per-address
// rate limiter is opened wide (one address produces all the load) and the
// per-user stream cap raised for the memory run; nothing else is relaxed.
func (e *env) startParley(ctx context.Context, name, upstream string) (parleyProc, error) {
	p := parleyProc{name: name}
	addr, err := freeAddr()
	if err != nil {
		return p, err
	}
	maddr, err := freeAddr()
	if err != nil {
		return p, err
	}
	environ := append(os.Environ(),
		"PARLEY_ADDR="+addr,
		"PARLEY_METRICS_ADDR="+maddr,
		"PARLEY_DATA_DIR="+filepath.Join(e.dir, "data-"+strings.NewReplacer("/", "", " ", "-").Replace(name)),
		"PARLEY_GROQ_API_KEYS="+benchKey,
		"PARLEY_GROQ_BASE_URL="+upstream+"/openai/v1",
		"PARLEY_LOG_LEVEL=error",
		"PARLEY_RATE_LIMIT_RPS=1000000",
		"PARLEY_RATE_LIMIT_BURST=1000000",
		"PARLEY_MAX_STREAMS_PER_USER=100000",
		"PARLEY_DAILY_TOKEN_QUOTA=1000000000000",
		"PARLEY_PPROF=true",
	)
	if strings.HasPrefix(upstream, "https://") {
		environ = append(environ, "SSL_CERT_FILE="+e.certFile(true)) // trust this run's certificate
	}
	cmd, err := e.spawn(ctx, filepath.Join(e.dir, "parley"), environ, "serve")
	if err != nil {
		return p, err
	}
	p.base, p.pid, p.metrics = "http://"+addr, cmd.Process.Pid, "http://"+maddr+"/metrics"
	if err := waitHTTP(ctx, p.base+"/readyz", "", ""); err != nil {
		return p, err
	}
	p.token, err = makeToken(ctx, p.base)
	return p, err
}
