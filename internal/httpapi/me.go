package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/account"
)

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	return WriteJSON(w, http.StatusOK, NewUserJSON(u))
}

func (s *Server) patchMe(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	var in struct {
		Name            *string `json:"name"`
		Password        *string `json:"password"`
		CurrentPassword *string `json:"current_password"`
		RefreshToken    *string `json:"refresh_token"` // this session stays signed in on a password change
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	updated, err := s.d.Accounts.UpdateMe(r.Context(), u.ID, account.MeUpdate{
		Name: in.Name, Password: in.Password, CurrentPassword: in.CurrentPassword, RefreshToken: in.RefreshToken,
		Client: client(r),
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, NewUserJSON(updated))
}
