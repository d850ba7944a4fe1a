package chat

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// SendInput is one user message to send. ParentID and EditOf choose where
// it goes in the conversation's tree; both empty: after the active leaf.
type SendInput struct {
	Content string
	Model   string // "" keeps the conversation's model
	// ParentID continues from that message of the conversation (any
	// earlier answer, starting a new branch when it is not the leaf).
	ParentID string
	// EditOf names a user message: the new message is an edited version
	// of it, stored as its sibling (same parent), starting a new branch.
	EditOf string
}

// RegenerateInput asks for another answer.
type RegenerateInput struct {
	Model string // "" keeps the conversation's model
	// MessageID is the answer to regenerate (the new answer is its
	// sibling) or the user message to answer; "" means the active leaf.
	MessageID string
}

// Send stores the user's message in the conversation and starts the
// model's answer. Errors before the answer starts are returned here: a
// missing conversation (NotFound), bad content, model, parent_id or edit_of
// (Invalid with fields), an exhausted quota (QuotaExceeded), or the
// Completer's errors (RateLimited with RetryAfterSeconds, Unavailable, ...).
// The user message is stored before the upstream call, so it stays even if
// that call fails. The model sees the path from the first message to the
// new one, nothing of the other branches.
func (s *Service) Send(ctx context.Context, user account.User, conversationID string, in SendInput) (*Turn, error) {
	if err := s.validateContent(in.Content); err != nil {
		return nil, err
	}
	if in.ParentID != "" && in.EditOf != "" {
		return nil, errs.Validation(map[string]string{"edit_of": "cannot be combined with parent_id"})
	}
	conv, m, msgs, err := s.prepare(ctx, user, conversationID, in.Model)
	if err != nil {
		return nil, err
	}
	parentID, err := sendParent(conv, msgs, in)
	if err != nil {
		return nil, err
	}
	system, rest := s.history(conv, pathTo(msgs, parentID))
	rest = append(rest, wireMessage{Role: RoleUser, Content: in.Content})
	reserve := s.completionReserve(m, conv.Params)
	kept, tokens, ok := trimHistory(system, rest, m.ContextWindow-reserve)
	if !ok {
		return nil, errs.Validation(map[string]string{"content": "too long for the context window of " + m.ID})
	}
	release, err := s.reserveQuota(ctx, user, tokens+reserve)
	if err != nil {
		return nil, err
	}
	t, err := s.sendStarted(ctx, user, conv, m, msgs, parentID, in.Content, kept, tokens+reserve, reserve, release)
	if err != nil {
		release()
		return nil, err
	}
	return t, nil
}

// sendStarted is Send once the quota is reserved: it stores the user
// message and starts the answer, whose Turn releases the reservation.
func (s *Service) sendStarted(ctx context.Context, user account.User, conv Conversation, m Model, msgs []Message,
	parentID, content string, kept []wireMessage, estimate, reserve int, release func()) (*Turn, error) {
	userMsg, err := s.o.Store.AddMessage(ctx, user.ID, Message{
		ID: newID(), ConversationID: conv.ID, ParentID: parentID, Role: RoleUser, Content: content,
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
	t, err := s.start(ctx, user, conv, m, userMsg.ID, kept, estimate, reserve, release)
	if err != nil {
		return nil, err
	}
	t.UserMessage = &userMsg
	return t, nil
}

// sendParent is the parent of a new user message: in.ParentID, the parent
// of the message in.EditOf edits, or the active leaf.
func sendParent(conv Conversation, msgs []Message, in SendInput) (string, error) {
	switch {
	case in.EditOf != "":
		m, ok := findMessage(msgs, in.EditOf)
		if !ok {
			return "", errs.Validation(map[string]string{"edit_of": "is not a message of this conversation"})
		}
		if m.Role != RoleUser {
			return "", errs.Validation(map[string]string{"edit_of": "must be a user message"})
		}
		return m.ParentID, nil
	case in.ParentID != "":
		if _, ok := findMessage(msgs, in.ParentID); !ok {
			return "", errs.Validation(map[string]string{"parent_id": "is not a message of this conversation"})
		}
		return in.ParentID, nil
	}
	if _, ok := findMessage(msgs, conv.ActiveLeafID); ok {
		return conv.ActiveLeafID, nil
	}
	return "", nil
}

func findMessage(msgs []Message, id string) (Message, bool) {
	if id == "" {
		return Message{}, false
	}
	for _, m := range msgs {
		if m.ID == id {
			return m, true
		}
	}
	return Message{}, false
}

// pathTo is the branch that ends at message id: the messages from the
// first one down to id, in order; empty when id is "" or unknown.
func pathTo(msgs []Message, id string) []Message {
	byID := make(map[string]Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	var path []Message
	for id != "" && len(path) <= len(msgs) { // the bound stops a cycle the store should never hold
		m, ok := byID[id]
		if !ok {
			break
		}
		path = append(path, m)
		id = m.ParentID
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
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

// Regenerate answers a user message again: the one in.MessageID names, the
// question of the answer it names, or (by default) the active leaf's. The
// new answer is stored as a sibling of the earlier ones, which stay: the
// conversation keeps every version, and the new one becomes the active leaf.
func (s *Service) Regenerate(ctx context.Context, user account.User, conversationID string, in RegenerateInput) (*Turn, error) {
	conv, m, msgs, err := s.prepare(ctx, user, conversationID, in.Model)
	if err != nil {
		return nil, err
	}
	target := in.MessageID
	if target == "" {
		target = conv.ActiveLeafID
	}
	tm, found := findMessage(msgs, target)
	if !found && in.MessageID != "" {
		return nil, errs.Validation(map[string]string{"message_id": "is not a message of this conversation"})
	}
	if found && tm.Role == RoleAssistant {
		tm, found = findMessage(msgs, tm.ParentID)
	}
	if !found || tm.Role != RoleUser {
		return nil, errs.E(errs.Invalid, "the conversation has no user message to answer")
	}
	system, rest := s.history(conv, pathTo(msgs, tm.ID))
	reserve := s.completionReserve(m, conv.Params)
	kept, tokens, ok := trimHistory(system, rest, m.ContextWindow-reserve)
	if !ok {
		return nil, errs.E(errs.Invalid, "the last message is too long for the context window of %s", m.ID)
	}
	release, err := s.reserveQuota(ctx, user, tokens+reserve)
	if err != nil {
		return nil, err
	}
	t, err := s.start(ctx, user, conv, m, tm.ID, kept, tokens+reserve, reserve, release)
	if err != nil {
		release()
		return nil, err
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
// streams the answer, to be stored under parentID.
func (s *Service) start(ctx context.Context, user account.User, conv Conversation, m Model, parentID string,
	msgs []wireMessage, estimate, reserve int, release func()) (*Turn, error) {
	body, err := marshalBody(m.ID, msgs, reserve, turnParams(conv.Params, m.ID))
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
		AssistantID: newID(), ParentID: parentID, Model: m.ID,
		svc: s, ctx: ctx, user: user, convID: conv.ID, stream: stream,
		promptEstimate: estimate - reserve, startedAt: s.now().UTC(), release: release,
	}, nil
}
