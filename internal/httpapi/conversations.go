package httpapi

import (
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

type conversationBody struct {
	Title        *string      `json:"title"`
	Model        *string      `json:"model"`
	SystemPrompt *string      `json:"system_prompt"`
	Params       *chat.Params `json:"params"`
}

func (b conversationBody) input() chat.ConversationInput {
	return chat.ConversationInput{Title: b.Title, Model: b.Model, SystemPrompt: b.SystemPrompt, Params: b.Params}
}

type createConversationBody struct {
	conversationBody
	PresetID *string `json:"preset_id"`
}

type patchConversationBody struct {
	conversationBody
	ActiveLeafID *string        `json:"active_leaf_id"`
	FolderID     nullableString `json:"folder_id"`
	Pinned       *bool          `json:"pinned"`
	Archived     *bool          `json:"archived"`
}

func (b patchConversationBody) input() chat.ConversationInput {
	in := b.conversationBody.input()
	in.ActiveLeafID, in.FolderID, in.Pinned, in.Archived = b.ActiveLeafID, b.FolderID.ptr(), b.Pinned, b.Archived
	return in
}

// listFilters reads ?folder_id=, ?pinned=, ?archived= (true or false).
func listFilters(r *http.Request, p *chat.ListParams) error {
	q := r.URL.Query()
	p.FolderID = q.Get("folder_id")
	bad := map[string]string{}
	for name, dst := range map[string]**bool{"pinned": &p.Pinned} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil || (v != "true" && v != "false") {
				bad[name] = "must be true or false"
			}
			*dst = &b
		}
	}
	if v := q.Get("archived"); v != "" {
		switch v {
		case "true":
			p.Archived = true
		case "false":
		default:
			bad["archived"] = "must be true or false"
		}
	}
	if len(bad) > 0 {
		return errs.Validation(bad)
	}
	return nil
}

func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	var in createConversationBody
	if err := DecodeOptionalJSON(r, &in); err != nil {
		return err
	}
	ci := in.input()
	ci.PresetID = in.PresetID
	c, err := s.d.Chat.CreateConversation(r.Context(), u.ID, ci)
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
	lp := chat.ListParams{Limit: p.Limit, Cursor: p.Cursor, Query: p.Query}
	if err := listFilters(r, &lp); err != nil {
		return err
	}
	convs, next, err := s.d.Chat.Conversations(r.Context(), u.ID, lp)
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
	c, msgs, err := s.d.Chat.Conversation(r.Context(), u.ID, id)
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
	var in patchConversationBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.d.Chat.UpdateConversation(r.Context(), u.ID, id, in.input())
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
	if err := s.d.Chat.DeleteConversation(r.Context(), u.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
