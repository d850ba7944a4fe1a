package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// FolderJSON is the API's Folder object.
type FolderJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// NewFolderJSON converts a folder.
func NewFolderJSON(f chat.Folder) FolderJSON {
	return FolderJSON{ID: f.ID, Name: f.Name, CreatedAt: Time(f.CreatedAt), UpdatedAt: Time(f.UpdatedAt)}
}

type folderBody struct {
	Name string `json:"name"`
}

// nullableString tells an absent field (Set false) from null (Set, Value nil).
type nullableString struct {
	Set   bool
	Value *string
}

func (n *nullableString) UnmarshalJSON(b []byte) error {
	n.Set = true
	if bytes.Equal(b, []byte("null")) {
		n.Value = nil
		return nil
	}
	return json.Unmarshal(b, &n.Value)
}

// ptr is Value with null as "" (the chat service's "remove"), nil when absent.
func (n nullableString) ptr() *string {
	if !n.Set {
		return nil
	}
	if n.Value == nil {
		return new("")
	}
	return n.Value
}

func (s *Server) createFolder(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	var in folderBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	f, err := s.d.Chat.CreateFolder(r.Context(), u.ID, in.Name)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, NewFolderJSON(f))
}

func (s *Server) listFolders(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	fs, err := s.d.Chat.Folders(r.Context(), u.ID)
	if err != nil {
		return err
	}
	out := make([]FolderJSON, len(fs))
	for i, f := range fs {
		out[i] = NewFolderJSON(f)
	}
	return WriteJSON(w, http.StatusOK, NewList(out, ""))
}

func (s *Server) patchFolder(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "folder")
	if err != nil {
		return err
	}
	var in folderBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	f, err := s.d.Chat.RenameFolder(r.Context(), u.ID, id, in.Name)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, NewFolderJSON(f))
}

func (s *Server) deleteFolder(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id, err := PathID(r, "folder")
	if err != nil {
		return err
	}
	if err := s.d.Chat.DeleteFolder(r.Context(), u.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
