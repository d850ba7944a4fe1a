package chat

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// Quota is what the Service needs from usage accounting; usage.Recorder
// implements it.
type Quota interface {
	// Reserve takes a call's estimated tokens of u's quota before it goes
	// upstream, atomically, or fails with errs.QuotaExceeded when u may not
	// spend more tokens today; release gives the estimate back once the call
	// has ended (its real count goes through Record).
	Reserve(ctx context.Context, u account.User, estimate int64) (release func(), err error)
	// Record accounts one call's tokens to its user, off the hot path.
	Record(ctx context.Context, userID, model string, promptTokens, completionTokens int)
}

// ServiceOptions configure a Service. Store, Completer and DefaultModel are
// required; the rest have defaults.
type ServiceOptions struct {
	Store     Store
	Completer Completer
	// Quota checks and records token use; nil means unlimited and unrecorded.
	Quota Quota
	// DefaultModel answers when neither the request nor the conversation
	// names a model (PARLEY_DEFAULT_MODEL).
	DefaultModel string
	// SystemPrompt, when set, is sent first in every conversation.
	SystemPrompt string
	// MaxContentChars caps one user message, in characters; 0 means 32,000.
	MaxContentChars int
	// MaxCompletionTokens caps one answer; 0 means 4,096. The model's own
	// limit and half its context window cap it further.
	MaxCompletionTokens int
	// StoreTimeout bounds the final write of an answer whose request was
	// cancelled; 0 means 10s.
	StoreTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Service sends user messages to the model and streams the answers back,
// storing both sides of every turn.
type Service struct {
	o   ServiceOptions
	now func() time.Time
	log *slog.Logger
}

// NewService checks o and returns a Service.
func NewService(o ServiceOptions) (*Service, error) {
	if o.Store == nil || o.Completer == nil {
		return nil, errors.New("chat: ServiceOptions.Store and Completer are required")
	}
	if o.DefaultModel == "" {
		return nil, errors.New("chat: ServiceOptions.DefaultModel is required")
	}
	if o.MaxContentChars <= 0 {
		o.MaxContentChars = 32000
	}
	if o.MaxCompletionTokens <= 0 {
		o.MaxCompletionTokens = 4096
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = 10 * time.Second
	}
	s := &Service{o: o, now: o.Now, log: o.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

// DefaultModel is the model used when nothing else names one.
func (s *Service) DefaultModel() string { return s.o.DefaultModel }

// Models lists the models upstream can serve (the key pool caches them).
func (s *Service) Models(ctx context.Context) ([]Model, error) { return s.o.Completer.Models(ctx) }

// findModel returns the upstream model called id.
func (s *Service) findModel(ctx context.Context, id string) (Model, bool, error) {
	ms, err := s.Models(ctx)
	if err != nil {
		return Model{}, false, err
	}
	for _, m := range ms {
		if m.ID == id {
			return m, true, nil
		}
	}
	return Model{}, false, nil
}

// model resolves the model of a turn and its limits.
func (s *Service) model(ctx context.Context, requested string, conv Conversation) (Model, error) {
	id := strings.TrimSpace(requested)
	if id == "" {
		id = conv.Model
	}
	if id == "" {
		id = s.o.DefaultModel
	}
	m, ok, err := s.findModel(ctx, id)
	if err != nil || ok {
		return m, err
	}
	if requested == "" && id != s.o.DefaultModel {
		// The conversation's model has gone away upstream: say which.
		return Model{}, errs.Validation(map[string]string{"model": "the conversation's model " + id + " is no longer available"})
	}
	return Model{}, errs.Validation(map[string]string{"model": "unknown model " + id})
}

// validateContent checks one user message.
func (s *Service) validateContent(content string) error {
	switch n := utf8.RuneCountInString(content); {
	case strings.TrimSpace(content) == "":
		return errs.Validation(map[string]string{"content": "must not be empty"})
	case !utf8.ValidString(content):
		return errs.Validation(map[string]string{"content": "must be valid UTF-8"})
	case n > s.o.MaxContentChars:
		return errs.Validation(map[string]string{"content": "must be at most " + strconv.Itoa(s.o.MaxContentChars) + " characters"})
	}
	return nil
}

// completionReserve is the answer length asked for: the configured cap or
// the conversation's max_tokens, lowered to the model's limit and to half
// its context window.
func (s *Service) completionReserve(m Model, p Params) int {
	r := s.o.MaxCompletionTokens
	if p.MaxTokens != nil {
		r = min(r, *p.MaxTokens)
	}
	if m.MaxCompletion > 0 {
		r = min(r, m.MaxCompletion)
	}
	if m.ContextWindow > 0 {
		r = min(r, m.ContextWindow/2)
	}
	return r
}

// titleFrom makes a conversation title from its first user message: the
// first line, at most 80 characters.
func titleFrom(content string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(content), "\n")
	line = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, line)), " ")
	if utf8.RuneCountInString(line) <= 80 {
		return line
	}
	r := []rune(line)[:79]
	return strings.TrimSpace(string(r)) + "…"
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
