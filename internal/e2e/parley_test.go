package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/platform/testkit"
)

// The parley binary, built once for the package's tests.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func parleyBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "parley-e2e-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "parley")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/parley-chat/parley/cmd/parley")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build cmd/parley: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// parleyProc is a running parley serve process.
type parleyProc struct {
	URL, MetricsAddr, DataDir string
	Output                    *testkit.Buffer
	cmd                       *exec.Cmd
	exited                    chan struct{}
	exitErr                   error
}

// startParley runs `parley serve` on free 127.0.0.1 ports with env added to
// a minimal configuration, and waits until /healthz answers.
func startParley(t *testing.T, env map[string]string) *parleyProc {
	t.Helper()
	bin := parleyBinary(t)
	p := &parleyProc{DataDir: t.TempDir(), Output: &testkit.Buffer{}, exited: make(chan struct{})}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p.MetricsAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p.URL = "http://" + addr
	base := map[string]string{
		"PARLEY_ADDR":         addr,
		"PARLEY_METRICS_ADDR": p.MetricsAddr,
		"PARLEY_DATA_DIR":     p.DataDir,
		"PARLEY_JWT_SECRET":   "edgetest-jwt-secret-0123456789abcdef-0123",
		"PARLEY_LOG_FORMAT":   "json",
		"PARLEY_LOG_LEVEL":    "debug",
	}
	for k, v := range env {
		base[k] = v
	}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + p.DataDir}
	for k, v := range base {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.Output, p.Output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exitErr = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("parley output:\n%s", p.Output.String())
		}
	})
	// Wait for the external process to listen (polling with a deadline).
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(p.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("parley exited at start: %v", p.exitErr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("parley did not answer /healthz within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// terminate sends SIGTERM.
func (p *parleyProc) terminate(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}

// wait returns the exit error once the process ended (bounded by ctx).
func (p *parleyProc) wait(ctx context.Context) (error, bool) {
	select {
	case <-p.exited:
		return p.exitErr, true
	case <-ctx.Done():
		return nil, false
	}
}

// grepSecrets returns the secrets that appear in text.
func grepSecrets(text string, secrets map[string]string) []string {
	var found []string
	for name, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			found = append(found, name)
		}
	}
	return found
}
