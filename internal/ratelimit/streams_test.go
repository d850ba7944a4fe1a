package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestStreamLimit(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	streams := NewStreams(2, m)
	entered := make(chan struct{})
	finish := make(chan struct{})
	h := StreamLimit(StreamLimitOptions{Streams: streams, Keys: func(r *http.Request) []string { return []string{r.Header.Get("X-Test-User")} }})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			entered <- struct{}{}
			<-finish
		}))
	call := func(user string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/api/v1/conversations/x/messages", nil)
		r.Header.Set("X-Test-User", user)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	done := make(chan int, 2)
	for range 2 {
		go func() { done <- call("alice").Code }()
		<-entered
	}
	if got := testutil.ToFloat64(m.openStreams); got != 2 {
		t.Errorf("parley_http_open_streams = %v, want 2", got)
	}
	if w := call("alice"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("third stream of alice: status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	// Bob is not affected by Alice's streams.
	go func() { done <- call("bob").Code }()
	<-entered
	finish <- struct{}{}
	finish <- struct{}{}
	finish <- struct{}{}
	for range 3 {
		if c := <-done; c != http.StatusOK {
			t.Errorf("stream status %d", c)
		}
	}
	if got := testutil.ToFloat64(m.openStreams); got != 0 {
		t.Errorf("parley_http_open_streams after all closed = %v", got)
	}
	if got := testutil.ToFloat64(m.rejections.WithLabelValues(ScopeStreams)); got != 1 {
		t.Errorf("rejections{scope=streams} = %v, want 1", got)
	}
	if n := streams.Open("alice"); n != 0 {
		t.Errorf("alice still holds %d", n)
	}
}

func TestStreamsReleaseTwiceIsSafe(t *testing.T) {
	s := NewStreams(1, nil)
	release, ok := s.Acquire(t.Context(), "u")
	if !ok {
		t.Fatal("first acquire refused")
	}
	release()
	release()
	if _, ok := s.Acquire(t.Context(), "u"); !ok {
		t.Fatal("slot not given back")
	}
	if _, ok := s.Acquire(t.Context(), "u"); ok {
		t.Fatal("double release freed two slots")
	}
}
