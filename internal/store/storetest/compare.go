package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/usage"
)

// Compare writes the same data, with nanosecond-precise and non-UTC times,
// into two migrated stores of different engines and requires every read to
// return equal values from both.
func Compare(t *testing.T, a, b store.Store) {
	ta, tb := snapshot(t, a), snapshot(t, b)
	if d := cmp.Diff(ta, tb); d != "" {
		t.Fatalf("%s and %s disagree (-%s +%s):\n%s", a.Engine(), b.Engine(), a.Engine(), b.Engine(), d)
	}
}

type everything struct {
	User     account.User
	Users    []account.User
	Refresh  account.RefreshToken
	Tokens   []account.APIToken
	Invites  []account.Invite
	Convs    []chat.Conversation
	Messages []chat.Message
	Usage    []usage.Record
	Audit    []audit.Entry
	Incident []incident.Incident
}

func snapshot(t *testing.T, s store.Store) everything {
	t.Helper()
	ctx := t.Context()
	paris := time.FixedZone("CET", 3600)
	at := time.Date(2026, 11, 25, 23, 59, 59, 999999999, paris)
	q := int64(1234)
	u, err := s.CreateUser(ctx, account.User{ID: "u", Email: "Mixed@Case.io", Name: "Zoë", PasswordHash: "h",
		DailyTokenQuota: &q, CreatedAt: at}, account.CreateOptions{FirstAdmin: true})
	ok(t, err)
	ok(t, s.CreateRefreshToken(ctx, account.RefreshToken{ID: "r", UserID: u.ID, FamilyID: "f", TokenHash: "rh",
		ExpiresAt: at.Add(time.Hour), CreatedAt: at, UserAgent: "ua", ClientIP: "::1"}))
	ok(t, s.MarkRefreshTokenUsed(ctx, "r", at.Add(time.Nanosecond*1500)))
	ok(t, s.CreateAPIToken(ctx, account.APIToken{ID: "t", UserID: u.ID, Name: "n", Prefix: "p", TokenHash: "th",
		CreatedAt: at, ExpiresAt: ptr(at.Add(time.Hour))}, 0))
	ok(t, s.TouchAPIToken(ctx, "t", at.Add(time.Millisecond)))
	ok(t, s.CreateInvite(ctx, account.Invite{ID: "i", CodeHash: "ch", CreatedBy: u.ID, Email: "X@Y.io",
		CreatedAt: at, ExpiresAt: at.Add(time.Hour)}))
	_, err = s.CreateConversation(ctx, chat.Conversation{ID: "c", UserID: u.ID, Title: "T 🎉", Model: "m", CreatedAt: at})
	ok(t, err)
	_, err = s.AddMessage(ctx, u.ID, chat.Message{ID: "m", ConversationID: "c", Role: chat.RoleAssistant,
		Content: "answer", Model: "m", Status: chat.StatusError, PromptTokens: 5, CompletionTokens: 7,
		CreatedAt: at.Add(time.Microsecond)})
	ok(t, err)
	ok(t, s.AddUsage(ctx, []usage.Record{{UserID: u.ID, Day: at, Model: "m", Requests: 1, PromptTokens: 5, CompletionTokens: 7}}))
	ok(t, s.InsertAudit(ctx, []audit.Entry{{At: at, UserID: u.ID, Action: "http", Method: "POST", Route: "r",
		Status: 201, LatencyMS: 0.125, Detail: "{}"}}))
	_, err = s.CreateIncident(ctx, incident.Incident{ID: "inc", Component: "redis", Status: incident.Outage, Title: "down",
		StartedAt: at, ResolvedAt: ptr(at.Add(time.Minute))})
	ok(t, err)

	var e everything
	e.User, err = s.UserByEmail(ctx, "mixed@case.io")
	ok(t, err)
	e.Users, _, err = s.ListUsers(ctx, account.ListUsersParams{Query: "ZOË"})
	ok(t, err)
	e.Refresh, err = s.RefreshTokenByHash(ctx, "rh")
	ok(t, err)
	e.Tokens, err = s.ListAPITokens(ctx, u.ID)
	ok(t, err)
	e.Invites, err = s.ListInvites(ctx)
	ok(t, err)
	e.Convs, _, err = s.ListConversations(ctx, u.ID, chat.ListParams{Query: "t 🎉"})
	ok(t, err)
	e.Messages, err = s.Messages(ctx, u.ID, "c")
	ok(t, err)
	e.Usage, err = s.UsageRange(ctx, u.ID, at.Add(-48*time.Hour), at)
	ok(t, err)
	e.Audit, _, err = s.ListAudit(ctx, audit.Filter{UserID: u.ID})
	ok(t, err)
	e.Incident, err = s.ListIncidents(ctx, 10)
	ok(t, err)
	if e.User.UpdatedAt.IsZero() || len(e.Users) != 1 || len(e.Convs) != 1 || len(e.Usage) != 1 || len(e.Audit) != 1 {
		t.Fatalf("%s: snapshot incomplete: %+v", s.Engine(), e)
	}
	return e
}
