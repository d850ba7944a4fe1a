package middleware

import (
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/httprec"
)

// Recover turns a panic into a logged 500 with an error id (unless the
// answer had started). http.ErrAbortHandler passes through: it is how a
// handler asks the server to drop the connection.
func Recover(next http.Handler) http.Handler {
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
			record(r).Log.ErrorContext(r.Context(), "panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.Status() == 0 {
				problem.Write(sw, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}
