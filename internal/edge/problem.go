package edge

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/internal/errs"
)

// ErrorWriter answers a request with err as application/problem+json. The
// HTTP layer passes its own writer so edge answers look like every other
// error; DefaultErrorWriter stands in when none is given.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// statusOf maps the few codes edge emits to HTTP statuses.
var statusOf = map[errs.Code]int{
	errs.RateLimited: http.StatusTooManyRequests,
	errs.Forbidden:   http.StatusForbidden,
	errs.Internal:    http.StatusInternalServerError,
}

// DefaultErrorWriter writes the problem document of docs/ARCHITECTURE.md for
// the codes edge uses. The request id is taken from the X-Request-Id response
// header when an earlier middleware set it.
func DefaultErrorWriter(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := errs.As(err)
	if !ok {
		e = errs.E(errs.Internal, "internal error")
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := map[string]any{
		"type":   "https://parley.dev/problems/" + string(e.Code),
		"title":  http.StatusText(status),
		"status": status,
		"detail": e.Message,
		"code":   e.Code,
	}
	if id := w.Header().Get("X-Request-Id"); id != "" {
		body["request_id"] = id
	}
	if e.RetryAfterSeconds > 0 {
		body["retry_after"] = e.RetryAfterSeconds
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writerOr(ew ErrorWriter) ErrorWriter {
	if ew == nil {
		return DefaultErrorWriter
	}
	return ew
}
