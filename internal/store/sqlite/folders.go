package sqlite

import (
	"context"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

var folderNotFound = sqlkit.Msgs{NotFound: "folder not found"}

const folderCols = `id, user_id, name, created_at, updated_at`

func scanFolder(row rowScanner) (chat.Folder, error) {
	var f chat.Folder
	var created, updated int64
	err := row.Scan(&f.ID, &f.UserID, &f.Name, &created, &updated)
	f.CreatedAt, f.UpdatedAt = tOut(created), tOut(updated)
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
	_, err := s.w.ExecContext(ctx, `INSERT INTO folders (`+folderCols+`) VALUES (?, ?, ?, ?, ?)`,
		f.ID, f.UserID, f.Name, tIn(f.CreatedAt), tIn(f.UpdatedAt))
	if err != nil {
		return chat.Folder{}, fail(ctx, "create folder", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "folder already exists"})
	}
	return f, nil
}

// Folders lists the user's folders by name.
func (s *Store) Folders(ctx context.Context, userID string) ([]chat.Folder, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+folderCols+` FROM folders WHERE user_id = ? ORDER BY parley_lower(name), id`, userID)
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
	f, err := scanFolder(s.w.QueryRowContext(ctx, `UPDATE folders SET name = ?, updated_at = max(updated_at, ?)
		WHERE id = ? AND user_id = ? RETURNING `+folderCols, name, tIn(time.Now()), id, userID))
	return f, fail(ctx, "rename folder", err, folderNotFound)
}

// DeleteFolder removes one of the user's folders and unfiles its
// conversations, in one transaction.
func (s *Store) DeleteFolder(ctx context.Context, userID, id string) error {
	const op = "delete folder"
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	n, err := affected(tx.ExecContext(ctx, `DELETE FROM folders WHERE id = ? AND user_id = ?`, id, userID))
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	if n == 0 {
		return errs.E(errs.NotFound, "folder not found")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET folder_id = NULL WHERE folder_id = ? AND user_id = ?`, id, userID); err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	return fail(ctx, op, tx.Commit(), sqlkit.Msgs{})
}
