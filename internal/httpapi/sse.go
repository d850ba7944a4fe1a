package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// sseWriter writes server-sent events and flushes each one. Before each
// it renews the connection's write deadline by the server's WriteTimeout:
// the stream lasts as long as events come, but a client that stops reading
// is cut once one event has waited that long (see deadline.go).
type sseWriter struct {
	w            http.ResponseWriter
	rc           *http.ResponseController
	writeTimeout time.Duration
	started      bool
}

// newSSEWriter is called once the request body has been read.
func newSSEWriter(w http.ResponseWriter, r *http.Request) *sseWriter {
	return &sseWriter{w: w, rc: http.NewResponseController(w), writeTimeout: writeTimeout(r)}
}

// begin sends the headers of an event stream.
func (s *sseWriter) begin() {
	if s.started {
		return
	}
	s.started = true
	liftReadDeadline(s.rc) // the body is in; the stream must not time out reading
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache, no-transform")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	s.w.WriteHeader(http.StatusOK)
}

// event writes one named event with v as JSON data, and flushes.
func (s *sseWriter) event(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.raw(append(append([]byte("event: "+name+"\ndata: "), data...), '\n', '\n'))
}

// data writes one unnamed event ("data: …"), and flushes. JSON spread
// over lines is compacted first: a line break would end the data field.
func (s *sseWriter) data(b []byte) error {
	if bytes.ContainsAny(b, "\r\n") {
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return err
		}
		b = c.Bytes()
	}
	return s.raw(append(append([]byte("data: "), b...), '\n', '\n'))
}

func (s *sseWriter) raw(frame []byte) error {
	s.begin()
	renewWriteDeadline(s.rc, s.writeTimeout)
	if _, err := s.w.Write(frame); err != nil {
		return err
	}
	return s.rc.Flush()
}
