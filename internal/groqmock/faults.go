package groqmock

import (
	"fmt"
	"net/http"
	"strconv"
)

// FaultKind selects how an injected fault breaks a chat completion.
type FaultKind int

// The fault kinds.
const (
	// FaultHTML answers Status (default 503) with a Cloudflare-like text/html page.
	FaultHTML FaultKind = iota + 1
	// FaultJSON answers Status (default 500) with Groq's JSON error envelope.
	FaultJSON
	// FaultMidStreamError answers 200, sends AfterChunks content chunks, then an
	// `event: error` frame whose body carries status_code Status (default 500),
	// and ends the stream without [DONE]. It only matches streamed requests.
	FaultMidStreamError
	// FaultDrop closes the connection without an answer; on a streamed request
	// with AfterChunks > 0 it first sends that many chunks.
	FaultDrop
	// FaultHang sends nothing (or AfterChunks chunks of a stream) and blocks
	// until the client gives up or Server.Close is called.
	FaultHang
)

// Fault is one injected failure, consumed by the next Count matching chat completions.
type Fault struct {
	Kind FaultKind
	// Key restricts the fault to requests with this API key; "" matches any.
	Key string
	// Status of FaultHTML, FaultJSON and FaultMidStreamError (the status_code in the frame).
	Status int
	// Count is how many requests the fault hits; 0 means 1.
	Count int
	// AfterChunks is how many content chunks precede a stream fault.
	AfterChunks int
	// Message overrides the error message of FaultJSON and FaultMidStreamError.
	Message string
	// RetryAfter, when > 0, adds a retry-after header (seconds) to FaultJSON and FaultHTML.
	RetryAfter int
}

// InjectFault queues f; faults are matched in the order they were injected.
// A faulted request is never charged to a rate-limit bucket.
func (s *Server) InjectFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Status == 0 {
		switch f.Kind {
		case FaultHTML:
			f.Status = http.StatusServiceUnavailable
		default:
			f.Status = http.StatusInternalServerError
		}
	}
	s.faultMu.Lock()
	s.faults = append(s.faults, &f)
	s.faultMu.Unlock()
}

// PendingFaults reports how many injected fault hits have not happened yet.
func (s *Server) PendingFaults() int {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Count
	}
	return n
}

// takeFault consumes one hit of the first fault matching key and stream.
func (s *Server) takeFault(key string, stream bool) *Fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, f := range s.faults {
		if f.Key != "" && f.Key != key {
			continue
		}
		if f.Kind == FaultMidStreamError && !stream {
			continue
		}
		f.Count--
		if f.Count == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		hit := *f
		return &hit
	}
	return nil
}

const cloudflareHTML = `<html>
<head><title>%d %s</title></head>
<body>
<center><h1>%d %s</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`

// faultError is the JSON error of a FaultJSON or FaultMidStreamError.
func faultError(f *Fault) apiError {
	e := apiError{Type: "internal_server_error", Code: "internal_server_error"}
	switch f.Status {
	case http.StatusBadRequest:
		e = apiError{Message: "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.",
			Type: "invalid_request_error", Code: "tool_use_failed",
			FailedGeneration: "Tool use failed: JSON does not match the expected schema for tool calls"}
	case http.StatusTooManyRequests:
		e = apiError{Message: "Rate limit reached. Please try again later.", Type: "requests", Code: "rate_limit_exceeded"}
	case 498:
		e = apiError{Message: "`flex` tier capacity exceeded. Please try again later.", Type: "invalid_request_error", Code: "capacity_exceeded"}
	case http.StatusServiceUnavailable:
		e.Message, e.Code = "Service Unavailable", "service_unavailable"
	default:
		if t := http.StatusText(f.Status); t != "" {
			e.Message = t
		}
	}
	if f.Message != "" {
		e.Message = f.Message
	}
	return e
}

// writeFaultResponse answers FaultHTML and FaultJSON.
func writeFaultResponse(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	if f.Kind == FaultJSON {
		writeError(w, f.Status, faultError(f))
		return
	}
	text := http.StatusText(f.Status)
	body := []byte(fmt.Sprintf(cloudflareHTML, f.Status, text, f.Status, text))
	h := w.Header()
	h.Set("Content-Type", "text/html")
	h.Set("Server", "cloudflare")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(f.Status)
	_, _ = w.Write(body)
}

// drop closes the client connection abruptly.
func drop(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // HTTP/2 cannot hijack: abort the stream instead
}
