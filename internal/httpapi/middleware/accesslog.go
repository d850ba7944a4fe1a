package middleware

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/httprec"
)

// AccessLog writes one line per request, after its answer ended, with its
// route, status, size, duration, client address, user and error id.
func AccessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := httprec.Wrap(w)
		next.ServeHTTP(sw, r)
		rec := record(r)
		status := sw.Status()
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", rec.Route), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Int64("bytes", sw.Bytes()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("client_ip", rec.ClientIP),
		}
		if rec.UserID != "" {
			attrs = append(attrs, slog.String("user_id", rec.UserID))
		}
		if rec.ErrorID != "" {
			attrs = append(attrs, slog.String("error_id", rec.ErrorID))
		}
		level := slog.LevelInfo
		if status >= 500 && status != problem.StatusClientClosed {
			level = slog.LevelError
		}
		rec.Log.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}
