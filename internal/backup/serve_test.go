package backup

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeExposesLastSuccess(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "parley.db")
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	ticks := make(chan time.Time)
	runs := make(chan error)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	opts := Options{Database: dbPath, Dir: t.TempDir(), Keep: Retention{Daily: 1}, Now: func() time.Time { return clock }}
	go func() {
		served <- Serve(ctx, opts, ServeOptions{Listener: ln, Ticks: ticks,
			Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
			AfterRun: func(_ Result, err error) { runs <- err }})
	}()
	metrics := func() string {
		t.Helper()
		resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	expect := func(body, line string) {
		t.Helper()
		if !strings.Contains(body, line+"\n") {
			t.Errorf("metrics lack %q:\n%s", line, body)
		}
	}

	if err := <-runs; err != nil { // the first backup runs at start
		t.Fatalf("first run: %v", err)
	}
	body := metrics()
	expect(body, fmt.Sprintf("%s %g", LastSuccessMetric, float64(clock.Unix())))
	expect(body, RunsMetric+`{outcome="success"} 1`)

	// A run that fails (the same second again: a name conflict) is counted and
	// leaves the last success time alone.
	ticks <- clock
	if err := <-runs; err == nil {
		t.Fatal("conflicting run succeeded")
	}
	body = metrics()
	expect(body, RunsMetric+`{outcome="failure"} 1`)
	expect(body, fmt.Sprintf("%s %g", LastSuccessMetric, float64(clock.Unix())))

	clock = clock.Add(24 * time.Hour)
	ticks <- clock
	if err := <-runs; err != nil {
		t.Fatalf("third run: %v", err)
	}
	expect(metrics(), fmt.Sprintf("%s %g", LastSuccessMetric, float64(clock.Unix())))

	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
