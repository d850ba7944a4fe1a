package chat

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// defaultCompletionEstimate is the answer length reserved from the pool's
// budget when a request sets no max_completion_tokens or max_tokens.
const defaultCompletionEstimate = 1024

// APIRequest is a chat completion of the OpenAI-compatible API, as a
// personal API token sends it: parley reads what it must know, and the body
// itself goes upstream untouched (tools, sampling, Groq's extras).
type APIRequest struct {
	Body                json.RawMessage `json:"-"`
	Model               *string         `json:"model"`
	Messages            json.RawMessage `json:"messages"`
	Stream              bool            `json:"stream"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	MaxTokens           *int            `json:"max_tokens"`
	Tools               json.RawMessage `json:"tools"`
}

// ParseAPIRequest validates what parley must know of a request body, with
// the errors OpenAI's API gives (param names the field at fault).
func ParseAPIRequest(body []byte) (APIRequest, error) {
	var req APIRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			return req, errs.Validation(map[string]string{typ.Field: "has the wrong type"})
		}
		return req, errs.E(errs.Invalid, "We could not parse the JSON body of your request. The body must be a JSON object.")
	}
	req.Body = body
	if req.Model == nil || strings.TrimSpace(*req.Model) == "" {
		return req, &errs.Error{Code: errs.Invalid, Message: "you must provide a model parameter",
			Fields: map[string]string{"model": "is required"}}
	}
	var msgs []json.RawMessage
	if json.Unmarshal(req.Messages, &msgs) != nil || len(msgs) == 0 {
		return req, &errs.Error{Code: errs.Invalid, Message: "'messages' must be a non-empty array",
			Fields: map[string]string{"messages": "must be a non-empty array"}}
	}
	for _, n := range []*int{req.MaxCompletionTokens, req.MaxTokens} {
		if n != nil && *n < 1 {
			return req, &errs.Error{Code: errs.Invalid, Message: "max_completion_tokens must be at least 1",
				Fields: map[string]string{"max_completion_tokens": "must be at least 1"}}
		}
	}
	return req, nil
}

// promptEstimate estimates the prompt: messages and tools, from their JSON.
func (req APIRequest) promptEstimate() int {
	return EstimateTokens(string(req.Messages)) + (len(req.Tools)+3)/4
}

// estimate is the tokens the pool reserves: the prompt plus the answer it may use.
func (req APIRequest) estimate() int {
	n := req.promptEstimate()
	switch {
	case req.MaxCompletionTokens != nil:
		n += *req.MaxCompletionTokens
	case req.MaxTokens != nil:
		n += *req.MaxTokens
	default:
		n += defaultCompletionEstimate
	}
	return n
}

// startAPI checks what every /v1 completion must pass before it goes
// upstream: a model the pool serves (OpenAI's 404 otherwise) and quota left,
// of which it reserves the request's estimate; release gives that back.
func (s *Service) startAPI(ctx context.Context, user account.User, req APIRequest) (CompletionRequest, func(), error) {
	if _, ok, err := s.findModel(ctx, *req.Model); err != nil {
		return CompletionRequest{}, nil, err
	} else if !ok {
		return CompletionRequest{}, nil, &errs.Error{Code: errs.NotFound, Fields: map[string]string{"model": "does not exist"},
			Message: "The model `" + *req.Model + "` does not exist or you do not have access to it."}
	}
	estimate := req.estimate()
	release, err := s.reserveQuota(ctx, user, estimate)
	if err != nil {
		return CompletionRequest{}, nil, err
	}
	return CompletionRequest{Model: *req.Model, Body: req.Body, Stream: req.Stream, EstimatedTokens: estimate,
		Affinity: user.ID, RequestID: reqctx.RequestID(ctx)}, release, nil
}

// CompleteAPI answers a non-streaming /v1 completion and accounts its tokens.
func (s *Service) CompleteAPI(ctx context.Context, user account.User, req APIRequest) (Completion, error) {
	creq, release, err := s.startAPI(ctx, user, req)
	if err != nil {
		return Completion{}, err
	}
	defer release() // after the real count is recorded
	c, err := s.o.Completer.Complete(ctx, creq)
	if err != nil {
		return Completion{}, err
	}
	s.record(ctx, user.ID, creq.Model, c.Usage.PromptTokens, c.Usage.CompletionTokens)
	return c, nil
}

// StreamAPI starts a streaming /v1 completion. The returned stream passes
// upstream's chunks through; closing it accounts the tokens: upstream's count
// when it sent one, else an estimate of what was sent.
func (s *Service) StreamAPI(ctx context.Context, user account.User, req APIRequest) (*APIStream, error) {
	creq, release, err := s.startAPI(ctx, user, req)
	if err != nil {
		return nil, err
	}
	st, err := s.o.Completer.Stream(ctx, creq)
	if err != nil {
		release()
		return nil, err
	}
	return &APIStream{svc: s, ctx: ctx, userID: user.ID, model: creq.Model, prompt: EstimateTokens(string(req.Messages)),
		stream: st, release: release}, nil
}

// APIStream is a /v1 completion being streamed; one goroutine uses it.
type APIStream struct {
	svc       *Service
	ctx       context.Context
	userID    string
	model     string
	prompt    int
	stream    Stream
	usage     *Usage
	completed int
	closed    bool
	release   func() // gives back the quota reservation
}

// Next returns upstream's next chunk; io.EOF after the last.
func (a *APIStream) Next() (Chunk, error) {
	c, err := a.stream.Next()
	if c.Usage != nil {
		u := *c.Usage
		a.usage = &u
	}
	if err == nil && c.Content != "" {
		a.completed += EstimateTokens(c.Content) - messageOverhead // overhead counts once per message, not per chunk
	}
	if err != nil && !errors.Is(err, io.EOF) && a.ctx.Err() == nil {
		if _, ok := errs.As(err); !ok {
			err = errs.Wrap(errs.Upstream, err, "the model's answer broke off")
		}
	}
	return c, err
}

// Close releases the upstream stream and accounts the tokens, once.
func (a *APIStream) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	err := a.stream.Close()
	p, c := a.prompt, a.completed
	if a.usage != nil {
		p, c = a.usage.PromptTokens, a.usage.CompletionTokens
	}
	a.svc.record(a.ctx, a.userID, a.model, p, c)
	a.release()
	return err
}

// record accounts one call's tokens, even when the request was cancelled.
func (s *Service) record(ctx context.Context, userID, model string, prompt, completion int) {
	if s.o.Quota != nil {
		s.o.Quota.Record(context.WithoutCancel(ctx), userID, model, prompt, completion)
	}
}
