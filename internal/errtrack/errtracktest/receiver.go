// Package errtracktest receives what the Sentry SDK sends, the way Sentry's
// ingest does, so tests can assert on the events that really left parley.
package errtracktest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Receiver is an http.Handler for a Sentry DSN's host: it records every
// envelope's raw text, path and event items. Safe for concurrent use.
type Receiver struct {
	mu     sync.Mutex
	raw    []string
	events []map[string]any
	paths  []string
}

// ServeHTTP reads one envelope (gzip or plain) and answers 200.
func (d *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.paths = append(d.paths, r.Method+" "+r.URL.Path)
	d.raw = append(d.raw, string(b))
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	sc.Scan() // envelope header
	for sc.Scan() {
		var item struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(sc.Bytes(), &item)
		if !sc.Scan() {
			break
		}
		if item.Type == "event" {
			var ev map[string]any
			_ = json.Unmarshal(sc.Bytes(), &ev)
			d.events = append(d.events, ev)
		}
	}
	w.WriteHeader(http.StatusOK)
}

// Snapshot returns the events received, every envelope's raw text joined by
// newlines, and the "METHOD /path" of each envelope, in arrival order.
func (d *Receiver) Snapshot() (events []map[string]any, raw string, paths []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]map[string]any(nil), d.events...), strings.Join(d.raw, "\n"), append([]string(nil), d.paths...)
}
