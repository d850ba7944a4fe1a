// Command groqmock serves the Groq API double of internal/groqmock over HTTP,
// for offline demos (-answers demo, -tps for the speed), end-to-end tests and
// benchmarks.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"github.com/parley-chat/parley/internal/platform/httprec"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parley-chat/parley/internal/groqmock"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "groqmock:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends; ready, when not nil, receives the bound address.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	o, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(stdout, o.logLevel, o.logFormat)
	if err != nil {
		return err
	}
	mock := groqmock.New(o.mock)
	var h http.Handler = mock
	if o.logRequests {
		h = logRequests(log, mock)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	for _, org := range o.orgs {
		fps := make([]string, len(org.Keys))
		for i, k := range org.Keys {
			fps[i] = fingerprint(k)
		}
		log.Info("organisation", "org", org.ID, "keys", fps, "limits", fmt.Sprint(org.Limits))
	}
	log.Info("groqmock listening", "addr", ln.Addr().String(), "latency", o.mock.FirstTokenLatency,
		"tokens_per_second", o.mock.TokensPerSecond, "flex_capacity_exceeded", o.mock.FlexCapacityExceeded,
		"answers", o.mock.Answers, "compound", o.compound)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", o.shutdownTimeout)
	mock.Close() // hung fault requests end now
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: %w", level, err)
	}
	hopts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

// fingerprint names a key in logs: "fp_" and the first 8 hex of its SHA-256.
func fingerprint(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "fp_" + hex.EncodeToString(sum[:4])
}

// logRequests logs one line per request, naming the key only by fingerprint.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := httprec.Wrap(w)
		next.ServeHTTP(sw, r)
		key := "none"
		if k, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			key = fingerprint(strings.TrimSpace(k))
		}
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.Status(),
			"duration", time.Since(start), "key", key, "request_id", w.Header().Get("X-Request-Id"))
	})
}
