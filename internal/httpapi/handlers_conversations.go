package httpapi

import (
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// Limits on conversation fields.
const (
	MaxTitleChars = 200
	DefaultTitle  = "New conversation"
	maxModelBytes = 128
)

var modelPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`)

func checkTitle(fields map[string]string, raw string) string {
	t := strings.TrimSpace(raw)
	switch {
	case t == "":
		fields["title"] = "must not be empty"
	case !CleanText(t):
		fields["title"] = "must not contain control characters"
	case utf8.RuneCountInString(t) > MaxTitleChars:
		fields["title"] = "must be at most 200 characters"
	}
	return t
}

// CheckModel reports a field message when m is not a plausible model id.
func CheckModel(m string) string {
	if len(m) > maxModelBytes || !modelPattern.MatchString(m) {
		return "is not a valid model id"
	}
	return ""
}

type conversationInput struct {
	Title *string `json:"title"`
	Model *string `json:"model"`
}

func (in conversationInput) check() (title, model *string, err error) {
	fields := map[string]string{}
	if in.Title != nil {
		t := checkTitle(fields, *in.Title)
		title = &t
	}
	if in.Model != nil {
		if msg := CheckModel(*in.Model); msg != "" {
			fields["model"] = msg
		}
		model = in.Model
	}
	if len(fields) > 0 {
		return nil, nil, errs.Validation(fields)
	}
	return title, model, nil
}

func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	var in conversationInput
	if err := DecodeOptionalJSON(r, &in); err != nil {
		return err
	}
	title, model, err := in.check()
	if err != nil {
		return err
	}
	c := chat.Conversation{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, Title: DefaultTitle, Model: s.defaultModel}
	if title != nil {
		c.Title = *title
	}
	if model != nil {
		c.Model = *model
	}
	c.CreatedAt = time.Now().UTC()
	c.UpdatedAt = c.CreatedAt
	c, err = s.chat.CreateConversation(r.Context(), c)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, NewConversationJSON(c))
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	p, err := ParsePage(r)
	if err != nil {
		return err
	}
	convs, next, err := s.chat.ListConversations(r.Context(), u.ID, chat.ListParams{Limit: p.Limit, Cursor: p.Cursor, Query: p.Query})
	if err != nil {
		return err
	}
	out := make([]ConversationJSON, len(convs))
	for i, c := range convs {
		out[i] = NewConversationJSON(c)
	}
	return WriteJSON(w, http.StatusOK, NewList(out, next))
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "conversation")
	if err != nil {
		return err
	}
	c, err := s.chat.Conversation(r.Context(), u.ID, id)
	if err != nil {
		return err
	}
	msgs, err := s.chat.Messages(r.Context(), u.ID, id)
	if err != nil {
		return err
	}
	out := NewConversationJSON(c)
	list := make([]MessageJSON, len(msgs))
	for i, m := range msgs {
		list[i] = NewMessageJSON(m)
	}
	out.Messages = &list
	return WriteJSON(w, http.StatusOK, out)
}

func (s *Server) patchConversation(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "conversation")
	if err != nil {
		return err
	}
	var in conversationInput
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	title, model, err := in.check()
	if err != nil {
		return err
	}
	c, err := s.chat.UpdateConversation(r.Context(), u.ID, id, chat.ConversationUpdate{Title: title, Model: model})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, NewConversationJSON(c))
}

func (s *Server) deleteConversation(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "conversation")
	if err != nil {
		return err
	}
	if err := s.chat.DeleteConversation(r.Context(), u.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
