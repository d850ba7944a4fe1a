// Package errs is parley's one error vocabulary: the domain returns coded
// errors, and the HTTP layer maps each code to a status and an OpenAI error
// type in one table (httpapi/problem).
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for the edges (HTTP status, OpenAI error type).
type Code string

// The codes every layer may return. The HTTP layer owns the status mapping.
const (
	Invalid       Code = "invalid"        // 400 / 422: the input is wrong
	Unauthorized  Code = "unauthorized"   // 401: no or bad credentials
	Forbidden     Code = "forbidden"      // 403: known caller, not allowed
	NotFound      Code = "not_found"      // 404
	Conflict      Code = "conflict"       // 409: e.g. a taken email
	TooLarge      Code = "too_large"      // 413
	RateLimited   Code = "rate_limited"   // 429: slow down, see RetryAfter
	QuotaExceeded Code = "quota_exceeded" // 429: daily quota used up
	Unavailable   Code = "unavailable"    // 503: upstream or dependency down
	Upstream      Code = "upstream"       // 502: upstream answered badly
	Internal      Code = "internal"       // 500: never shows its text

	// Codes only the HTTP layer returns, about the request itself.
	MethodNotAllowed     Code = "method_not_allowed"     // 405
	RequestTimeout       Code = "request_timeout"        // 408: the body came too slowly
	UnsupportedMediaType Code = "unsupported_media_type" // 415
)

// Error is a coded error. Message is safe to show to the client; the wrapped
// Err (if any) is for logs only.
type Error struct {
	Code    Code
	Message string
	// Fields names the input fields at fault (validation errors), field → reason.
	Fields map[string]string
	// RetryAfterSeconds, when > 0, is sent as Retry-After.
	RetryAfterSeconds int
	// Err is the underlying cause, never shown to clients.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, errs.NotFoundErr) style checks match on code.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code && t.Message == ""
	}
	return false
}

// E builds a coded error with a client-safe message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds a coded error that carries an internal cause.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// Validation builds an Invalid error naming the fields at fault.
func Validation(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: "validation failed", Fields: fields}
}

// Sentinels for errors.Is: they match any *Error with the same code.
var (
	ErrNotFound     = &Error{Code: NotFound}
	ErrConflict     = &Error{Code: Conflict}
	ErrUnauthorized = &Error{Code: Unauthorized}
	ErrForbidden    = &Error{Code: Forbidden}
	ErrInvalid      = &Error{Code: Invalid}
)

// CodeOf returns the code of err, or Internal when err carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
