package chat

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-chat/parley/internal/errs"
)

// Rules of conversation fields.
const (
	// DefaultTitle names a conversation created without a title; it counts
	// as unset, so the first user message gives the conversation its title.
	DefaultTitle  = "New conversation"
	MaxTitleChars = 200
	maxModelBytes = 128
)

var modelPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`)

// ConversationInput is what a user sets on a conversation; nil means
// unset (on create: the default; on update: unchanged).
type ConversationInput struct {
	Title *string
	Model *string
}

// check validates the input and returns the trimmed title.
func (in ConversationInput) check() (ConversationUpdate, error) {
	fields := map[string]string{}
	var upd ConversationUpdate
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		switch {
		case t == "":
			fields["title"] = "must not be empty"
		case !utf8.ValidString(t) || strings.ContainsFunc(t, unicode.IsControl):
			fields["title"] = "must not contain control characters"
		case utf8.RuneCountInString(t) > MaxTitleChars:
			fields["title"] = "must be at most 200 characters"
		case strings.ContainsFunc(t, isBidiControl):
			fields["title"] = "must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)"
		}
		upd.Title = &t
	}
	if in.Model != nil {
		if len(*in.Model) > maxModelBytes || !modelPattern.MatchString(*in.Model) {
			fields["model"] = "is not a valid model id"
		}
		upd.Model = in.Model
	}
	if len(fields) > 0 {
		return ConversationUpdate{}, errs.Validation(fields)
	}
	return upd, nil
}

// isBidiControl reports an embedding, override or isolate character: they
// reorder the text around them, so a title could display as something else.
// The marks LRM, RLM and ALM stay allowed (right-to-left text needs them).
// account.BidiControl applies the same rule to names.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// CreateConversation starts a conversation for userID, titled DefaultTitle
// and on the default model unless the input says otherwise.
func (s *Service) CreateConversation(ctx context.Context, userID string, in ConversationInput) (Conversation, error) {
	upd, err := in.check()
	if err != nil {
		return Conversation{}, err
	}
	now := s.now().UTC()
	c := Conversation{ID: newID(), UserID: userID, Title: DefaultTitle, Model: s.o.DefaultModel, CreatedAt: now, UpdatedAt: now}
	if upd.Title != nil {
		c.Title = *upd.Title
	}
	if upd.Model != nil {
		c.Model = *upd.Model
	}
	return s.o.Store.CreateConversation(ctx, c)
}

// UpdateConversation changes the title or model of one of the user's
// conversations.
func (s *Service) UpdateConversation(ctx context.Context, userID, id string, in ConversationInput) (Conversation, error) {
	upd, err := in.check()
	if err != nil {
		return Conversation{}, err
	}
	return s.o.Store.UpdateConversation(ctx, userID, id, upd)
}

// Conversations pages through the user's conversations, newest first.
func (s *Service) Conversations(ctx context.Context, userID string, p ListParams) ([]Conversation, string, error) {
	return s.o.Store.ListConversations(ctx, userID, p)
}

// Conversation returns one of the user's conversations with its messages,
// oldest first.
func (s *Service) Conversation(ctx context.Context, userID, id string) (Conversation, []Message, error) {
	c, err := s.o.Store.Conversation(ctx, userID, id)
	if err != nil {
		return Conversation{}, nil, err
	}
	msgs, err := s.o.Store.Messages(ctx, userID, id)
	if err != nil {
		return Conversation{}, nil, err
	}
	return c, msgs, nil
}

// DeleteConversation removes one of the user's conversations and its messages.
func (s *Service) DeleteConversation(ctx context.Context, userID, id string) error {
	return s.o.Store.DeleteConversation(ctx, userID, id)
}
