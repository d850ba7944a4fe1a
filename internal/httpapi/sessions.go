// Sign-up, login, refresh-token rotation and logout.

package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// client describes where a request came from, for refresh sessions and
// the per-address login throttle.
func client(r *http.Request) account.Client {
	c := account.Client{UserAgent: r.UserAgent()}
	if rec := reqctx.From(r.Context()); rec != nil {
		c.IP = rec.ClientIP
	}
	return c
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
	sess, err := s.d.Accounts.Register(r.Context(), account.RegisterInput{
		Email: in.Email, Password: in.Password, Name: in.Name, InviteCode: in.InviteCode,
	}, client(r))
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
	sess, err := s.d.Accounts.Login(r.Context(), in.Email, in.Password, client(r))
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
	sess, err := s.d.Accounts.Refresh(r.Context(), in.RefreshToken, client(r))
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
	if err := s.d.Accounts.Logout(r.Context(), in.RefreshToken); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
