package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/errs"
)

// ProblemTypeBase prefixes every problem's "type" URI.
const ProblemTypeBase = "https://parley.dev/problems/"

// Problem codes that exist only at the HTTP edge (the rest are errs codes).
const (
	CodeValidation           = "validation"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeRequestTimeout       = "request_timeout"
)

// statusOf maps each error code to its HTTP status: the one table.
var statusOf = map[string]int{
	string(errs.Invalid):       http.StatusBadRequest,
	CodeValidation:             http.StatusUnprocessableEntity,
	string(errs.Unauthorized):  http.StatusUnauthorized,
	string(errs.Forbidden):     http.StatusForbidden,
	string(errs.NotFound):      http.StatusNotFound,
	CodeMethodNotAllowed:       http.StatusMethodNotAllowed,
	CodeRequestTimeout:         http.StatusRequestTimeout,
	string(errs.Conflict):      http.StatusConflict,
	string(errs.TooLarge):      http.StatusRequestEntityTooLarge,
	CodeUnsupportedMediaType:   http.StatusUnsupportedMediaType,
	string(errs.RateLimited):   http.StatusTooManyRequests,
	string(errs.QuotaExceeded): http.StatusTooManyRequests,
	string(errs.Internal):      http.StatusInternalServerError,
	string(errs.Upstream):      http.StatusBadGateway,
	string(errs.Unavailable):   http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status for a problem code (500 when unknown).
func StatusOf(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem document as parley sends it.
type Problem struct {
	Type       string       `json:"type"`
	Title      string       `json:"title"`
	Status     int          `json:"status"`
	Detail     string       `json:"detail,omitempty"`
	Code       string       `json:"code"`
	RequestID  string       `json:"request_id,omitempty"`
	ErrorID    string       `json:"error_id,omitempty"`
	Errors     []FieldError `json:"errors,omitempty"`
	RetryAfter int          `json:"retry_after,omitempty"`
}

// FieldError names one input field at fault.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// httpError is an error known only to the HTTP layer (405, 408, 415).
type httpError struct {
	code string
	msg  string
}

func (e *httpError) Error() string { return e.code + ": " + e.msg }

// ProblemFor converts err into the problem sent to the client. Uncoded
// errors become a 500 with a fresh error id and no internal text; the
// second result tells the caller to log err with that id.
func ProblemFor(r *http.Request, err error) (p Problem, unexpected bool) {
	p.RequestID = RequestID(r.Context())
	var he *httpError
	if errors.As(err, &he) {
		p.Code, p.Detail = he.code, he.msg
	} else if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		p.Code, p.Detail = string(e.Code), e.Message
		if e.Code == errs.Invalid && len(e.Fields) > 0 {
			p.Code = CodeValidation
		}
		for f, m := range e.Fields {
			p.Errors = append(p.Errors, FieldError{Field: f, Message: m})
		}
		sort.Slice(p.Errors, func(i, j int) bool { return p.Errors[i].Field < p.Errors[j].Field })
		p.RetryAfter = e.RetryAfterSeconds
	} else {
		p.Code = string(errs.Internal)
		p.ErrorID = uuid.NewString()
		p.Detail = "an unexpected error occurred; quote error id " + p.ErrorID + " when reporting it"
		unexpected = true
	}
	p.Status = StatusOf(p.Code)
	p.Type = ProblemTypeBase + p.Code
	p.Title = http.StatusText(p.Status)
	return p, unexpected
}

// WriteProblem answers err as application/problem+json. An uncoded error
// is logged once here with the error id the client sees. A request whose
// client has gone away gets no answer and no error log.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	info := infoFrom(r.Context())
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		if info != nil {
			info.clientGone = true
		}
		w.WriteHeader(statusClientClosed)
		return
	}
	p, unexpected := ProblemFor(r, err)
	if unexpected {
		logger(r).ErrorContext(r.Context(), "unexpected error", "error_id", p.ErrorID, "err", err.Error())
		if info != nil {
			info.errorID = p.ErrorID
		}
	}
	writeProblemDoc(w, p)
}

func writeProblemDoc(w http.ResponseWriter, p Problem) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if p.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="parley"`)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// statusClientClosed records requests abandoned by the client (nginx's 499).
const statusClientClosed = 499
