package groq

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// Complete implements chat.Completer for a non-streamed answer.
func (p *Pool) Complete(ctx context.Context, req chat.CompletionRequest) (chat.Completion, error) {
	req.Stream = false
	a, err := p.send(ctx, req)
	if err != nil {
		return chat.Completion{}, err
	}
	p.metrics.request(a.key.fp, a.org, req.Model, "ok")
	p.release(a.org, req.Model, a.lease, a.completion.Usage.TotalTokens, 1)
	return a.completion, nil
}

// Stream implements chat.Completer: it returns once Groq answered 200.
func (p *Pool) Stream(ctx context.Context, req chat.CompletionRequest) (chat.Stream, error) {
	req.Stream = true
	a, err := p.send(ctx, req)
	if err != nil {
		return nil, err
	}
	return &stream{p: p, a: a, ctx: ctx, model: req.Model, r: a.reader}, nil
}

// stream is one streamed answer; it releases its reservation exactly once.
type stream struct {
	p     *Pool
	a     *attempt
	ctx   context.Context
	model string
	r     *sseReader
	usage *chat.Usage

	closing  atomic.Bool
	mu       sync.Mutex
	finished bool
	err      error
}

// Next implements chat.Stream.
func (s *stream) Next() (chat.Chunk, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished {
		if s.err != nil {
			return chat.Chunk{}, s.err
		}
		return chat.Chunk{}, io.EOF
	}
	var c chat.Chunk
	var err error
	switch {
	case len(s.a.pending) > 0:
		c, s.a.pending = s.a.pending[0], s.a.pending[1:]
	case s.a.ended:
		err = io.EOF
	default:
		c, err = s.r.next()
	}
	if err == nil {
		s.a.idle.Reset(s.a.idleAfter)
		if c.Usage != nil {
			s.usage = c.Usage
		}
		return c, nil
	}
	if err == io.EOF {
		s.finishLocked("ok", nil)
		return chat.Chunk{}, io.EOF
	}
	outcome, mapped := "stream_error", s.mapError(err)
	if s.ctx.Err() != nil || s.closing.Load() {
		outcome = "cancelled"
	}
	s.finishLocked(outcome, mapped)
	return chat.Chunk{}, mapped
}

// mapError turns a mid-stream failure into a client-safe error.
func (s *stream) mapError(err error) *errs.Error {
	if ctxErr := s.ctx.Err(); ctxErr != nil {
		return cancelled(ctxErr)
	}
	if s.closing.Load() {
		return cancelled(context.Canceled)
	}
	if s.a.idleFired.Load() {
		s.p.log.Warn("groq stream went quiet", "key", s.a.key.fp, "org", s.a.org, "model", s.model)
		return errs.Wrap(errs.Upstream, err, "Groq stopped sending the answer")
	}
	var se *streamError
	if errors.As(err, &se) {
		s.p.log.Warn("groq stream failed", "key", s.a.key.fp, "org", s.a.org, "model", s.model, "status", se.status, "code", se.code)
		switch se.status {
		case 429, 498, 503:
			return errs.Wrap(errs.Unavailable, se, "Groq is overloaded and stopped the answer; try again")
		}
		return errs.Wrap(errs.Upstream, se, "Groq stopped the answer with an error")
	}
	s.p.log.Warn("groq stream broke off", "key", s.a.key.fp, "org", s.a.org, "model", s.model, "err", err)
	return errs.Wrap(errs.Upstream, err, "the answer from Groq broke off")
}

// Close implements chat.Stream; it cancels the upstream request, also
// while another goroutine is blocked in Next.
func (s *stream) Close() error {
	s.closing.Store(true)
	s.a.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishLocked("closed", errs.E(errs.Unavailable, "the stream was closed"))
	return nil
}

// finishLocked closes the connection and releases the reservation; s.mu held.
func (s *stream) finishLocked(outcome string, err error) {
	if s.finished {
		return
	}
	s.finished, s.err = true, err
	s.a.idle.Stop()
	s.a.cancel()
	_ = s.a.resp.Body.Close()
	tokens := 0
	if s.usage != nil {
		tokens = s.usage.TotalTokens
	}
	s.p.metrics.request(s.a.key.fp, s.a.org, s.model, outcome)
	s.p.release(s.a.org, s.model, s.a.lease, tokens, 1)
}
