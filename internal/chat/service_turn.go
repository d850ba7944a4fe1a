package chat

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// Turn is one answer being streamed. Read it with Next until an error
// (io.EOF when complete), then read Message and Usage. Always Close it: a
// Turn closed before the end keeps what came as a partial answer. A Turn is
// used by one goroutine.
type Turn struct {
	// UserMessage is the stored user message; nil for a regenerated answer.
	UserMessage *Message
	// AssistantID is the id the answer will be stored under.
	AssistantID string
	// ParentID is the user message the answer follows.
	ParentID string
	// Model answers this turn.
	Model string

	svc            *Service
	ctx            context.Context
	user           account.User
	convID         string
	stream         Stream
	promptEstimate int
	startedAt      time.Time
	release        func() // gives back the quota reservation

	content  strings.Builder
	usage    *Usage
	finished bool
	final    Message
	finalUse Usage
}

// Next returns the next piece of the answer as it arrives from upstream.
// It returns io.EOF once the answer is complete and stored. When the
// request's context ends, the answer is stored as partial and the context's
// error returned; when upstream fails mid-answer, what came is stored with
// status error and a client-safe *errs.Error returned.
func (t *Turn) Next() (string, error) {
	if t.finished {
		return "", io.EOF
	}
	for {
		c, err := t.stream.Next()
		if c.Usage != nil {
			u := *c.Usage
			t.usage = &u
		}
		switch {
		case errors.Is(err, io.EOF):
			t.finish(StatusComplete)
			return "", io.EOF
		case err != nil && t.ctx.Err() != nil:
			t.finish(StatusPartial)
			return "", t.ctx.Err()
		case err != nil:
			t.finish(StatusError)
			if _, ok := errs.As(err); !ok {
				err = errs.Wrap(errs.Upstream, err, "the model's answer broke off")
			}
			return "", err
		}
		if c.Content != "" {
			t.content.WriteString(c.Content)
			return c.Content, nil
		}
	}
}

// Message is the stored answer; valid after Next returned an error or Close.
func (t *Turn) Message() Message { return t.final }

// Usage is the answer's token usage as upstream reported it, or estimated
// when the answer was cut short before upstream sent its count.
func (t *Turn) Usage() Usage { return t.finalUse }

// Close ends the turn; an answer not yet finished is stored as partial.
func (t *Turn) Close() error {
	if !t.finished {
		t.finish(StatusPartial)
	}
	return nil
}

// abandon ends a turn that never reached the caller: nothing is stored.
func (t *Turn) abandon() {
	t.finished = true
	_ = t.stream.Close()
	t.release()
}

// finish closes the upstream stream, stores the answer with status, and
// accounts its tokens. It runs with a fresh context: the request's may be done.
func (t *Turn) finish(status string) {
	t.finished = true
	_ = t.stream.Close()
	s := t.svc
	u := Usage{}
	if t.usage != nil {
		u = *t.usage
	} else {
		u.PromptTokens = t.promptEstimate
		if t.content.Len() > 0 {
			u.CompletionTokens = EstimateTokens(t.content.String())
		}
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	t.finalUse = u

	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), s.o.StoreTimeout)
	defer cancel()
	msg := Message{
		ID: t.AssistantID, ConversationID: t.convID, ParentID: t.ParentID, Role: RoleAssistant,
		Content: t.content.String(), Model: t.Model, Status: status,
		PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, CreatedAt: t.startedAt,
	}
	stored, err := s.o.Store.AddMessage(ctx, t.user.ID, msg)
	if err != nil {
		s.log.ErrorContext(ctx, "store answer", slog.String("conversation_id", t.convID),
			slog.String("message_id", t.AssistantID), slog.Any("error", err))
		stored = msg
	}
	t.final = stored
	s.record(ctx, t.user.ID, t.Model, u.PromptTokens, u.CompletionTokens)
	t.release() // after the real count: the total never dips below it
}
