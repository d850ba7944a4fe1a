// Package problem is parley's one error writer: every layer of the HTTP
// server (handlers, middleware, rate limits, the firewall) answers an error
// through Write, which looks its errs code up in one table and answers as an
// RFC 9457 problem document, or in OpenAI's error envelope on the /v1 API.
package problem

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// TypeBase prefixes every problem's "type" URI.
const TypeBase = "https://parley.dev/problems/"

// CodeValidation is the problem code of an errs.Invalid error that names
// fields (422); on /v1 it is a 400 naming the first field as param.
const CodeValidation = "validation"

// StatusClientClosed records requests abandoned by the client (nginx's 499).
const StatusClientClosed = 499

// kind is how one code is answered: its HTTP status, and the type and code
// of OpenAI's envelope ("" is null).
type kind struct {
	status             int
	openAIType, openAI string
}

// table is the one mapping of error codes to answers.
var table = map[errs.Code]kind{
	errs.Invalid:              {http.StatusBadRequest, "invalid_request_error", ""},
	errs.Unauthorized:         {http.StatusUnauthorized, "invalid_request_error", "invalid_api_key"},
	errs.Forbidden:            {http.StatusForbidden, "invalid_request_error", "forbidden"},
	errs.NotFound:             {http.StatusNotFound, "invalid_request_error", "not_found"},
	errs.MethodNotAllowed:     {http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed"},
	errs.RequestTimeout:       {http.StatusRequestTimeout, "invalid_request_error", "request_timeout"},
	errs.Conflict:             {http.StatusConflict, "invalid_request_error", "conflict"},
	errs.TooLarge:             {http.StatusRequestEntityTooLarge, "invalid_request_error", "request_too_large"},
	errs.UnsupportedMediaType: {http.StatusUnsupportedMediaType, "invalid_request_error", "unsupported_media_type"},
	errs.RateLimited:          {http.StatusTooManyRequests, "rate_limit_error", "rate_limit_exceeded"},
	errs.QuotaExceeded:        {http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota"},
	errs.Internal:             {http.StatusInternalServerError, "server_error", "internal_error"},
	errs.Upstream:             {http.StatusBadGateway, "server_error", "upstream_error"},
	errs.Unavailable:          {http.StatusServiceUnavailable, "server_error", "service_unavailable"},
}

// StatusOf returns the HTTP status of a problem code (500 when unknown).
func StatusOf(code string) int {
	if code == CodeValidation {
		return http.StatusUnprocessableEntity
	}
	if k, ok := table[errs.Code(code)]; ok {
		return k.status
	}
	return http.StatusInternalServerError
}

// Doc is an RFC 9457 problem document as parley sends it.
type Doc struct {
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

// OpenAI is the body of every /v1 error, in OpenAI's envelope.
type OpenAI struct {
	Error OpenAIBody `json:"error"`
}

// OpenAIBody is the inside of OpenAI's error envelope.
type OpenAIBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// coded returns the client-safe error inside err. An uncoded (or Internal)
// error becomes a 500 with a fresh error id, logged here once with its cause
// and noted in the request record, so the access log line carries it too.
func coded(r *http.Request, err error) *errs.Error {
	if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		if _, known := table[e.Code]; known {
			return e
		}
	}
	id := uuid.NewString()
	reqctx.Logger(r.Context()).ErrorContext(r.Context(), "unexpected error", "error_id", id, "err", err.Error())
	if rec := reqctx.From(r.Context()); rec != nil {
		rec.ErrorID = id
	}
	return &errs.Error{Code: errs.Internal, Message: "an unexpected error occurred; quote error id " + id + " when reporting it",
		Err: errors.New(id)}
}

// For converts err into the problem document sent to the client (the data
// of a stream's error event as much as a plain answer).
func For(r *http.Request, err error) Doc {
	e := coded(r, err)
	p := Doc{Code: string(e.Code), Detail: e.Message, RequestID: reqctx.RequestID(r.Context()), RetryAfter: e.RetryAfterSeconds}
	if e.Code == errs.Internal {
		p.ErrorID = e.Err.Error()
	}
	if e.Code == errs.Invalid && len(e.Fields) > 0 {
		p.Code = CodeValidation
	}
	for _, f := range fieldNames(e) {
		p.Errors = append(p.Errors, FieldError{Field: f, Message: e.Fields[f]})
	}
	p.Status = StatusOf(p.Code)
	p.Type = TypeBase + p.Code
	p.Title = http.StatusText(p.Status)
	return p
}

// OpenAIFor converts err into OpenAI's envelope and its HTTP status.
func OpenAIFor(r *http.Request, err error) (int, OpenAI) {
	e := coded(r, err)
	k := table[e.Code]
	body := OpenAIBody{Message: e.Message, Type: k.openAIType}
	code := k.openAI
	if e.Code == errs.NotFound && e.Fields["model"] != "" {
		code = "model_not_found"
	}
	if e.Code == errs.NotFound && len(e.Fields) == 0 {
		code = "" // an unknown path, as OpenAI answers it: no code
	}
	if code != "" {
		body.Code = &code
	}
	if names := fieldNames(e); len(names) > 0 {
		p := names[0]
		body.Param = &p
		if body.Message == "validation failed" {
			body.Message = p + " " + e.Fields[p]
		}
	}
	return k.status, OpenAI{body}
}

func fieldNames(e *errs.Error) []string {
	names := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	return names
}

// Write answers err: in OpenAI's envelope when the request's record says
// so (the /v1 API), else as application/problem+json. A request whose
// client has gone away gets no answer and no error log.
func Write(w http.ResponseWriter, r *http.Request, err error) {
	rec := reqctx.From(r.Context())
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		if rec != nil {
			rec.ClientGone = true
		}
		w.WriteHeader(StatusClientClosed)
		return
	}
	if rec != nil && rec.OpenAI {
		writeOpenAI(w, r, err)
		return
	}
	WriteDoc(w, For(r, err))
}

// WriteDoc answers a problem document.
func WriteDoc(w http.ResponseWriter, p Doc) {
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

func writeOpenAI(w http.ResponseWriter, r *http.Request, err error) {
	status, body := OpenAIFor(r, err)
	h := w.Header()
	if e, ok := errs.As(err); ok && e.RetryAfterSeconds > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	if errs.CodeOf(err) == errs.QuotaExceeded {
		// OpenAI's clients honour this: retrying before the reset is useless.
		h.Set("X-Should-Retry", "false")
	}
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="parley"`)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
