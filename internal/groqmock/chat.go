package groqmock

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxBody caps a request body, like Groq's 413 for oversized payloads.
const maxBody = 20 << 20

// chat serves POST /openai/v1/chat/completions for an authenticated key.
func (s *Server) chat(w http.ResponseWriter, r *http.Request, ks *keyState) {
	s.complete(w, r, ks, s.parse, func(a *answer) {
		if a.p.stream {
			s.writeStream(w, r, a, -1)
			return
		}
		if !s.pace(r, s.cfg.FirstTokenLatency+s.generationTime(a.usage.CompletionTokens)) {
			return
		}
		writeJSON(w, a.completionJSON())
	})
}

// complete runs what chat completions and responses share: read the body
// (413 past maxBody), validate it with parse, answer 498 to flex when flex
// capacity is gone, apply injected faults, charge the organisation's bucket
// of the model (429/413 with Groq's texts), count, and render the answer.
func (s *Server) complete(w http.ResponseWriter, r *http.Request, ks *keyState,
	parse func([]byte) (*plan, *reqError), render func(*answer)) {
	ks.count(func(c *counters) { c.requests.Add(1) })
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			ks.count(func(c *counters) { c.tooLarge.Add(1) })
			writeError(w, http.StatusRequestEntityTooLarge, apiError{
				Message: "Request Entity Too Large", Type: "invalid_request_error", Code: "request_too_large"})
			return
		}
		ks.count(func(c *counters) { c.rejected.Add(1) })
		invalid(w, "", "could not read the request body")
		return
	}
	now := s.now()
	reqID := requestID(now)
	w.Header()["X-Request-Id"] = []string{reqID}
	p, rerr := parse(body)
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
	lim := ks.org.limitsFor(p.model.ID)
	b := s.bucketFor(ks.org, p.model.ID)
	if p.tier == "flex" && s.flex.Load() {
		b.peek(now, lim).setHeaders(w.Header())
		ks.count(func(c *counters) { c.rejected.Add(1) })
		writeError(w, 498, apiError{Message: "`flex` tier capacity exceeded. Please try again later or use the `on_demand` service tier.",
			Type: "invalid_request_error", Code: "capacity_exceeded"})
		return
	}
	if f := s.takeFault(ks.key, p.stream && !p.responses); f != nil {
		ks.count(func(c *counters) { c.faulted.Add(1) })
		if f.Kind != FaultHTML {
			b.peek(now, lim).setHeaders(w.Header())
		}
		s.fault(w, r, f, p, reqID, now)
		return
	}
	snap, rej := b.admit(now, lim, cost{tokens: p.estimate})
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
		writeError(w, status, apiError{Message: rej.message(p.model.ID, ks.org.id, "on_demand"),
			Type: unitType[rej.unit], Code: "rate_limit_exceeded"})
		return
	}
	completion := p.completionTokens()
	b.adjust(now, lim, p.promptTokens+completion-p.estimate)
	ks.count(func(c *counters) {
		c.completed.Add(1)
		c.prompt.Add(int64(p.promptTokens))
		c.completion.Add(int64(completion))
	})
	render(s.newAnswer(p, reqID, now, completion))
}

// generationTime is how long generating n tokens takes at the configured pace.
func (s *Server) generationTime(n int) time.Duration {
	if s.cfg.TokensPerSecond <= 0 {
		return 0
	}
	return time.Duration(float64(n) / s.cfg.TokensPerSecond * float64(time.Second))
}

// pace waits d; it reports false when the client left or the server closed first.
func (s *Server) pace(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		return false
	}
}

// fault carries out an injected fault.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, f *Fault, p *plan, reqID string, now time.Time) {
	switch f.Kind {
	case FaultHTML, FaultJSON:
		writeFaultResponse(w, f)
	case FaultDrop, FaultHang, FaultMidStreamError:
		if p.stream && !p.responses && (f.AfterChunks > 0 || f.Kind == FaultMidStreamError) {
			a := s.newAnswer(p, reqID, now, p.completionTokens())
			a.fault = f
			s.writeStream(w, r, a, f.AfterChunks)
			return
		}
		if f.Kind == FaultHang {
			s.hang(r)
			return
		}
		drop(w)
	default:
		writeError(w, http.StatusInternalServerError, apiError{
			Message: "unknown fault kind " + strconv.Itoa(int(f.Kind)), Type: "internal_server_error"})
	}
}

// hang blocks until the client gives up or the server closes.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closed:
	}
}
