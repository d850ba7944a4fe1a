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
func (a *ChatAPI) listModels(w http.ResponseWriter, r *http.Request) error {
	out := modelsJSON{Data: []ModelJSON{}, DefaultModel: a.d.Chat.DefaultModel(), Configured: a.configured()}
	if out.Configured {
		ms, err := a.d.Chat.Models(r.Context())
		if err != nil {
			return err
		}
		for _, m := range ms {
			out.Data = append(out.Data, ModelJSON{ID: m.ID, OwnedBy: m.OwnedBy, ContextWindow: m.ContextWindow, MaxCompletion: m.MaxCompletion})
		}
	}
	return WriteJSON(w, http.StatusOK, out)
}
