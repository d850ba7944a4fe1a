package httpapi

import (
	"fmt"
	"github.com/parley-chat/parley/internal/platform/httprec"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/edge"
)

// The middleware chain, outermost first (Server.Handler builds it; the
// optional Hooks slot in as documented on Hooks):
//
//	requestID → recoverer → accessLog → metrics → securityHeaders → router → (per route) body cap, auth
//
// Request id comes first so every later layer can log it; recovery sits
// outside logging so a panic is still logged and counted as a 500; auth runs
// per route because public and protected routes share one router.
type middleware func(http.Handler) http.Handler

func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// requestID starts the per-request record: a request id (the caller's
// X-Request-ID when well-formed, else a new UUIDv7), echoed in the answer,
// the client address and a logger carrying the id.
//
// The address (and whether the caller came over TLS) is edge.ClientIP's, the
// one resolver of X-Forwarded-For and X-Forwarded-Proto: believed only from
// PARLEY_TRUSTED_PROXIES.
func (s *Server) requestID(next http.Handler) http.Handler {
	resolve := edge.ClientIP(edge.ClientIPOptions{TrustedProxies: s.trustedProxies})
	return resolve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = uuid.Must(uuid.NewV7()).String()
		}
		info := &reqInfo{id: id, clientIP: edge.ClientIPFromContext(r.Context())}
		info.log = s.log.With(slog.String("request_id", id))
		if s.shuttingDown.Load() {
			// Draining: this answer ends its connection, so a client (or a
			// balancer's pool) reconnects, to a replica that is staying. Closing
			// idle connections instead would race requests already on their way.
			w.Header().Set("Connection", "close")
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(withInfo(r.Context(), info)))
	}))
}

// recoverer turns a panic into a logged 500 problem with an error id.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := httprec.Wrap(w)
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			logger(r).ErrorContext(r.Context(), "panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.Status() == 0 {
				WriteProblem(sw, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// accessLog writes one line per request with its route, status and timing.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := httprec.Wrap(w)
		next.ServeHTTP(sw, r)
		info := infoFrom(r.Context())
		status := sw.Status()
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", info.route), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Int64("bytes", sw.Bytes()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("client_ip", info.clientIP),
		}
		if info.userID != "" {
			attrs = append(attrs, slog.String("user_id", info.userID))
		}
		if info.errorID != "" {
			attrs = append(attrs, slog.String("error_id", info.errorID))
		}
		level := slog.LevelInfo
		if status >= 500 && status != statusClientClosed {
			level = slog.LevelError
		}
		info.log.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// securityHeaders sets headers that suit a JSON API; HSTS only when the
// caller reached parley over TLS, directly or through a trusted proxy that
// said X-Forwarded-Proto: https (a plain-HTTP answer must not carry it).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if edge.IsSecure(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
