package groq

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// failure says what an upstream answer means for the pool.
type failure int

const (
	failNone      failure = iota
	failRetry             // 5xx, 498, 422, timeouts, dropped connections, garbage: try another key
	failRateLimit         // 429: cool the org's budget, try another org
	failKeyDead           // 401, 403, 400 organization_restricted: remove the key
	failTooLarge          // 413: the request is too big for the TPM limit
	failInvalid           // 400: the user's request is at fault
	failNotFound          // 404: unknown model
	failOther             // other 4xx: not retried
)

// upstreamError is one failed attempt, for the pool's decisions and logs.
// Its text never contains a key or a raw upstream body.
type upstreamError struct {
	kind     failure
	status   int
	errType  string // Groq's error.type, when the body was JSON
	code     string // Groq's error.code
	message  string // Groq's error.message, when the body was JSON
	jsonBody bool
	limit    limitMessage
	wait     time.Duration // retry-after, or the message's "try again in"
	hasWait  bool
	cause    error
}

func (e *upstreamError) Error() string {
	switch {
	case e.cause != nil:
		return fmt.Sprintf("groq upstream: %v", e.cause)
	case e.code != "":
		return fmt.Sprintf("groq upstream: status %d, code %s", e.status, e.code)
	default:
		return fmt.Sprintf("groq upstream: status %d", e.status)
	}
}

func (e *upstreamError) Unwrap() error { return e.cause }

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

type errorEnvelope struct {
	Error *struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	} `json:"error"`
}

// classify reads a non-200 response (and closes its body).
func classify(resp *http.Response, now time.Time) *upstreamError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	e := &upstreamError{status: resp.StatusCode}
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.jsonBody = true
		e.message, e.errType = env.Error.Message, env.Error.Type
		if env.Error.Code != nil {
			e.code = fmt.Sprint(env.Error.Code)
		}
	}
	if d, ok := parseRetryAfter(resp.Header.Get("retry-after"), now); ok {
		e.wait, e.hasWait = d, true
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestEntityTooLarge {
		e.limit = parseLimitMessage(e.message)
		if e.limit.hasWait {
			e.wait, e.hasWait = e.limit.tryAgain, true
		}
	}
	e.kind = kindOf(e)
	return e
}

func kindOf(e *upstreamError) failure {
	switch s := e.status; {
	case s == http.StatusTooManyRequests:
		return failRateLimit
	case s == http.StatusForbidden && !e.jsonBody:
		return failRetry // a Cloudflare block page: about the network path, not the key
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return failKeyDead
	case s == http.StatusBadRequest && e.code == "organization_restricted":
		return failKeyDead
	case s == http.StatusBadRequest:
		return failInvalid
	case s == http.StatusRequestEntityTooLarge:
		return failTooLarge
	case s == http.StatusNotFound:
		return failNotFound
	case s >= 500 || s == 498 || s == http.StatusUnprocessableEntity || s == http.StatusRequestTimeout:
		return failRetry
	case !e.jsonBody && s >= 300:
		return failRetry // a proxy's HTML page, not Groq
	default:
		return failOther
	}
}

// deadReason is the recorded reason a key left rotation.
func (e *upstreamError) deadReason() string {
	switch {
	case e.code != "":
		return fmt.Sprintf("%s (%d)", e.code, e.status)
	case e.status == http.StatusForbidden:
		return "forbidden (403)"
	default:
		return fmt.Sprintf("%s (%d)", strings.ToLower(strings.ReplaceAll(http.StatusText(e.status), " ", "_")), e.status)
	}
}
