package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

func runHealthcheck(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "healthcheck", "healthcheck [--url URL] [--timeout 3s]", func(w io.Writer) {
		fmt.Fprintln(w, "  PARLEY_ADDR  the server's listen address; its port (and host, unless a wildcard) is probed")
	})
	url := fs.String("url", "", "readiness URL to probe (default http://127.0.0.1:<port of PARLEY_ADDR>/readyz)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	target := *url
	if target == "" {
		addr, ok := e.lookup("PARLEY_ADDR")
		if !ok || addr == "" {
			addr = ":8080"
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("PARLEY_ADDR %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		target = "http://" + net.JoinHostPort(host, port) + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s answered %d", target, res.StatusCode)
	}
	fmt.Fprintln(e.stdout, "ready")
	return nil
}
