package groqmock

import (
	"encoding/json"
	"net/http"
	"time"
)

// sseWriter writes `data:` frames, flushing each one when the stream is paced.
type sseWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	paced bool
	buf   []byte
	err   error
}

func (sw *sseWriter) frame(event string, data ...[]byte) {
	if sw.err != nil {
		return
	}
	sw.buf = sw.buf[:0]
	if event != "" {
		sw.buf = append(append(append(sw.buf, "event: "...), event...), '\n')
	}
	sw.buf = append(sw.buf, "data: "...)
	for _, d := range data {
		sw.buf = append(sw.buf, d...)
	}
	sw.buf = append(sw.buf, '\n', '\n')
	if _, sw.err = sw.w.Write(sw.buf); sw.err == nil && sw.paced {
		sw.err = sw.rc.Flush()
	}
}

func (sw *sseWriter) flush() {
	if sw.err == nil {
		sw.err = sw.rc.Flush()
	}
}

// writeStream sends a as SSE. With a.fault set, it stops after stopAfter
// content chunks and carries out the fault instead of finishing.
func (s *Server) writeStream(w http.ResponseWriter, r *http.Request, a *answer, stopAfter int) {
	if !s.pace(r, s.cfg.FirstTokenLatency) {
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"text/event-stream"}
	h["Cache-Control"] = []string{"no-cache"}
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: http.NewResponseController(w), paced: s.cfg.TokensPerSecond > 0, buf: make([]byte, 0, 512)}
	sw.frame("", a.firstChunk())

	pace := s.pacer(r, sw)
	sent := 0
	// next paces chunk i and reports false when the stream must stop for a fault or a gone client.
	next := func() bool {
		if a.fault != nil && sent == stopAfter {
			return false
		}
		sent++
		return pace()
	}
	completed := true
	if len(a.p.toolCalls) > 0 {
		if completed = next(); completed {
			sw.frame("", a.chunk(&wireMessage{ToolCalls: a.wireCalls(true)}, nil, nil, nil))
		}
	} else {
		completed = a.streamText(sw, "reasoning", a.p.reasoning, next)
		if completed && len(a.p.executed) > 0 {
			sw.frame("", a.chunk(&wireMessage{ExecutedTools: a.p.executed}, nil, nil, nil))
		}
		if completed {
			completed = a.streamText(sw, "content", a.p.content, next)
		}
	}
	if a.fault != nil { // also when the reply had fewer chunks than AfterChunks
		s.streamFault(sw, r, a)
		return
	}
	if !completed {
		return
	}
	sw.frame("", a.lastChunk())
	sw.frame("", []byte("[DONE]"))
	sw.flush()
}

// pacer returns a function that waits for the next token's turn at
// TokensPerSecond and reports false when the client left or a write failed.
func (s *Server) pacer(r *http.Request, sw *sseWriter) func() bool {
	var step time.Duration
	if sw.paced {
		step = time.Duration(float64(time.Second) / s.cfg.TokensPerSecond)
	}
	start := time.Now()
	sent := 0
	return func() bool {
		sent++
		if step > 0 && !s.pace(r, time.Until(start.Add(time.Duration(sent)*step))) {
			return false
		}
		return sw.err == nil
	}
}

// streamText sends text as one chunk per token in the delta field; it
// reports false when next says the stream must stop.
func (a *answer) streamText(sw *sseWriter, field, text string, next func() bool) bool {
	prefix := a.deltaPrefix(field)
	for _, tok := range splitTokens(text) {
		if !next() {
			return false
		}
		q, _ := json.Marshal(tok)
		sw.frame("", prefix, q, []byte(contentSuffix))
	}
	return true
}

// streamFault ends a started stream the way the injected fault says.
func (s *Server) streamFault(sw *sseWriter, r *http.Request, a *answer) {
	switch a.fault.Kind {
	case FaultMidStreamError:
		e := faultError(a.fault)
		e.StatusCode = a.fault.Status
		env := envelope(e)
		sw.frame("error", env[:len(env)-1])
		sw.flush()
	case FaultDrop:
		sw.flush()
		drop(sw.w)
	case FaultHang:
		sw.flush()
		s.hang(r)
	}
}
