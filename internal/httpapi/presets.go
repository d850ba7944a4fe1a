package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// PresetJSON is the API's Preset object.
type PresetJSON struct {
	ID           string      `json:"id"`
	Name         string      `json:"name"`
	Description  string      `json:"description"`
	Model        string      `json:"model"`
	SystemPrompt string      `json:"system_prompt"`
	Params       chat.Params `json:"params"`
	Shared       bool        `json:"shared"`
	Mine         bool        `json:"mine"`
	CreatedAt    Time        `json:"created_at"`
	UpdatedAt    Time        `json:"updated_at"`
}

// NewPresetJSON converts a preset as userID sees it (never its owner's id).
func NewPresetJSON(p chat.Preset, userID string) PresetJSON {
	return PresetJSON{ID: p.ID, Name: p.Name, Description: p.Description, Model: p.Model, SystemPrompt: p.SystemPrompt,
		Params: p.Params, Shared: p.Shared, Mine: p.UserID == userID, CreatedAt: Time(p.CreatedAt), UpdatedAt: Time(p.UpdatedAt)}
}

type presetBody struct {
	Name         *string      `json:"name"`
	Description  *string      `json:"description"`
	Model        *string      `json:"model"`
	SystemPrompt *string      `json:"system_prompt"`
	Params       *chat.Params `json:"params"`
	Shared       *bool        `json:"shared"`
}

func (b presetBody) input() chat.PresetInput {
	return chat.PresetInput{Name: b.Name, Description: b.Description, Model: b.Model, SystemPrompt: b.SystemPrompt,
		Params: b.Params, Shared: b.Shared}
}

func (s *Server) createPreset(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	var in presetBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.d.Chat.CreatePreset(r.Context(), u, in.input())
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, NewPresetJSON(p, u.ID))
}

func (s *Server) listPresets(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	ps, err := s.d.Chat.Presets(r.Context(), u)
	if err != nil {
		return err
	}
	out := make([]PresetJSON, len(ps))
	for i, p := range ps {
		out[i] = NewPresetJSON(p, u.ID)
	}
	return WriteJSON(w, http.StatusOK, NewList(out, ""))
}

func (s *Server) getPreset(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "preset")
	if err != nil {
		return err
	}
	p, err := s.d.Chat.Preset(r.Context(), u, id)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, NewPresetJSON(p, u.ID))
}

func (s *Server) patchPreset(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "preset")
	if err != nil {
		return err
	}
	var in presetBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.d.Chat.UpdatePreset(r.Context(), u, id, in.input())
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, NewPresetJSON(p, u.ID))
}

func (s *Server) deletePreset(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "preset")
	if err != nil {
		return err
	}
	if err := s.d.Chat.DeletePreset(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
