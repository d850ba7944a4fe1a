package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

// auditAdmin records an administrator's action with the fields it changed
// (never a secret: invite codes and passwords stay out).
func (s *Server) auditAdmin(r *http.Request, status int, action, target string, detail map[string]any) {
	if s.d.Audit == nil {
		return
	}
	raw, _ := json.Marshal(detail)
	rec := reqctx.From(r.Context())
	s.d.Audit.Record(audit.Entry{
		At: time.Now().UTC(), UserID: rec.UserID, Action: action, Method: r.Method, Route: rec.Route,
		Status: status, ClientIP: rec.ClientIP, UserAgent: r.UserAgent(), RequestID: rec.ID,
		Target: target, Detail: string(raw),
	})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := ParsePage(r)
	if err != nil {
		return err
	}
	users, next, err := s.d.Accounts.ListUsers(r.Context(), account.ListUsersParams{Limit: p.Limit, Cursor: p.Cursor, Query: p.Query})
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
	u, err := s.d.Accounts.AdminUpdateUser(r.Context(), actor.ID, id, upd)
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
