package chat

import (
	"context"
	"encoding/json"
)

// CompletionRequest is one chat completion to send upstream.
type CompletionRequest struct {
	// Model is the upstream model id (also inside Body).
	Model string
	// Body is the OpenAI-shaped request JSON exactly as it goes to Groq
	// (model, messages, stream, stream_options, tools, ...).
	Body json.RawMessage
	// Stream tells whether Body asks for a streamed answer.
	Stream bool
	// EstimatedTokens is prompt tokens plus the completion tokens the request
	// may use; the key pool reserves that much of an org's TPM budget.
	EstimatedTokens int
	// Affinity keeps related requests (one conversation) on one org when it
	// has room, so Groq's prompt cache helps. Empty means no preference.
	Affinity string
	// RequestID is forwarded upstream for tracing.
	RequestID string
}

// Usage is the token accounting of one completion.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Completion is a finished non-streaming answer.
type Completion struct {
	// Body is the upstream JSON response (OpenAI shape), for pass-through.
	Body    json.RawMessage
	Content string
	// FinishReason as Groq reported it (stop, length, tool_calls, ...).
	FinishReason string
	Usage        Usage
}

// Chunk is one streamed event.
type Chunk struct {
	// Data is the raw JSON of the chunk (chat.completion.chunk).
	Data json.RawMessage
	// Content is the text delta of choice 0 (may be empty).
	Content string
	// Reasoning is the thinking delta of choice 0 (delta.reasoning of a
	// reasoning model asked to show it; may be empty).
	Reasoning string
	// FinishReason is set on the last content chunk.
	FinishReason string
	// Usage is set when the chunk carries usage (x_groq.usage or usage).
	Usage *Usage
}

// Stream yields chunks of one streamed answer.
type Stream interface {
	// Next returns the next chunk; io.EOF after [DONE]. A mid-stream upstream
	// error is returned as an *errs.Error (code Upstream or Unavailable).
	Next() (Chunk, error)
	// Close releases the upstream connection; safe to call more than once.
	Close() error
}

// Model is one model the upstream can serve.
type Model struct {
	ID            string `json:"id"`
	OwnedBy       string `json:"owned_by"`
	Created       int64  `json:"created"`
	ContextWindow int    `json:"context_window"`
	MaxCompletion int    `json:"max_completion_tokens"`
}

// Completer sends chat completions upstream. The Groq key pool implements it.
// Errors are *errs.Error: RateLimited (with RetryAfterSeconds) when every org
// is cooling down past the queue timeout, NotFound for an unknown model,
// Invalid or TooLarge when Groq rejected the request itself, Unavailable when
// no key is usable, Upstream for a bad upstream answer. Messages are
// client-safe: never a raw upstream body, never a key.
type Completer interface {
	Complete(ctx context.Context, req CompletionRequest) (Completion, error)
	// Stream returns once upstream answered 200 (retries and failover happen
	// before any byte reaches the caller).
	Stream(ctx context.Context, req CompletionRequest) (Stream, error)
	Models(ctx context.Context) ([]Model, error)
}
