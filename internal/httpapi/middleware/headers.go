package middleware

import (
	"net/http"

	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// SecurityHeaders sets the headers that suit a JSON API; HSTS only when the
// caller reached parley over TLS, directly or through a trusted proxy that
// said X-Forwarded-Proto: https (a plain-HTTP answer must not carry it).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		secure := r.TLS != nil
		if rec := reqctx.From(r.Context()); rec != nil {
			secure = rec.Secure
		}
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
