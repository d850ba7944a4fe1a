package groq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/groq/ledger"
)

// maxLoops bounds the attempts of one request, whatever happens.
const maxLoops = 64

// maxAnswerBytes bounds a non-streamed answer.
const maxAnswerBytes = 32 << 20

// attempt is a request Groq answered with 200.
type attempt struct {
	resp       *http.Response
	cancel     context.CancelFunc
	key        *key
	org, lease string
	completion chat.Completion
	// For streams: the reader, and the chunks (or end) read ahead by peek.
	reader  *sseReader
	pending []chat.Chunk
	ended   bool
	// idle cancels the request when Groq goes quiet (streams only).
	idle      *time.Timer
	idleAfter time.Duration
	idleFired atomic.Bool
}

// peek reads a stream up to its first chunk past the opening role-only one,
// so an answer that fails before its first byte is retried like any other.
func (a *attempt) peek() *upstreamError {
	a.reader = newSSEReader(a.resp.Body)
	for i := range 2 {
		c, err := a.reader.next()
		if err == io.EOF {
			a.ended = true
			return nil
		}
		if err != nil {
			var se *streamError
			if errors.As(err, &se) && se.status == http.StatusBadRequest && se.errType == "invalid_request_error" {
				return &upstreamError{kind: failInvalid, status: se.status, jsonBody: true, errType: se.errType, code: se.code, message: se.message, cause: se}
			}
			status := 0
			if se != nil {
				status = se.status
			}
			return &upstreamError{kind: failRetry, status: status, cause: err}
		}
		a.idle.Reset(a.idleAfter)
		a.pending = append(a.pending, c)
		if i == 0 && (c.Content != "" || c.FinishReason != "" || c.Usage != nil) {
			break
		}
	}
	return nil
}

// send reserves room in an org, sends with one of its keys, and handles
// every failure before a byte reaches the caller: 429 → cool and fail over,
// dead key → drop it, transient → back off and retry elsewhere.
func (p *Pool) send(ctx context.Context, req chat.CompletionRequest) (*attempt, error) {
	if req.Model == "" || len(req.Body) == 0 {
		return nil, errs.E(errs.Invalid, "a completion needs a model and a body")
	}
	deadline := p.opts.Now().Add(p.opts.QueueTimeout)
	excluded := map[string]bool{}
	transient, sends := 0, 0
	var lastErr error
	for sends < maxLoops { // waiting is bounded by the deadline, sending by maxLoops
		if err := ctx.Err(); err != nil {
			return nil, cancelled(err)
		}
		p.syncKeys(ctx)
		orgs, prefer, wake := p.candidates(req.Affinity, excluded)
		if len(orgs) == 0 {
			if len(excluded) > 0 {
				clear(excluded) // every key failed once: the next round may try them again
				continue
			}
			return nil, errs.Wrap(errs.Unavailable, lastErr, "no usable Groq API key")
		}
		lease := newLeaseID()
		g, err := p.ledger.Acquire(ctx, ledger.AcquireRequest{
			Model: req.Model, Orgs: orgs, Prefer: prefer, Tokens: max(req.EstimatedTokens, 0), ID: lease, TTL: p.opts.ReservationTTL,
		})
		if err != nil {
			return nil, errs.Wrap(errs.Unavailable, err, "rate-limit state is unavailable")
		}
		if g.Org == "" {
			now := p.opts.Now()
			if g.RetryAt.After(deadline) {
				return nil, rateLimited(req.Model, g.RetryAt.Sub(now))
			}
			if err := p.wait(ctx, g.RetryAt.Sub(now), wake); err != nil {
				return nil, err
			}
			continue
		}
		k := p.pickKey(g.Org, excluded)
		if k == nil { // the org's keys changed meanwhile
			sends++
			p.release(g.Org, req.Model, lease, 0, 0)
			continue
		}
		sends++
		a, uerr := p.try(ctx, req, k, g.Org, lease)
		if uerr == nil {
			p.mu.Lock()
			if req.Affinity != "" {
				p.affinity.set(req.Affinity, g.Org)
			}
			p.mu.Unlock()
			return a, nil
		}
		p.release(g.Org, req.Model, lease, 0, 0)
		if err := ctx.Err(); err != nil {
			p.metrics.request(k.fp, g.Org, req.Model, "cancelled")
			return nil, cancelled(err)
		}
		lastErr = uerr
		if done, err := p.handle(ctx, req, k, g.Org, uerr); done {
			return nil, err
		}
		if uerr.kind == failRetry {
			excluded[k.fp] = true
			transient++
			if transient >= p.opts.MaxAttempts {
				return nil, exhausted(uerr)
			}
			if err := p.wait(ctx, p.opts.Backoff(transient), nil); err != nil {
				return nil, err
			}
		}
	}
	return nil, errs.Wrap(errs.Unavailable, lastErr, "Groq did not accept the request")
}

// handle records a failed attempt; done means the caller gets err now.
func (p *Pool) handle(ctx context.Context, req chat.CompletionRequest, k *key, org string, e *upstreamError) (done bool, err error) {
	switch e.kind {
	case failRateLimit:
		p.metrics.request(k.fp, org, req.Model, "rate_limited")
		real := p.learnOrg(ctx, k, e.limit.org, org)
		p.cool(ctx, real, req.Model, e)
		if real != org {
			// Replicas that still count this key in its old (provisional)
			// org must not send through it either.
			p.cool(ctx, org, req.Model, e)
		}
		return false, nil
	case failKeyDead:
		p.metrics.request(k.fp, org, req.Model, "key_dead")
		p.markDead(ctx, k, e.deadReason())
		return false, nil
	case failRetry:
		p.metrics.request(k.fp, org, req.Model, "error")
		p.log.Warn("groq attempt failed, retrying", "key", k.fp, "org", org, "model", req.Model, "status", e.status, "err", e.Error())
		return false, nil
	case failTooLarge:
		p.metrics.request(k.fp, org, req.Model, "too_large")
		p.learnOrg(ctx, k, e.limit.org, org)
		return true, errs.Wrap(errs.TooLarge, e, "the request is too large for model %s: shorten the conversation or lower max_completion_tokens", req.Model)
	case failInvalid:
		p.metrics.request(k.fp, org, req.Model, "invalid")
		if e.jsonBody && e.errType == "invalid_request_error" && e.message != "" {
			return true, errs.Wrap(errs.Invalid, e, "%s", e.message)
		}
		return true, errs.Wrap(errs.Invalid, e, "Groq rejected the request")
	case failNotFound:
		p.metrics.request(k.fp, org, req.Model, "not_found")
		if e.code == "unknown_url" || !e.jsonBody {
			return true, errs.Wrap(errs.Upstream, e, "the Groq endpoint was not found (check PARLEY_GROQ_BASE_URL)")
		}
		return true, errs.Wrap(errs.NotFound, e, "model %s not found", req.Model)
	default:
		p.metrics.request(k.fp, org, req.Model, "error")
		return true, errs.Wrap(errs.Upstream, e, "Groq refused the request (status %d)", e.status)
	}
}

// try sends one attempt with key k; the lease is settled by the headers.
func (p *Pool) try(ctx context.Context, req chat.CompletionRequest, k *key, org, lease string) (*attempt, *upstreamError) {
	var actx context.Context
	var cancel context.CancelFunc
	if req.Stream {
		actx, cancel = context.WithCancel(ctx)
	} else {
		actx, cancel = context.WithTimeout(ctx, p.opts.UpstreamTimeout)
	}
	start := time.Now()
	resp, err := p.client.chat(actx, k.secret, req.RequestID, req.Body)
	if err != nil {
		cancel()
		return nil, &upstreamError{kind: failRetry, cause: err}
	}
	p.metrics.latency(org, req.Model, time.Since(start))
	hdr := parseRateHeaders(resp.Header)
	if resp.StatusCode != http.StatusOK {
		e := classify(resp, p.opts.Now())
		cancel()
		if hdr.hasRequests || hdr.hasTokens {
			real := org
			if e.limit.org != "" {
				real = e.limit.org
			}
			p.observe(ctx, hdr.observation(real, req.Model, ""))
		}
		return nil, e
	}
	if hdr.hasRequests || hdr.hasTokens {
		p.observe(ctx, hdr.observation(org, req.Model, lease))
	}
	a := &attempt{resp: resp, cancel: cancel, key: k, org: org, lease: lease}
	if req.Stream {
		a.idleAfter = p.opts.StreamIdleTimeout
		a.idle = time.AfterFunc(a.idleAfter, func() {
			a.idleFired.Store(true)
			cancel()
		})
		if e := a.peek(); e != nil {
			a.idle.Stop()
			cancel()
			_ = resp.Body.Close()
			return nil, e
		}
		return a, nil
	}
	defer cancel()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	_ = resp.Body.Close()
	if err != nil {
		return nil, &upstreamError{kind: failRetry, status: resp.StatusCode, cause: fmt.Errorf("read answer: %w", err)}
	}
	c, err := parseCompletion(body)
	if err != nil {
		return nil, &upstreamError{kind: failRetry, status: resp.StatusCode, cause: fmt.Errorf("malformed answer: %w", err)}
	}
	a.completion = c
	return a, nil
}

// cool parks (org, model) until Groq's reset.
func (p *Pool) cool(ctx context.Context, org, model string, e *upstreamError) {
	wait := e.wait
	if !e.hasWait {
		wait = time.Second
		if e.limit.unit == ledger.UnitRPD || e.limit.unit == ledger.UnitTPD {
			wait = time.Hour
		}
	}
	c := ledger.Cooldown{Org: org, Model: model, Until: p.opts.Now().Add(wait), Unit: e.limit.unit, Limit: e.limit.limit}
	if err := p.ledger.Cool(ctx, c); err != nil {
		p.log.Warn("groq cooldown not recorded", "org", org, "model", model, "err", err)
	}
}

func (p *Pool) observe(ctx context.Context, o ledger.Observation) {
	if err := p.ledger.Observe(ctx, o); err != nil {
		p.log.Warn("groq budget not recorded", "org", o.Org, "model", o.Model, "err", err)
	}
	p.broadcast()
}

// release ends a lease (detached from the caller's context, which may be gone).
func (p *Pool) release(org, model, lease string, tokens, requests int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.ledger.Release(ctx, org, model, lease, tokens, requests); err != nil {
		p.log.Warn("groq reservation not released", "org", org, "model", model, "err", err)
	}
	p.broadcast()
}

// wait sleeps d on the pool's clock, or until woken or cancelled.
func (p *Pool) wait(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if d <= 0 { // maxLoops bounds how often this can happen in a row
		if err := ctx.Err(); err != nil {
			return cancelled(err)
		}
		return nil
	}
	select {
	case <-p.opts.After(d):
		return nil
	case <-wake:
		return nil
	case <-ctx.Done():
		return cancelled(ctx.Err())
	}
}

func rateLimited(model string, wait time.Duration) *errs.Error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &errs.Error{Code: errs.RateLimited, RetryAfterSeconds: secs,
		Message: fmt.Sprintf("every Groq organization is at its rate limit for model %s; retry in %d s", model, secs)}
}

func cancelled(err error) *errs.Error {
	return errs.Wrap(errs.Unavailable, err, "the request was cancelled")
}

// exhausted is the error after the last transient failure.
func exhausted(e *upstreamError) *errs.Error {
	var ne interface{ Timeout() bool }
	if e.cause != nil && (errors.As(e.cause, &ne) || e.status == 0) || e.status == http.StatusServiceUnavailable || e.status == 498 {
		return errs.Wrap(errs.Unavailable, e, "Groq is not answering; try again later")
	}
	return errs.Wrap(errs.Upstream, e, "Groq answered with an error; try again later")
}

func newLeaseID() string { return fmt.Sprintf("%016x", rand.Uint64()) }
