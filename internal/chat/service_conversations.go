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
	// ActiveLeafID switches branch (update only): a message of the
	// conversation, whose path becomes the one shown and continued.
	ActiveLeafID *string
	SystemPrompt *string
	// Params replace all of the conversation's parameters.
	Params *Params
	// FolderID files the conversation ("" unfiles it); Pinned and Archived
	// set those flags (update only).
	FolderID *string
	Pinned   *bool
	Archived *bool
	// PresetID (create only) starts from a preset the user may see: its
	// model, system prompt and parameters, unless the input sets them.
	PresetID *string
}

// check validates the input for a conversation whose model is model
// (unless the input changes it) and returns the update.
func (s *Service) check(in ConversationInput, model string) (ConversationUpdate, error) {
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
		model = *in.Model
	}
	s.checkSettings(fields, model, in.SystemPrompt, in.Params)
	upd.ActiveLeafID, upd.SystemPrompt, upd.Params = in.ActiveLeafID, in.SystemPrompt, in.Params
	upd.FolderID, upd.Pinned, upd.Archived = in.FolderID, in.Pinned, in.Archived
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
	base := Conversation{Model: s.o.DefaultModel}
	if in.PresetID != nil {
		p, err := s.o.Store.Preset(ctx, *in.PresetID)
		if errs.CodeOf(err) == errs.NotFound || (err == nil && !visible(userID, p)) {
			return Conversation{}, errs.Validation(map[string]string{"preset_id": "is not a preset you can use"})
		}
		if err != nil {
			return Conversation{}, err
		}
		if p.Model != "" {
			base.Model = p.Model
		}
		base.SystemPrompt, base.Params = p.SystemPrompt, p.Params
	}
	upd, err := s.check(in, base.Model)
	if err != nil {
		return Conversation{}, err
	}
	now := s.now().UTC()
	if in.ActiveLeafID != nil {
		return Conversation{}, errs.Validation(map[string]string{"active_leaf_id": "a new conversation has no message"})
	}
	if in.FolderID != nil || in.Pinned != nil || in.Archived != nil {
		return Conversation{}, errs.Validation(map[string]string{"folder_id": "folder_id, pinned and archived are set with PATCH"})
	}
	c := Conversation{ID: newID(), UserID: userID, Title: DefaultTitle, Model: base.Model,
		SystemPrompt: base.SystemPrompt, Params: base.Params, CreatedAt: now, UpdatedAt: now}
	if upd.Title != nil {
		c.Title = *upd.Title
	}
	if upd.Model != nil {
		c.Model = *upd.Model
	}
	if upd.SystemPrompt != nil {
		c.SystemPrompt = *upd.SystemPrompt
	}
	if upd.Params != nil {
		c.Params = *upd.Params
	}
	return s.o.Store.CreateConversation(ctx, c)
}

// UpdateConversation changes the title, model or active branch of one of
// the user's conversations; an active_leaf_id that is not a message of the
// conversation is refused (Invalid on that field).
func (s *Service) UpdateConversation(ctx context.Context, userID, id string, in ConversationInput) (Conversation, error) {
	if in.PresetID != nil {
		return Conversation{}, errs.Validation(map[string]string{"preset_id": "applies when a conversation is created"})
	}
	model := ""
	if in.Params != nil && in.Params.ReasoningEffort != nil && in.Model == nil {
		// reasoning_effort is checked against the conversation's model.
		c, err := s.o.Store.Conversation(ctx, userID, id)
		if err != nil {
			return Conversation{}, err
		}
		model = c.Model
	}
	upd, err := s.check(in, model)
	if err != nil {
		return Conversation{}, err
	}
	return s.o.Store.UpdateConversation(ctx, userID, id, upd)
}

// Conversations pages through the user's conversations, newest first.
func (s *Service) Conversations(ctx context.Context, userID string, p ListParams) ([]Conversation, string, error) {
	return s.o.Store.ListConversations(ctx, userID, p)
}

// Conversation returns one of the user's conversations with every message
// of every branch, oldest first.
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
