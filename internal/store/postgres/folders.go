package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

var folderNotFound = sqlkit.Msgs{NotFound: "folder not found"}

const folderCols = `id, user_id, name, created_at, updated_at`

func scanFolder(row pgx.Row) (chat.Folder, error) {
	var f chat.Folder
	err := row.Scan(&f.ID, &f.UserID, &f.Name, &f.CreatedAt, &f.UpdatedAt)
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, err
}

// CreateFolder stores f; errs.NotFound when its user does not exist.
func (s *Store) CreateFolder(ctx context.Context, f chat.Folder) (chat.Folder, error) {
	if err := sqlkit.CheckText("name", f.Name); err != nil {
		return chat.Folder{}, err
	}
	f.ID = sqlkit.ID(f.ID)
	f.CreatedAt = sqlkit.TimeOrNow(f.CreatedAt)
	f.UpdatedAt = f.CreatedAt
	_, err := s.w.Exec(ctx, `INSERT INTO folders (`+folderCols+`) VALUES ($1, $2, $3, $4, $5)`,
		f.ID, f.UserID, f.Name, f.CreatedAt, f.UpdatedAt)
	if err != nil {
		return chat.Folder{}, fail(ctx, "create folder", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "folder already exists"})
	}
	return f, nil
}

// Folders lists the user's folders by name (primary).
func (s *Store) Folders(ctx context.Context, userID string) ([]chat.Folder, error) {
	rows, err := s.w.Query(ctx, `SELECT `+folderCols+` FROM folders WHERE user_id = $1 ORDER BY lower(name) COLLATE "C", id COLLATE "C"`, userID)
	if err != nil {
		return nil, fail(ctx, "folders", err, sqlkit.Msgs{})
	}
	out, err := collect(rows, scanFolder)
	return out, fail(ctx, "folders", err, sqlkit.Msgs{})
}

// RenameFolder renames one of the user's folders.
func (s *Store) RenameFolder(ctx context.Context, userID, id, name string) (chat.Folder, error) {
	if err := sqlkit.CheckText("name", name); err != nil {
		return chat.Folder{}, err
	}
	f, err := scanFolder(s.w.QueryRow(ctx, `UPDATE folders SET name = $3, updated_at = GREATEST(updated_at, $4)
		WHERE id = $1 AND user_id = $2 RETURNING `+folderCols, id, userID, name, tIn(time.Now())))
	return f, fail(ctx, "rename folder", err, folderNotFound)
}

// DeleteFolder removes one of the user's folders and unfiles its
// conversations, in one transaction.
func (s *Store) DeleteFolder(ctx context.Context, userID, id string) error {
	err := pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM folders WHERE id = $1 AND user_id = $2`, id, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "folder not found")
		}
		_, err = tx.Exec(ctx, `UPDATE conversations SET folder_id = NULL WHERE folder_id = $1 AND user_id = $2`, id, userID)
		return err
	})
	return fail(ctx, "delete folder", err, sqlkit.Msgs{})
}
