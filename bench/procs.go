package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
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

func (e *env) start(ctx context.Context) error {
	for _, b := range []string{"parley", "groqmock"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(e.dir, b), "./cmd/"+b)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", b, err)
		}
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

func waitHTTP(ctx context.Context, u, key, caFile string) error {
	client := http.DefaultClient
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := client.Do(req)
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
	// A heap profile with gc=1 runs a full collection first, so what follows
	// counts live memory, not garbage waiting for the next cycle.
	gc, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(metricsURL, "/metrics")+"/debug/pprof/heap?gc=1", nil)
	gresp, err := http.DefaultClient.Do(gc)
	if err != nil {
		return 0, 0, err
	}
	gresp.Body.Close()
	if gresp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("force GC: %s", gresp.Status)
	}
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

// writeCert makes a self-signed certificate for 127.0.0.1 in dir.
func writeCert(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "cert.pem")); err == nil {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "parley bench"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// fetchTo saves the body of GET u to path.
func fetchTo(ctx context.Context, u, path string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
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
