package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// defaultCompletionEstimate is the answer length reserved from the pool's
// budget when a request sets no max_completion_tokens or max_tokens.
const defaultCompletionEstimate = 1024

// openAIChatRequest is the part of a chat completion parley reads; the
// body itself goes upstream untouched (tools, sampling, Groq extras).
type openAIChatRequest struct {
	Model               *string         `json:"model"`
	Messages            json.RawMessage `json:"messages"`
	Stream              bool            `json:"stream"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	MaxTokens           *int            `json:"max_tokens"`
	Tools               json.RawMessage `json:"tools"`
}

// parseOpenAIChat validates what parley must know of a request body.
func parseOpenAIChat(body []byte) (openAIChatRequest, error) {
	var req openAIChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			return req, errs.Validation(map[string]string{typ.Field: "has the wrong type"})
		}
		return req, errs.E(errs.Invalid, "We could not parse the JSON body of your request. The body must be a JSON object.")
	}
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

// estimate is the tokens the pool reserves: the prompt (messages and tools,
// estimated from their JSON) plus the answer it may use.
func (req openAIChatRequest) estimate() int {
	n := chat.EstimateTokens(string(req.Messages)) + (len(req.Tools)+3)/4
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

// openAIChat answers POST /v1/chat/completions through the key pool.
func (a *ChatAPI) openAIChat(w http.ResponseWriter, r *http.Request) error {
	return a.openAIHandler(w, r, func(w http.ResponseWriter, r *http.Request, u account.User) error {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if tl, ok := asTooLarge(err); ok {
				return tl
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return errs.E(errs.Invalid, "the request body did not arrive in time")
			}
			return errs.Wrap(errs.Invalid, err, "could not read the request body")
		}
		body = bytes.TrimSpace(body)
		req, err := parseOpenAIChat(body)
		if err != nil {
			return err
		}
		if err := a.checkModel(r, *req.Model); err != nil {
			return err
		}
		if err := a.d.Usage.Check(r.Context(), u); err != nil {
			return err
		}
		creq := chat.CompletionRequest{
			Model: *req.Model, Body: body, Stream: req.Stream, EstimatedTokens: req.estimate(),
			Affinity: u.ID, RequestID: RequestID(r.Context()),
		}
		if !req.Stream {
			c, err := a.d.Completer.Complete(r.Context(), creq)
			if err != nil {
				return err
			}
			a.d.Usage.Record(detach(r.Context()), u.ID, *req.Model, c.Usage.PromptTokens, c.Usage.CompletionTokens)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(c.Body)
			return nil
		}
		st, err := a.d.Completer.Stream(r.Context(), creq)
		if err != nil {
			return err
		}
		a.relay(w, r, u, req, st)
		return nil
	})
}

// checkModel refuses a model the pool does not serve with OpenAI's 404.
func (a *ChatAPI) checkModel(r *http.Request, model string) error {
	ms, err := a.d.Chat.Models(r.Context())
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.ID == model {
			return nil
		}
	}
	return modelNotFound(model)
}

// relay passes upstream chunks through as they come, ends with [DONE], and
// accounts the tokens. A mid-stream failure ends the stream with an error
// frame in OpenAI's envelope (what OpenAI's clients read as an error).
func (a *ChatAPI) relay(w http.ResponseWriter, r *http.Request, u account.User, req openAIChatRequest, st chat.Stream) {
	defer st.Close()
	sse := newSSEWriter(w, r)
	var (
		use       *chat.Usage
		completed int
	)
	defer func() {
		p, c := 0, completed
		if use != nil {
			p, c = use.PromptTokens, use.CompletionTokens
		} else {
			p = chat.EstimateTokens(string(req.Messages))
		}
		a.d.Usage.Record(detach(r.Context()), u.ID, *req.Model, p, c)
	}()
	for {
		c, err := st.Next()
		if c.Usage != nil {
			cu := *c.Usage
			use = &cu
		}
		switch {
		case errors.Is(err, io.EOF):
			_ = sse.data([]byte("[DONE]"))
			return
		case err != nil && r.Context().Err() != nil:
			if info := infoFrom(r.Context()); info != nil {
				info.clientGone = true
			}
			return
		case err != nil:
			if _, ok := errs.As(err); !ok {
				err = errs.Wrap(errs.Upstream, err, "the model's answer broke off")
			}
			_, body, _ := openAIErrorFor(r, err)
			b, _ := json.Marshal(body)
			_ = sse.data(b)
			return
		}
		if c.Content != "" {
			completed += chat.EstimateTokens(c.Content) - 4 // overhead counts once per message, not per chunk
		}
		if len(c.Data) > 0 {
			if sse.data(c.Data) != nil {
				return
			}
		}
	}
}
