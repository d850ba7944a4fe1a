package httpapi

import (
	"net/http"
)

// ModelJSON is one entry of GET /api/v1/models.
type ModelJSON struct {
	ID            string `json:"id"`
	OwnedBy       string `json:"owned_by"`
	ContextWindow int    `json:"context_window"`
	MaxCompletion int    `json:"max_completion_tokens"`
}

type modelsJSON struct {
	Data         []ModelJSON `json:"data"`
	DefaultModel string      `json:"default_model"`
	Configured   bool        `json:"configured"`
}

// listModels answers GET /api/v1/models from the (cached) pool list.
func (s *Server) listModels(w http.ResponseWriter, r *http.Request) error {
	out := modelsJSON{Data: []ModelJSON{}, DefaultModel: s.d.Chat.DefaultModel(), Configured: s.configured()}
	if out.Configured {
		ms, err := s.d.Chat.Models(r.Context())
		if err != nil {
			return err
		}
		for _, m := range ms {
			out.Data = append(out.Data, ModelJSON{ID: m.ID, OwnedBy: m.OwnedBy, ContextWindow: m.ContextWindow, MaxCompletion: m.MaxCompletion})
		}
	}
	return WriteJSON(w, http.StatusOK, out)
}

// configured reports whether the key pool has any Groq key right now.
func (s *Server) configured() bool {
	return s.d.ChatConfigured == nil || s.d.ChatConfigured()
}
