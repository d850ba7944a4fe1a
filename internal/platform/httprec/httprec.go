// Package httprec records the status and size of an HTTP response for the
// middlewares that log, measure, audit and report it, with one wrapper per
// request however many of them ask.
package httprec

import (
	"bufio"
	"net"
	"net/http"
)

// Recorder is an http.ResponseWriter that remembers the status code and the
// bytes written. Flush, Hijack and Unwrap stay reachable, so event streams
// and http.ResponseController work through it.
type Recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// Wrap returns w itself when it already is a *Recorder, so stacked
// middlewares share one; otherwise a new Recorder around w.
func Wrap(w http.ResponseWriter) *Recorder {
	if r, ok := w.(*Recorder); ok {
		return r
	}
	return &Recorder{ResponseWriter: w}
}

// Status is the status code sent, 200 once a body was written without an
// explicit one, and 0 while nothing was written.
func (w *Recorder) Status() int { return w.status }

// Bytes is the size of the body written so far.
func (w *Recorder) Bytes() int64 { return w.bytes }

// WriteHeader records the first status code and sends it.
func (w *Recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and the size written.
func (w *Recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush implements http.Flusher for callers that type-assert it.
func (w *Recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker when the underlying writer does.
func (w *Recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *Recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var (
	_ http.Flusher  = (*Recorder)(nil)
	_ http.Hijacker = (*Recorder)(nil)
)
