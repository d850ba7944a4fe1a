package httpapi

import (
	"errors"
	"log/slog"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/usage"
)

// ChatDeps are what the chat, models, tokens, usage and /v1 routes need.
type ChatDeps struct {
	// Chat sends and streams turns and lists models (required).
	Chat *chat.Service
	// Completer answers /v1/chat/completions (the key pool; required).
	Completer chat.Completer
	// Usage checks quotas and records tokens (required).
	Usage *usage.Recorder
	// Accounts stores personal API tokens and users (required).
	Accounts account.Store
	// Configured is false when no Groq key is configured: the model list is
	// then empty with "configured": false.
	Configured bool
	// IsConfigured, when set, replaces Configured and is asked on every
	// request, so a key reload from none to some turns chat on.
	IsConfigured func() bool
	// TokenCacheTTL is how long an API token lookup is reused; a revocation
	// on another replica takes effect within it. 0 means 10s.
	TokenCacheTTL time.Duration
	// KeepAlive is how long a chat stream may stay silent before a comment
	// line is sent to keep proxies from closing it; 0 means 15s.
	KeepAlive time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// ChatAPI serves the chat streams, models, personal API tokens, usage and
// the OpenAI-compatible /v1 API. Add its Routes to Deps.Routes.
type ChatAPI struct {
	d         ChatDeps
	now       func() time.Time
	keepAlive time.Duration
	log       *slog.Logger
	tokens    *tokenCache
}

// NewChatAPI checks d and returns the handlers.
func NewChatAPI(d ChatDeps) (*ChatAPI, error) {
	if d.Chat == nil || d.Completer == nil || d.Usage == nil || d.Accounts == nil {
		return nil, errors.New("httpapi: ChatDeps.Chat, Completer, Usage and Accounts are required")
	}
	a := &ChatAPI{d: d, now: d.Now, log: d.Logger}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	ttl := d.TokenCacheTTL
	if ttl <= 0 {
		ttl = 10 * time.Second
	}
	a.tokens = newTokenCache(ttl, a.now)
	a.keepAlive = d.KeepAlive
	if a.keepAlive <= 0 {
		a.keepAlive = 15 * time.Second
	}
	return a, nil
}

// Routes are the lines of the route table these handlers answer.
func (a *ChatAPI) Routes() []Route {
	return []Route{
		{"POST /api/v1/conversations/{id}/messages", User, a.sendMessage, BodyMessage},
		{"POST /api/v1/conversations/{id}/regenerate", User, a.regenerate, BodySmall},
		{"GET /api/v1/models", User, a.listModels, 0},
		{"POST /api/v1/tokens", User, a.createToken, BodySmall},
		{"GET /api/v1/tokens", User, a.listTokens, 0},
		{"DELETE /api/v1/tokens/{id}", User, a.deleteToken, 0},
		{"GET /api/v1/usage", User, a.getUsage, 0},
		// /v1 authenticates personal API tokens itself, answering in
		// OpenAI's error envelope.
		{"POST /v1/chat/completions", Public, a.openAIChat, BodyMax},
		{"GET /v1/models", Public, a.openAIModels, 0},
	}
}

// configured reports whether the pool has any Groq key right now.
func (a *ChatAPI) configured() bool {
	if a.d.IsConfigured != nil {
		return a.d.IsConfigured()
	}
	return a.d.Configured
}
