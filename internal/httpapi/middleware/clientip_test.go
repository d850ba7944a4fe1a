package middleware

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parley-chat/parley/internal/platform/reqctx"
)

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.1, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		remote string
		xff    []string
		xfp    string
		tls    bool
		want   string
		secure bool
	}{
		{name: "direct client", remote: "203.0.113.7:5555", want: "203.0.113.7"},
		{name: "untrusted peer cannot spoof", remote: "203.0.113.7:5555", xff: []string{"1.2.3.4"}, want: "203.0.113.7"},
		{name: "untrusted peer cannot claim https", remote: "203.0.113.7:5555", xfp: "https", want: "203.0.113.7"},
		{name: "trusted proxy", remote: "10.1.2.3:80", xff: []string{"198.51.100.9"}, want: "198.51.100.9"},
		{name: "client-forged left entries ignored", remote: "10.1.2.3:80", xff: []string{"1.1.1.1, 2.2.2.2, 198.51.100.9"}, want: "198.51.100.9"},
		{name: "chain of trusted proxies skipped", remote: "10.1.2.3:80", xff: []string{"198.51.100.9, 192.168.1.1", "10.9.9.9"}, want: "198.51.100.9"},
		{name: "forged trusted-looking left entry", remote: "10.1.2.3:80", xff: []string{"10.5.5.5, 198.51.100.9"}, want: "198.51.100.9"},
		{name: "all hops trusted: leftmost", remote: "10.1.2.3:80", xff: []string{"10.5.5.5, 10.6.6.6"}, want: "10.5.5.5"},
		{name: "garbage hop stops at nearest trusted", remote: "10.1.2.3:80", xff: []string{"198.51.100.9, not-an-ip"}, want: "10.1.2.3"},
		{name: "empty header from trusted proxy", remote: "10.1.2.3:80", xff: []string{""}, want: "10.1.2.3"},
		{name: "hop with port", remote: "10.1.2.3:80", xff: []string{"198.51.100.9:4711"}, want: "198.51.100.9"},
		{name: "ipv6 hop", remote: "[fd00::1]:80", xff: []string{"[2001:db8::5]:1"}, want: "2001:db8::5"},
		{name: "ipv4-mapped peer is trusted", remote: "[::ffff:10.1.2.3]:80", xff: []string{"198.51.100.9"}, want: "198.51.100.9"},
		{name: "https through trusted proxy", remote: "10.1.2.3:80", xff: []string{"198.51.100.9"}, xfp: "https", want: "198.51.100.9", secure: true},
		{name: "direct tls", remote: "203.0.113.7:5555", tls: true, want: "203.0.113.7", secure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var secure bool
			h := Record(RecordOptions{Logger: slog.Default(), TrustedProxies: trusted})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := reqctx.From(r.Context())
				got, secure = rec.ClientIP, rec.Secure
			}))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tt.xfp != "" {
				r.Header.Set("X-Forwarded-Proto", tt.xfp)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tt.want || secure != tt.secure {
				t.Errorf("client = %q secure=%v, want %q secure=%v", got, secure, tt.want, tt.secure)
			}
		})
	}
}

func TestClientIPNoTrustedProxies(t *testing.T) {
	var got string
	h := Record(RecordOptions{Logger: slog.Default()})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = reqctx.From(r.Context()).ClientIP
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:1234"
	r.Header.Set("X-Forwarded-For", "8.8.8.8")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "127.0.0.1" {
		t.Fatalf("client = %q, want the peer 127.0.0.1", got)
	}
}

func TestParseTrustedProxiesRejectsGarbage(t *testing.T) {
	if _, err := ParseTrustedProxies("10.0.0.0/8, nonsense, 300.1.1.1"); err == nil {
		t.Fatal("want an error naming the bad entries")
	} else if got := err.Error(); got != "trusted proxies: not an address or CIDR: nonsense, 300.1.1.1" {
		t.Fatalf("error = %q", got)
	}
	if p, err := ParseTrustedProxies(""); err != nil || len(p) != 0 {
		t.Fatalf("empty list: %v %v", p, err)
	}
}
