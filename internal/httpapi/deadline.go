package httpapi

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// The http.Server's ReadTimeout and WriteTimeout stop slow clients, but
// as fixed deadlines from the start of a request they would also cut a
// chat stream that outlives them, and the read deadline, still armed after
// the body is in, cancels the request when it passes. So:
//   - once a request has been read to its end (at once when it has no
//     body), the read deadline is lifted: the client has nothing more to send;
//   - an answer gets the full WriteTimeout from its first byte, not from the
//     arrival of the request (a slow upstream is bounded by its own timeout);
//   - event streams renew the write deadline before every event, so a live
//     stream runs as long as it needs while a client that stops reading is
//     cut once one write has waited WriteTimeout.

// writeTimeout is the WriteTimeout of the server serving r; 0 when none.
func writeTimeout(r *http.Request) time.Duration {
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok {
		return srv.WriteTimeout
	}
	return 0
}

// renewWriteDeadline gives the next writes d from now; d <= 0 leaves the
// deadline alone.
func renewWriteDeadline(rc *http.ResponseController, d time.Duration) {
	if d > 0 {
		_ = rc.SetWriteDeadline(time.Now().Add(d)) // ErrNotSupported: nothing to renew
	}
}

// liftReadDeadline removes the read deadline of a request whose body has
// been read, so that the server's wait for the client to hang up does not
// time out and cancel the request.
func liftReadDeadline(rc *http.ResponseController) {
	_ = rc.SetReadDeadline(time.Time{})
}

// deadlineWriter renews the write deadline when the answer starts.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	started bool
}

// withDeadlines applies the rules above to one request; it returns w and
// r unchanged when the server has no WriteTimeout.
func withDeadlines(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	rc := http.NewResponseController(w)
	if r.Body == nil || r.Body == http.NoBody {
		liftReadDeadline(rc) // the headers were the whole request
	} else {
		r.Body = &eofBody{ReadCloser: r.Body, rc: rc}
	}
	d := writeTimeout(r)
	if d <= 0 {
		return w
	}
	return &deadlineWriter{ResponseWriter: w, rc: rc, timeout: d}
}

func (w *deadlineWriter) start() {
	if !w.started {
		w.started = true
		renewWriteDeadline(w.rc, w.timeout)
	}
}

// WriteHeader implements http.ResponseWriter.
func (w *deadlineWriter) WriteHeader(code int) {
	w.start()
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// eofBody lifts the read deadline when the body has been read to its end.
type eofBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	lifted bool
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) && !b.lifted {
		b.lifted = true
		liftReadDeadline(b.rc)
	}
	return n, err
}
