package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/page"
)

// AuditEntryJSON is one entry of GET /admin/audit.
type AuditEntryJSON struct {
	ID        string  `json:"id"`
	At        Time    `json:"at"`
	UserID    *string `json:"user_id"` // null for anonymous calls
	Action    string  `json:"action"`
	Method    string  `json:"method"`
	Route     string  `json:"route"`
	Status    int     `json:"status"`
	ClientIP  string  `json:"client_ip"`
	UserAgent string  `json:"user_agent"`
	RequestID string  `json:"request_id"`
	LatencyMS float64 `json:"latency_ms"`
	Target    *string `json:"target"` // null unless an admin action touched an object
	// Detail is the entry's small JSON document, null when it has none.
	Detail json.RawMessage `json:"detail"`
}

// NewAuditEntryJSON converts an audit entry.
func NewAuditEntryJSON(e audit.Entry) AuditEntryJSON {
	out := AuditEntryJSON{ID: strconv.FormatInt(e.ID, 10), At: Time(e.At), UserID: nonEmpty(e.UserID),
		Action: e.Action, Method: e.Method, Route: e.Route, Status: e.Status, ClientIP: e.ClientIP,
		UserAgent: e.UserAgent, RequestID: e.RequestID, LatencyMS: e.LatencyMS, Target: nonEmpty(e.Target),
		Detail: json.RawMessage("null")}
	if d := strings.TrimSpace(e.Detail); d != "" && json.Valid([]byte(d)) {
		out.Detail = json.RawMessage(d)
	}
	return out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Bounds of the audit filters' text parameters.
const (
	maxAuditAction = 64
	maxAuditRoute  = 256
)

// ParseAuditFilter reads and checks the query of GET /admin/audit. Every
// bad parameter is named in one errs.Invalid (400) error.
func ParseAuditFilter(q url.Values) (audit.Filter, error) {
	f := audit.Filter{Limit: page.DefaultLimit, Action: q.Get("action"), Route: q.Get("route"), Cursor: q.Get("cursor")}
	bad := map[string]string{}
	if v := q.Get("user_id"); v != "" {
		u, err := uuid.Parse(v)
		if err != nil || len(v) != 36 {
			bad["user_id"] = "must be a user id"
		} else {
			f.UserID = u.String()
		}
	}
	if utf8.RuneCountInString(f.Action) > maxAuditAction || !CleanText(f.Action) {
		bad["action"] = "must be at most 64 characters without control characters"
	}
	if utf8.RuneCountInString(f.Route) > maxAuditRoute || !CleanText(f.Route) {
		bad["route"] = "must be at most 256 characters without control characters"
	}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			bad["status"] = "must be an HTTP status code from 100 to 599"
		}
		f.Status = n
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				bad[p.name] = "must be an RFC 3339 time such as 2026-11-25T08:00:00Z"
				continue
			}
			t = t.UTC()
			*p.dst = &t
		}
	}
	if f.Since != nil && f.Until != nil && f.Until.Before(*f.Since) {
		bad["until"] = "must not be before since"
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > page.MaxLimit {
			bad["limit"] = limitRule
		}
		f.Limit = n
	}
	if len(f.Cursor) > maxCursor || !CleanText(f.Cursor) {
		bad["cursor"] = "is not a cursor this server issued"
	}
	if len(bad) > 0 {
		return audit.Filter{}, badQuery(bad)
	}
	return f, nil
}

// badQuery is a 400 whose detail names each bad query parameter.
func badQuery(bad map[string]string) error {
	names := make([]string, 0, len(bad))
	for n := range bad {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "query parameter " + n + " " + bad[n]
	}
	return errs.E(errs.Invalid, "%s", strings.Join(parts, "; "))
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseAuditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if s.d.AuditLog == nil {
		return errs.E(errs.Unavailable, "the audit log is not available")
	}
	entries, next, err := s.d.AuditLog.ListAudit(r.Context(), f)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid && e.Fields["cursor"] != "" {
		return badQuery(map[string]string{"cursor": "is not a cursor this server issued"})
	} else if err != nil {
		return err
	}
	out := make([]AuditEntryJSON, len(entries))
	for i, e := range entries {
		out[i] = NewAuditEntryJSON(e)
	}
	return WriteJSON(w, http.StatusOK, NewList(out, next))
}
