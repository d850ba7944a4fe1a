package groqmock

import (
	"errors"
	"net/http"
	"time"
)

// Groq's documented speech-to-text limits (console.groq.com/docs/speech-to-text).
const (
	MaxAudioUpload     = 25 << 20 // "Max Attachment File Size 25 MB" (the free tier's file limit too)
	MinAudioSeconds    = 0.01     // "Minimum File Length 0.01 seconds"
	MinBilledSeconds   = 10       // "Minimum Billed Length 10 seconds"
	MaxAudioPromptRune = 896      // the prompt error Groq returns (OpenWhispr/openwhispr#405)
)

// audioSupportedTypes is Groq's own list, in its own order (chigwell/telegram-mcp#219).
var audioSupportedTypes = []string{"flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "opus", "wav", "webm"}

// audioCall is an accepted audio request, ready to be charged and answered.
type audioCall struct {
	model *Model
	cost  cost
}

// serveAudio runs the steps every audio endpoint shares: count the request,
// validate it (parse returns the call or a refusal), apply faults, charge the
// organisation's bucket of the model, and answer with write.
func (s *Server) serveAudio(w http.ResponseWriter, r *http.Request, ks *keyState,
	parse func(now time.Time) (*audioCall, *reqError), write func(*audioCall)) {
	ks.count(func(c *counters) { c.requests.Add(1) })
	now := s.now()
	w.Header()["X-Request-Id"] = []string{requestID(now)}
	call, rerr := parse(now)
	if rerr != nil {
		if rerr.model != nil {
			s.bucketFor(ks.org, rerr.model.ID).peek(now, ks.org.limitsFor(rerr.model.ID)).setHeaders(w.Header())
		}
		if rerr.status == http.StatusRequestEntityTooLarge {
			ks.count(func(c *counters) { c.tooLarge.Add(1) })
		} else {
			ks.count(func(c *counters) { c.rejected.Add(1) })
		}
		writeError(w, rerr.status, rerr.body)
		return
	}
	lim := ks.org.limitsFor(call.model.ID)
	b := s.bucketFor(ks.org, call.model.ID)
	if f := s.takeFault(ks.key, false); f != nil {
		ks.count(func(c *counters) { c.faulted.Add(1) })
		if f.Kind != FaultHTML {
			b.peek(now, lim).setHeaders(w.Header())
		}
		switch f.Kind {
		case FaultHTML, FaultJSON:
			writeFaultResponse(w, f)
		case FaultHang:
			s.hang(r)
		default:
			drop(w)
		}
		return
	}
	snap, rej := b.admit(now, lim, call.cost)
	snap.setHeaders(w.Header())
	if rej != nil {
		status := http.StatusTooManyRequests
		if rej.tooLarge {
			status = http.StatusRequestEntityTooLarge
			ks.count(func(c *counters) { c.tooLarge.Add(1) })
		} else {
			w.Header()["Retry-After"] = []string{retryAfter(rej.wait)}
			ks.count(func(c *counters) { c.rateLimited.Add(1) })
		}
		writeError(w, status, apiError{Message: rej.message(call.model.ID, ks.org.id, "on_demand"),
			Type: unitType[rej.unit], Code: "rate_limit_exceeded"})
		return
	}
	ks.count(func(c *counters) {
		c.completed.Add(1)
		c.audioMillis.Add(int64(call.cost.audio * 1000))
		c.prompt.Add(int64(call.cost.tokens))
	})
	if !s.pace(r, s.cfg.FirstTokenLatency) {
		return
	}
	write(call)
}

// audioModel resolves the model of an audio request and checks its kind.
func (s *Server) audioModel(id string, kind Kind, what string) (*Model, *reqError) {
	if id == "" {
		return nil, badRequest("model", "property 'model' is missing")
	}
	m, e := s.lookupModel(id)
	if e != nil {
		return nil, e
	}
	if m.Kind != kind {
		return nil, wrongKind(m, what)
	}
	return m, nil
}

// tooLargeBody is the 413 of an upload over MaxAudioUpload, or a body read failure.
func tooLargeBody(err error) *reqError {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &reqError{status: http.StatusRequestEntityTooLarge, body: apiError{
			Message: "Request Entity Too Large", Type: "invalid_request_error", Code: "request_too_large"}}
	}
	return badRequest("", "could not read the request body")
}
