package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/errs"
)

// SearchHitJSON is one hit of GET /api/v1/search.
type SearchHitJSON struct {
	ConversationID string  `json:"conversation_id"`
	MessageID      *string `json:"message_id"`
	Title          string  `json:"title"`
	Snippet        string  `json:"snippet"`
	CreatedAt      Time    `json:"created_at"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	p, err := ParsePage(r)
	if err != nil {
		return err
	}
	if p.Query == "" {
		return errs.Validation(map[string]string{"q": "is required"})
	}
	hits, next, err := s.d.Chat.Search(r.Context(), u.ID, p.Query, p.Limit, p.Cursor)
	if err != nil {
		return err
	}
	out := make([]SearchHitJSON, len(hits))
	for i, h := range hits {
		out[i] = SearchHitJSON{ConversationID: h.ConversationID, MessageID: optional(h.MessageID), Title: h.Title,
			Snippet: h.Snippet, CreatedAt: Time(h.CreatedAt)}
	}
	return WriteJSON(w, http.StatusOK, NewList(out, next))
}
