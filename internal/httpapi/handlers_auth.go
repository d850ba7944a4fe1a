package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/account"
)

func (s *Server) client(r *http.Request) account.Client {
	return account.Client{IP: ClientIP(r), UserAgent: r.UserAgent()}
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email      string `json:"email"`
		Password   string `json:"password"`
		Name       string `json:"name"`
		InviteCode string `json:"invite_code"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	sess, err := s.accounts.Register(r.Context(), account.RegisterInput{
		Email: in.Email, Password: in.Password, Name: in.Name, InviteCode: in.InviteCode,
	}, s.client(r))
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, newAuthJSON(sess))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	sess, err := s.accounts.Login(r.Context(), in.Email, in.Password, s.client(r))
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, newAuthJSON(sess))
}

type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	var in refreshBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	sess, err := s.accounts.Refresh(r.Context(), in.RefreshToken, s.client(r))
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, newAuthJSON(sess))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	var in refreshBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.accounts.Logout(r.Context(), in.RefreshToken); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

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
	updated, err := s.accounts.UpdateMe(r.Context(), u.ID, account.MeUpdate{
		Name: in.Name, Password: in.Password, CurrentPassword: in.CurrentPassword, RefreshToken: in.RefreshToken,
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, NewUserJSON(updated))
}
