package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/account"
)

// InviteJSON is an invite as listed; Code is present only when created.
type InviteJSON struct {
	ID        string  `json:"id"`
	Code      string  `json:"code,omitempty"`
	Email     string  `json:"email,omitempty"`
	CreatedBy string  `json:"created_by"`
	CreatedAt Time    `json:"created_at"`
	ExpiresAt Time    `json:"expires_at"`
	UsedAt    *Time   `json:"used_at"`
	UsedBy    *string `json:"used_by"`
}

func newInviteJSON(inv account.Invite, code string) InviteJSON {
	out := InviteJSON{ID: inv.ID, Code: code, Email: inv.Email, CreatedBy: inv.CreatedBy,
		CreatedAt: Time(inv.CreatedAt), ExpiresAt: Time(inv.ExpiresAt), UsedAt: TimePtr(inv.UsedAt)}
	if inv.UsedBy != "" {
		out.UsedBy = &inv.UsedBy
	}
	return out
}

func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) error {
	actor, _ := CurrentUser(r)
	var in struct {
		Email string `json:"email"`
	}
	if err := DecodeOptionalJSON(r, &in); err != nil {
		return err
	}
	inv, code, err := s.d.Accounts.NewInvite(r.Context(), actor.ID, in.Email)
	if err != nil {
		return err
	}
	s.auditAdmin(r, http.StatusCreated, "admin.invite.create", inv.ID, map[string]any{"email_bound": inv.Email != ""})
	return WriteJSON(w, http.StatusCreated, newInviteJSON(inv, code))
}

func (s *Server) listInvites(w http.ResponseWriter, r *http.Request) error {
	invs, err := s.d.Accounts.Invites(r.Context())
	if err != nil {
		return err
	}
	out := make([]InviteJSON, len(invs))
	for i, inv := range invs {
		out[i] = newInviteJSON(inv, "")
	}
	return WriteJSON(w, http.StatusOK, NewList(out, ""))
}
