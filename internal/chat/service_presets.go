package chat

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// Preset field limits.
const (
	MaxPresetNameChars        = 100
	MaxPresetDescriptionChars = 1000
)

// PresetInput is what a user sets on a preset; nil means unset (on create:
// empty; on update: unchanged).
type PresetInput struct {
	Name         *string
	Description  *string
	Model        *string
	SystemPrompt *string
	Params       *Params
	Shared       *bool
}

// visible reports whether user may see p.
func visible(userID string, p Preset) bool { return p.Shared || p.UserID == userID }

// checkPreset validates in for a preset on model (unless in changes it).
func (s *Service) checkPreset(user account.User, in PresetInput, model string, creating bool) (PresetUpdate, error) {
	bad := map[string]string{}
	upd := PresetUpdate{Description: in.Description, SystemPrompt: in.SystemPrompt, Params: in.Params, Shared: in.Shared}
	switch {
	case in.Name != nil:
		n := strings.TrimSpace(*in.Name)
		switch {
		case n == "":
			bad["name"] = "must not be empty"
		case !utf8.ValidString(n) || strings.ContainsFunc(n, unicode.IsControl):
			bad["name"] = "must not contain control characters"
		case utf8.RuneCountInString(n) > MaxPresetNameChars:
			bad["name"] = "must be at most 100 characters"
		}
		upd.Name = &n
	case creating:
		bad["name"] = "is required"
	}
	if d := in.Description; d != nil && (!utf8.ValidString(*d) || strings.ContainsRune(*d, 0) ||
		utf8.RuneCountInString(*d) > MaxPresetDescriptionChars) {
		bad["description"] = "must be valid text of at most 1000 characters"
	}
	if in.Model != nil {
		if *in.Model != "" && (len(*in.Model) > maxModelBytes || !modelPattern.MatchString(*in.Model)) {
			bad["model"] = "is not a valid model id"
		}
		upd.Model, model = in.Model, *in.Model
	}
	if model == "" {
		model = s.o.DefaultModel
	}
	s.checkSettings(bad, model, in.SystemPrompt, in.Params)
	if len(bad) > 0 {
		return PresetUpdate{}, errs.Validation(bad)
	}
	if in.Shared != nil && *in.Shared && user.Role != account.RoleAdmin {
		return PresetUpdate{}, errs.E(errs.Forbidden, "only admins make shared presets")
	}
	return upd, nil
}

// CreatePreset stores a preset owned by user; shared only for admins
// (errs.Forbidden otherwise).
func (s *Service) CreatePreset(ctx context.Context, user account.User, in PresetInput) (Preset, error) {
	upd, err := s.checkPreset(user, in, "", true)
	if err != nil {
		return Preset{}, err
	}
	now := s.now().UTC()
	p := Preset{ID: newID(), UserID: user.ID, Name: *upd.Name, CreatedAt: now, UpdatedAt: now}
	if upd.Description != nil {
		p.Description = *upd.Description
	}
	if upd.Model != nil {
		p.Model = *upd.Model
	}
	if upd.SystemPrompt != nil {
		p.SystemPrompt = *upd.SystemPrompt
	}
	if upd.Params != nil {
		p.Params = *upd.Params
	}
	if upd.Shared != nil {
		p.Shared = *upd.Shared
	}
	return s.o.Store.CreatePreset(ctx, p)
}

// Presets lists the user's presets and the shared ones.
func (s *Service) Presets(ctx context.Context, user account.User) ([]Preset, error) {
	return s.o.Store.ListPresets(ctx, user.ID)
}

// Preset returns a preset the user may see; errs.NotFound for any other.
func (s *Service) Preset(ctx context.Context, user account.User, id string) (Preset, error) {
	p, err := s.o.Store.Preset(ctx, id)
	if err != nil {
		return Preset{}, err
	}
	if !visible(user.ID, p) {
		return Preset{}, errs.E(errs.NotFound, "preset not found")
	}
	return p, nil
}

// writable loads a preset the user may change: their own, or a shared one
// for an admin. Another user's private preset is NotFound; a shared preset
// for a non-admin who does not own it is Forbidden.
func (s *Service) writable(ctx context.Context, user account.User, id string) (Preset, error) {
	p, err := s.Preset(ctx, user, id)
	if err != nil {
		return Preset{}, err
	}
	if p.UserID != user.ID && user.Role != account.RoleAdmin {
		return Preset{}, errs.E(errs.Forbidden, "only admins change shared presets")
	}
	return p, nil
}

// UpdatePreset changes a preset the user may change.
func (s *Service) UpdatePreset(ctx context.Context, user account.User, id string, in PresetInput) (Preset, error) {
	p, err := s.writable(ctx, user, id)
	if err != nil {
		return Preset{}, err
	}
	upd, err := s.checkPreset(user, in, p.Model, false)
	if err != nil {
		return Preset{}, err
	}
	return s.o.Store.UpdatePreset(ctx, id, upd)
}

// DeletePreset removes a preset the user may change.
func (s *Service) DeletePreset(ctx context.Context, user account.User, id string) error {
	if _, err := s.writable(ctx, user, id); err != nil {
		return err
	}
	return s.o.Store.DeletePreset(ctx, id)
}
