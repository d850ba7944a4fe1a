package metrics

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestServerExposesRegistry(t *testing.T) {
	reg := NewRegistry("v1.2.3")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(ln.Addr().String(), reg)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	res, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{`parley_build_info{version="v1.2.3"} 1`, "go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestPprofOnlyWhenAsked: profiles are served only with WithPprof, so a
// default deployment exposes nothing but /metrics on its internal port.
func TestPprofOnlyWhenAsked(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want int
	}{
		{"default", nil, http.StatusNotFound},
		{"pprof", []Option{WithPprof()}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := NewServer(ln.Addr().String(), NewRegistry("test"), tc.opts...)
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })
			res, err := http.Get("http://" + ln.Addr().String() + "/debug/pprof/heap?gc=1")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("GET /debug/pprof/heap = %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
}
