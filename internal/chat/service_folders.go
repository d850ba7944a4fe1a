package chat

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-chat/parley/internal/errs"
)

// MaxFolderNameChars caps a folder's name.
const MaxFolderNameChars = 100

func checkFolderName(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		return "", errs.Validation(map[string]string{"name": "must not be empty"})
	case !utf8.ValidString(n) || strings.ContainsFunc(n, unicode.IsControl):
		return "", errs.Validation(map[string]string{"name": "must not contain control characters"})
	case utf8.RuneCountInString(n) > MaxFolderNameChars:
		return "", errs.Validation(map[string]string{"name": "must be at most 100 characters"})
	}
	return n, nil
}

// CreateFolder makes a folder for userID.
func (s *Service) CreateFolder(ctx context.Context, userID, name string) (Folder, error) {
	n, err := checkFolderName(name)
	if err != nil {
		return Folder{}, err
	}
	now := s.now().UTC()
	return s.o.Store.CreateFolder(ctx, Folder{ID: newID(), UserID: userID, Name: n, CreatedAt: now, UpdatedAt: now})
}

// Folders lists the user's folders by name.
func (s *Service) Folders(ctx context.Context, userID string) ([]Folder, error) {
	return s.o.Store.Folders(ctx, userID)
}

// RenameFolder renames one of the user's folders.
func (s *Service) RenameFolder(ctx context.Context, userID, id, name string) (Folder, error) {
	n, err := checkFolderName(name)
	if err != nil {
		return Folder{}, err
	}
	return s.o.Store.RenameFolder(ctx, userID, id, n)
}

// DeleteFolder removes one of the user's folders; its conversations stay, unfiled.
func (s *Service) DeleteFolder(ctx context.Context, userID, id string) error {
	return s.o.Store.DeleteFolder(ctx, userID, id)
}
