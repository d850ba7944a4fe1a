package chat

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// Send stores the user's message in the conversation and starts the
// model's answer. Errors before the answer starts are returned here: a
// missing conversation (NotFound), bad content or model (Invalid with
// fields), an exhausted quota (QuotaExceeded), or the Completer's errors
// (RateLimited with RetryAfterSeconds, Unavailable, ...). The user message is
// stored before the upstream call, so it stays even if that call fails.
func (s *Service) Send(ctx context.Context, user account.User, conversationID, content, model string) (*Turn, error) {
	if err := s.validateContent(content); err != nil {
		return nil, err
	}
	conv, m, msgs, err := s.prepare(ctx, user, conversationID, model)
	if err != nil {
		return nil, err
	}
	system, rest := s.history(msgs)
	rest = append(rest, wireMessage{Role: RoleUser, Content: content})
	reserve := s.completionReserve(m)
	kept, tokens, ok := trimHistory(system, rest, m.ContextWindow-reserve)
	if !ok {
		return nil, errs.Validation(map[string]string{"content": "too long for the context window of " + m.ID})
	}
	release, err := s.reserveQuota(ctx, user, tokens+reserve)
	if err != nil {
		return nil, err
	}
	t, err := s.sendStarted(ctx, user, conv, m, msgs, content, kept, tokens+reserve, reserve, release)
	if err != nil {
		release()
		return nil, err
	}
	return t, nil
}

// sendStarted is Send once the quota is reserved: it stores the user
// message and starts the answer, whose Turn releases the reservation.
func (s *Service) sendStarted(ctx context.Context, user account.User, conv Conversation, m Model, msgs []Message,
	content string, kept []wireMessage, estimate, reserve int, release func()) (*Turn, error) {
	userMsg, err := s.o.Store.AddMessage(ctx, user.ID, Message{
		ID: newID(), ConversationID: conv.ID, Role: RoleUser, Content: content,
		Model: m.ID, Status: StatusComplete, CreatedAt: s.now().UTC(),
	})
	if err != nil {
		return nil, fmt.Errorf("store user message: %w", err)
	}
	upd := ConversationUpdate{}
	if conv.Title == "" || (conv.Title == DefaultTitle && len(msgs) == 0) {
		t := titleFrom(content)
		upd.Title = &t
	}
	if conv.Model != m.ID {
		upd.Model = &m.ID
	}
	if upd.Title != nil || upd.Model != nil {
		if _, err := s.o.Store.UpdateConversation(ctx, user.ID, conv.ID, upd); err != nil {
			return nil, fmt.Errorf("update conversation: %w", err)
		}
	}
	t, err := s.start(ctx, user, conv, m, kept, estimate, reserve, release)
	if err != nil {
		return nil, err
	}
	t.UserMessage = &userMsg
	return t, nil
}

// prepare loads what both Send and Regenerate start from: the user's
// conversation, the model to use, a first quota check (the reservation
// follows once the history is trimmed), and the messages so far.
func (s *Service) prepare(ctx context.Context, user account.User, conversationID, model string) (Conversation, Model, []Message, error) {
	conv, err := s.o.Store.Conversation(ctx, user.ID, conversationID)
	if err != nil {
		return Conversation{}, Model{}, nil, err
	}
	m, err := s.model(ctx, model, conv)
	if err != nil {
		return Conversation{}, Model{}, nil, err
	}
	if err := s.checkQuota(ctx, user); err != nil {
		return Conversation{}, Model{}, nil, err
	}
	msgs, err := s.o.Store.Messages(ctx, user.ID, conv.ID)
	if err != nil {
		return Conversation{}, Model{}, nil, err
	}
	return conv, m, msgs, nil
}

// Regenerate answers the conversation's last user message again. The last
// assistant answer, if any, is replaced: it is deleted once the new answer
// has started, so a failed attempt keeps the old one.
func (s *Service) Regenerate(ctx context.Context, user account.User, conversationID, model string) (*Turn, error) {
	conv, m, msgs, err := s.prepare(ctx, user, conversationID, model)
	if err != nil {
		return nil, err
	}
	var old *Message
	if n := len(msgs); n > 0 && msgs[n-1].Role == RoleAssistant {
		old = &msgs[n-1]
		msgs = msgs[:n-1]
	}
	if n := len(msgs); n == 0 || msgs[n-1].Role != RoleUser {
		return nil, errs.E(errs.Invalid, "the conversation has no user message to answer")
	}
	system, rest := s.history(msgs)
	reserve := s.completionReserve(m)
	kept, tokens, ok := trimHistory(system, rest, m.ContextWindow-reserve)
	if !ok {
		return nil, errs.E(errs.Invalid, "the last message is too long for the context window of %s", m.ID)
	}
	release, err := s.reserveQuota(ctx, user, tokens+reserve)
	if err != nil {
		return nil, err
	}
	t, err := s.start(ctx, user, conv, m, kept, tokens+reserve, reserve, release)
	if err != nil {
		release()
		return nil, err
	}
	if old != nil {
		if err := s.o.Store.DeleteMessage(ctx, user.ID, conv.ID, old.ID); err != nil {
			t.abandon()
			return nil, fmt.Errorf("delete replaced answer: %w", err)
		}
	}
	if conv.Model != m.ID {
		if _, err := s.o.Store.UpdateConversation(ctx, user.ID, conv.ID, ConversationUpdate{Model: &m.ID}); err != nil {
			s.log.WarnContext(ctx, "update conversation model", slog.String("conversation_id", conv.ID), slog.Any("error", err))
		}
	}
	return t, nil
}

// checkQuota refuses a user whose quota is used up before any work: a
// reservation of nothing (given back at once).
func (s *Service) checkQuota(ctx context.Context, user account.User) error {
	release, err := s.reserveQuota(ctx, user, 0)
	if err == nil {
		release()
	}
	return err
}

// reserveQuota reserves a call's estimated tokens; the returned release
// gives them back once the call's real count is recorded.
func (s *Service) reserveQuota(ctx context.Context, user account.User, estimate int) (func(), error) {
	if s.o.Quota == nil {
		return func() {}, nil
	}
	return s.o.Quota.Reserve(ctx, user, int64(estimate))
}

// start sends the trimmed history upstream and returns the Turn that
// streams the answer.
func (s *Service) start(ctx context.Context, user account.User, conv Conversation, m Model,
	msgs []wireMessage, estimate, reserve int, release func()) (*Turn, error) {
	body, err := marshalBody(m.ID, msgs, reserve)
	if err != nil {
		return nil, fmt.Errorf("marshal completion: %w", err)
	}
	req := CompletionRequest{
		Model: m.ID, Body: body, Stream: true, EstimatedTokens: estimate,
		Affinity: conv.ID, RequestID: reqctx.RequestID(ctx),
	}
	stream, err := s.o.Completer.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	return &Turn{
		AssistantID: newID(), Model: m.ID,
		svc: s, ctx: ctx, user: user, convID: conv.ID, stream: stream,
		promptEstimate: estimate - reserve, startedAt: s.now().UTC(), release: release,
	}, nil
}
