package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/account"
)

// TokenJSON is a personal API token as listed; Token only in the answer
// that creates it.
type TokenJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Prefix     string `json:"prefix"`
	Token      string `json:"token,omitempty"`
	CreatedAt  Time   `json:"created_at"`
	LastUsedAt *Time  `json:"last_used_at"`
	ExpiresAt  *Time  `json:"expires_at"`
}

func newTokenJSON(t account.APIToken) TokenJSON {
	return TokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: Time(t.CreatedAt),
		LastUsedAt: TimePtr(t.LastUsedAt), ExpiresAt: TimePtr(t.ExpiresAt)}
}

type createTokenBody struct {
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days"`
}

// createToken answers POST /api/v1/tokens: the token is shown this once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in createTokenBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	u, _ := CurrentUser(r)
	t, raw, err := s.d.Accounts.CreateAPIToken(r.Context(), u.ID, account.NewAPIToken{Name: in.Name, ExpiresInDays: in.ExpiresInDays})
	if err != nil {
		return err
	}
	out := newTokenJSON(t)
	out.Token = raw
	return WriteJSON(w, http.StatusCreated, out)
}

// listTokens answers GET /api/v1/tokens: the caller's live tokens, never
// the tokens themselves.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	ts, err := s.d.Accounts.APITokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	out := make([]TokenJSON, len(ts))
	for i, t := range ts {
		out[i] = newTokenJSON(t)
	}
	return WriteJSON(w, http.StatusOK, NewList(out, ""))
}

// deleteToken answers DELETE /api/v1/tokens/{id}: the token stops working.
func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	if err := s.d.Accounts.RevokeAPIToken(r.Context(), u.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
