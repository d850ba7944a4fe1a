package httprec

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecorder(t *testing.T) {
	for _, tc := range []struct {
		name       string
		handler    func(w http.ResponseWriter)
		wantStatus int
		wantBytes  int64
	}{
		{"nothing written", func(http.ResponseWriter) {}, 0, 0},
		{"implicit 200", func(w http.ResponseWriter) { _, _ = w.Write([]byte("hello")) }, 200, 5},
		{"explicit status kept", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusTeapot)
			w.WriteHeader(http.StatusOK) // superfluous: the first one counts
			_, _ = w.Write([]byte("abc"))
		}, http.StatusTeapot, 3},
		{"flush before body", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }, 200, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := Wrap(rec)
			tc.handler(w)
			if w.Status() != tc.wantStatus || w.Bytes() != tc.wantBytes {
				t.Errorf("status %d bytes %d, want %d %d", w.Status(), w.Bytes(), tc.wantStatus, tc.wantBytes)
			}
		})
	}
}

// TestWrapShares: stacked middlewares get one recorder, and what the inner
// one writes is what the outer one reads.
func TestWrapShares(t *testing.T) {
	outer := Wrap(httptest.NewRecorder())
	inner := Wrap(outer)
	if inner != outer {
		t.Fatal("Wrap of a *Recorder made a second wrapper")
	}
	inner.WriteHeader(http.StatusNotFound)
	if outer.Status() != http.StatusNotFound {
		t.Errorf("outer status %d", outer.Status())
	}
	if err := http.NewResponseController(outer).Flush(); err != nil {
		t.Errorf("ResponseController cannot flush through the recorder: %v", err)
	}
}
