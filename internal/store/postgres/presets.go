package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

var presetNotFound = sqlkit.Msgs{NotFound: "preset not found"}

const presetCols = `id, user_id, name, description, model, system_prompt, params, shared, created_at, updated_at`

func scanPreset(row pgx.Row) (chat.Preset, error) {
	var p chat.Preset
	var params string
	err := row.Scan(&p.ID, &p.UserID, &p.Name, &p.Description, &p.Model, &p.SystemPrompt, &params, &p.Shared, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
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
	_, err := s.w.Exec(ctx, `INSERT INTO presets (`+presetCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.ID, p.UserID, p.Name, p.Description, p.Model, p.SystemPrompt, sqlkit.FormatParams(p.Params), p.Shared,
		p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return chat.Preset{}, fail(ctx, "create preset", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "preset already exists"})
	}
	return p, nil
}

// Preset returns preset id, whoever owns it (primary).
func (s *Store) Preset(ctx context.Context, id string) (chat.Preset, error) {
	p, err := scanPreset(s.w.QueryRow(ctx, `SELECT `+presetCols+` FROM presets WHERE id = $1`, id))
	return p, fail(ctx, "preset", err, presetNotFound)
}

// ListPresets returns the user's presets and the shared ones (primary).
func (s *Store) ListPresets(ctx context.Context, userID string) ([]chat.Preset, error) {
	rows, err := s.w.Query(ctx, `SELECT `+presetCols+` FROM presets WHERE user_id = $1 OR shared
		ORDER BY shared DESC, lower(name) COLLATE "C", id COLLATE "C"`, userID)
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
	sets := []string{"updated_at = GREATEST(updated_at, $2)"}
	args := []any{id, tIn(time.Now())}
	add := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	for _, f := range []struct {
		col string
		v   *string
	}{{"name", upd.Name}, {"description", upd.Description}, {"model", upd.Model}, {"system_prompt", upd.SystemPrompt}} {
		if f.v != nil {
			add(f.col, *f.v)
		}
	}
	if upd.Params != nil {
		add("params", sqlkit.FormatParams(*upd.Params))
	}
	if upd.Shared != nil {
		add("shared", *upd.Shared)
	}
	p, err := scanPreset(s.w.QueryRow(ctx, `UPDATE presets SET `+strings.Join(sets, ", ")+
		` WHERE id = $1 RETURNING `+presetCols, args...))
	return p, fail(ctx, "update preset", err, presetNotFound)
}

// DeletePreset removes preset id; conversations made from it keep their copy.
func (s *Store) DeletePreset(ctx context.Context, id string) error {
	tag, err := s.w.Exec(ctx, `DELETE FROM presets WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		return errs.E(errs.NotFound, "preset not found")
	}
	return fail(ctx, "delete preset", err, sqlkit.Msgs{})
}
