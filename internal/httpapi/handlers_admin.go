package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
)

// auditAdmin records an administrator's action with the fields it changed
// (never a secret: invite codes and passwords stay out).
func (s *Server) auditAdmin(r *http.Request, status int, action, target string, detail map[string]any) {
	if s.audit == nil {
		return
	}
	raw, _ := json.Marshal(detail)
	s.audit.Record(audit.Entry{
		At: time.Now().UTC(), UserID: UserID(r), Action: action, Method: r.Method, Route: RoutePattern(r),
		Status: status, ClientIP: ClientIP(r), UserAgent: r.UserAgent(), RequestID: RequestID(r.Context()),
		Target: target, Detail: string(raw),
	})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := ParsePage(r)
	if err != nil {
		return err
	}
	users, next, err := s.accounts.ListUsers(r.Context(), account.ListUsersParams{Limit: p.Limit, Cursor: p.Cursor, Query: p.Query})
	if err != nil {
		return err
	}
	out := make([]UserJSON, len(users))
	for i, u := range users {
		out[i] = NewUserJSON(u)
	}
	return WriteJSON(w, http.StatusOK, NewList(out, next))
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) error {
	actor, _ := CurrentUser(r)
	id, err := PathID(r, "user")
	if err != nil {
		return err
	}
	var in struct {
		Role            *string         `json:"role"`
		Disabled        *bool           `json:"disabled"`
		DailyTokenQuota Optional[int64] `json:"daily_token_quota"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	upd := account.AdminUpdate{Role: in.Role, Disabled: in.Disabled}
	if in.DailyTokenQuota.Set {
		var q *int64
		if !in.DailyTokenQuota.Null {
			q = &in.DailyTokenQuota.Value
		}
		upd.DailyTokenQuota = &q
	}
	u, err := s.accounts.AdminUpdateUser(r.Context(), actor.ID, id, upd)
	if err != nil {
		return err
	}
	changed := map[string]any{}
	if in.Role != nil {
		changed["role"] = *in.Role
	}
	if in.Disabled != nil {
		changed["disabled"] = *in.Disabled
	}
	if in.DailyTokenQuota.Set {
		changed["daily_token_quota"] = u.DailyTokenQuota
	}
	s.auditAdmin(r, http.StatusOK, "admin.user.update", u.ID, changed)
	return WriteJSON(w, http.StatusOK, NewUserJSON(u))
}

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
	inv, code, err := s.accounts.NewInvite(r.Context(), actor.ID, in.Email)
	if err != nil {
		return err
	}
	s.auditAdmin(r, http.StatusCreated, "admin.invite.create", inv.ID, map[string]any{"email_bound": inv.Email != ""})
	return WriteJSON(w, http.StatusCreated, newInviteJSON(inv, code))
}

func (s *Server) listInvites(w http.ResponseWriter, r *http.Request) error {
	invs, err := s.accounts.Invites(r.Context())
	if err != nil {
		return err
	}
	out := make([]InviteJSON, len(invs))
	for i, inv := range invs {
		out[i] = newInviteJSON(inv, "")
	}
	return WriteJSON(w, http.StatusOK, NewList(out, ""))
}
