package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

var presetNotFound = sqlkit.Msgs{NotFound: "preset not found"}

const presetCols = `id, user_id, name, description, model, system_prompt, params, shared, created_at, updated_at`

func scanPreset(row rowScanner) (chat.Preset, error) {
	var p chat.Preset
	var params string
	var created, updated int64
	err := row.Scan(&p.ID, &p.UserID, &p.Name, &p.Description, &p.Model, &p.SystemPrompt, &params, &p.Shared, &created, &updated)
	p.CreatedAt, p.UpdatedAt = tOut(created), tOut(updated)
	if err == nil {
		err = sqlkit.ParseParams(params, &p.Params)
	}
	return p, err
}

func checkPresetText(name, description, model, system string) error {
	return sqlkit.CheckText("name", name, "description", description, "model", model, "system_prompt", system)
}

// CreatePreset stores p; errs.NotFound when its owner does not exist.
func (s *Store) CreatePreset(ctx context.Context, p chat.Preset) (chat.Preset, error) {
	if err := checkPresetText(p.Name, p.Description, p.Model, p.SystemPrompt); err != nil {
		return chat.Preset{}, err
	}
	p.ID = sqlkit.ID(p.ID)
	p.CreatedAt = sqlkit.TimeOrNow(p.CreatedAt)
	p.UpdatedAt = p.CreatedAt
	_, err := s.w.ExecContext(ctx, `INSERT INTO presets (`+presetCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.UserID, p.Name, p.Description, p.Model, p.SystemPrompt, sqlkit.FormatParams(p.Params), p.Shared,
		tIn(p.CreatedAt), tIn(p.UpdatedAt))
	if err != nil {
		return chat.Preset{}, fail(ctx, "create preset", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "preset already exists"})
	}
	return p, nil
}

// Preset returns preset id, whoever owns it.
func (s *Store) Preset(ctx context.Context, id string) (chat.Preset, error) {
	p, err := scanPreset(s.r.QueryRowContext(ctx, `SELECT `+presetCols+` FROM presets WHERE id = ?`, id))
	return p, fail(ctx, "preset", err, presetNotFound)
}

// ListPresets returns the user's presets and the shared ones.
func (s *Store) ListPresets(ctx context.Context, userID string) ([]chat.Preset, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+presetCols+` FROM presets WHERE user_id = ? OR shared
		ORDER BY shared DESC, parley_lower(name), id`, userID)
	if err != nil {
		return nil, fail(ctx, "list presets", err, sqlkit.Msgs{})
	}
	out, err := collect(rows, scanPreset)
	return out, fail(ctx, "list presets", err, sqlkit.Msgs{})
}

// UpdatePreset changes the fields upd sets.
func (s *Store) UpdatePreset(ctx context.Context, id string, upd chat.PresetUpdate) (chat.Preset, error) {
	if err := checkPresetText(deref(upd.Name), deref(upd.Description), deref(upd.Model), deref(upd.SystemPrompt)); err != nil {
		return chat.Preset{}, err
	}
	var sets []string
	var args []any
	for _, f := range []struct {
		col string
		v   *string
	}{{"name", upd.Name}, {"description", upd.Description}, {"model", upd.Model}, {"system_prompt", upd.SystemPrompt}} {
		if f.v != nil {
			sets, args = append(sets, f.col+" = ?"), append(args, *f.v)
		}
	}
	if upd.Params != nil {
		sets, args = append(sets, "params = ?"), append(args, sqlkit.FormatParams(*upd.Params))
	}
	if upd.Shared != nil {
		sets, args = append(sets, "shared = ?"), append(args, *upd.Shared)
	}
	sets, args = append(sets, "updated_at = max(updated_at, ?)"), append(args, tIn(time.Now()), id)
	p, err := scanPreset(s.w.QueryRowContext(ctx, `UPDATE presets SET `+strings.Join(sets, ", ")+
		` WHERE id = ? RETURNING `+presetCols, args...))
	return p, fail(ctx, "update preset", err, presetNotFound)
}

// DeletePreset removes preset id; conversations made from it keep their copy.
func (s *Store) DeletePreset(ctx context.Context, id string) error {
	n, err := affected(s.w.ExecContext(ctx, `DELETE FROM presets WHERE id = ?`, id))
	if err == nil && n == 0 {
		return errs.E(errs.NotFound, "preset not found")
	}
	return fail(ctx, "delete preset", err, sqlkit.Msgs{})
}
