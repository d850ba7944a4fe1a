package cache

import (
	"context"
	"log/slog"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
)

// TTLs of the cached reads. Writes invalidate at once; the TTL only bounds
// how long an entry lives when nothing changes.
const (
	UserTTL          = 5 * time.Minute
	SessionTTL       = 5 * time.Minute
	APITokenTTL      = 5 * time.Minute
	ConversationsTTL = 2 * time.Minute
)

// Key builders, one namespace per kind of value.
func userKey(id string) string      { return "user:" + id }
func sessionKey(fam string) string  { return "sess:" + fam }
func tokenKey(hash string) string   { return "tok:" + hash }
func convsKey(userID string) string { return "convs:" + userID }
func invalidateLog(c *Cache) func(error) {
	return func(err error) {
		if err != nil {
			c.opts.Logger.Warn("cache: invalidation incomplete", slog.Any("error", err))
		}
	}
}

// AccountStore caches user-by-id, session-state and API-token-by-hash
// lookups (the auth hot path) of an account.Store and invalidates them on
// every write that changes them. Every other method passes through. Users
// are cached without their password hash: it never leaves the database
// (login and password change read it with UserByEmail / UserPasswordHash,
// which are not cached).
type AccountStore struct {
	account.Store
	c *Cache
}

// NewAccountStore wraps s with c.
func NewAccountStore(s account.Store, c *Cache) *AccountStore { return &AccountStore{Store: s, c: c} }

// UserByID implements account.Store through the cache; the user it returns
// has no PasswordHash.
func (s *AccountStore) UserByID(ctx context.Context, id string) (account.User, error) {
	return GetOrLoad(ctx, s.c, userKey(id), UserTTL, func(ctx context.Context) (account.User, error) {
		u, err := s.Store.UserByID(ctx, id)
		u.PasswordHash = ""
		return u, err
	})
}

// RefreshFamilyRevoked implements account.Store through the cache: every
// access-token check asks it.
func (s *AccountStore) RefreshFamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	return GetOrLoad(ctx, s.c, sessionKey(familyID), SessionTTL, func(ctx context.Context) (bool, error) {
		return s.Store.RefreshFamilyRevoked(ctx, familyID)
	})
}

// RevokeRefreshFamily implements account.Store and invalidates the session.
func (s *AccountStore) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	err := s.Store.RevokeRefreshFamily(ctx, familyID, at)
	invalidateLog(s.c)(s.c.Invalidate(context.WithoutCancel(ctx), sessionKey(familyID)))
	return err
}

// RevokeUserRefreshTokens implements account.Store and invalidates the
// user's sessions.
func (s *AccountStore) RevokeUserRefreshTokens(ctx context.Context, userID string, at time.Time) error {
	err := s.Store.RevokeUserRefreshTokens(ctx, userID, at)
	s.invalidateSessions(ctx, userID, at)
	return err
}

// RevokeUserRefreshTokensExcept implements account.Store and invalidates
// the user's sessions.
func (s *AccountStore) RevokeUserRefreshTokensExcept(ctx context.Context, userID, keepFamilyID string, at time.Time) error {
	err := s.Store.RevokeUserRefreshTokensExcept(ctx, userID, keepFamilyID, at)
	s.invalidateSessions(ctx, userID, at)
	return err
}

// invalidateSessions drops the cached state of every session of the user
// that can still have a live access token. It lists them after the
// revocation committed, so a session revoked by it is never missed.
func (s *AccountStore) invalidateSessions(ctx context.Context, userID string, at time.Time) {
	ctx = context.WithoutCancel(ctx)
	fams, err := s.Store.UserRefreshFamilies(ctx, userID, at)
	if err != nil {
		// Without the families the entries cannot be named: they expire with SessionTTL.
		s.c.opts.Logger.Warn("cache: revoked sessions not invalidated", slog.Any("error", err))
		return
	}
	keys := make([]string, len(fams))
	for i, f := range fams {
		keys[i] = sessionKey(f)
	}
	invalidateLog(s.c)(s.c.Invalidate(ctx, keys...))
}

// UpdateUser implements account.Store and invalidates the user.
func (s *AccountStore) UpdateUser(ctx context.Context, id string, upd account.UserUpdate) (account.User, error) {
	u, err := s.Store.UpdateUser(ctx, id, upd)
	invalidateLog(s.c)(s.c.Invalidate(context.WithoutCancel(ctx), userKey(id)))
	return u, err
}

// APITokenByHash implements account.Store through the cache. Unknown
// tokens are not cached.
func (s *AccountStore) APITokenByHash(ctx context.Context, hash string) (account.APIToken, error) {
	return GetOrLoad(ctx, s.c, tokenKey(hash), APITokenTTL, func(ctx context.Context) (account.APIToken, error) {
		return s.Store.APITokenByHash(ctx, hash)
	})
}

// RevokeAPIToken implements account.Store and invalidates the token.
func (s *AccountStore) RevokeAPIToken(ctx context.Context, userID, id string, at time.Time) error {
	toks, listErr := s.Store.ListAPITokens(ctx, userID)
	err := s.Store.RevokeAPIToken(ctx, userID, id, at)
	if listErr != nil {
		// Without the hash the entry cannot be named: it expires with its TTL.
		s.c.opts.Logger.Warn("cache: revoked token not invalidated", slog.Any("error", listErr))
		return err
	}
	for _, t := range toks {
		if t.ID == id {
			invalidateLog(s.c)(s.c.Invalidate(context.WithoutCancel(ctx), tokenKey(t.TokenHash)))
		}
	}
	return err
}

// convPage is the cached first page of a user's conversation list.
type convPage struct {
	Limit int
	Convs []chat.Conversation
	Next  string
}

// ChatStore caches the first page of each user's conversation list (no
// cursor, no search, no filter) and invalidates it on every write to that user's
// conversations or messages. Every other method passes through.
type ChatStore struct {
	chat.Store
	c *Cache
}

// NewChatStore wraps s with c.
func NewChatStore(s chat.Store, c *Cache) *ChatStore { return &ChatStore{Store: s, c: c} }

// ListConversations implements chat.Store; only the plain first page is cached.
func (s *ChatStore) ListConversations(ctx context.Context, userID string, p chat.ListParams) ([]chat.Conversation, string, error) {
	if p.Cursor != "" || p.Query != "" || p.FolderID != "" || p.Pinned != nil || p.Archived {
		return s.Store.ListConversations(ctx, userID, p)
	}
	pg, err := GetOrLoad(ctx, s.c, convsKey(userID), ConversationsTTL, func(ctx context.Context) (convPage, error) {
		convs, next, err := s.Store.ListConversations(ctx, userID, p)
		return convPage{Limit: p.Limit, Convs: convs, Next: next}, err
	})
	if err != nil {
		return nil, "", err
	}
	if pg.Limit != p.Limit {
		// Cached for another page size: ask the store.
		return s.Store.ListConversations(ctx, userID, p)
	}
	return pg.Convs, pg.Next, nil
}

func (s *ChatStore) invalidate(ctx context.Context, userID string) {
	invalidateLog(s.c)(s.c.Invalidate(context.WithoutCancel(ctx), convsKey(userID)))
}

// CreateConversation implements chat.Store and invalidates the list.
func (s *ChatStore) CreateConversation(ctx context.Context, c chat.Conversation) (chat.Conversation, error) {
	out, err := s.Store.CreateConversation(ctx, c)
	s.invalidate(ctx, c.UserID)
	return out, err
}

// UpdateConversation implements chat.Store and invalidates the list.
func (s *ChatStore) UpdateConversation(ctx context.Context, userID, id string, upd chat.ConversationUpdate) (chat.Conversation, error) {
	out, err := s.Store.UpdateConversation(ctx, userID, id, upd)
	s.invalidate(ctx, userID)
	return out, err
}

// SetTitleIf implements chat.Store and invalidates the list when the
// title changed.
func (s *ChatStore) SetTitleIf(ctx context.Context, userID, id, old, title string) (bool, error) {
	ok, err := s.Store.SetTitleIf(ctx, userID, id, old, title)
	if ok {
		s.invalidate(ctx, userID)
	}
	return ok, err
}

// DeleteConversation implements chat.Store and invalidates the list.
func (s *ChatStore) DeleteConversation(ctx context.Context, userID, id string) error {
	err := s.Store.DeleteConversation(ctx, userID, id)
	s.invalidate(ctx, userID)
	return err
}

// AddMessage implements chat.Store and invalidates the list (the
// conversation's UpdatedAt, hence its position, changes).
func (s *ChatStore) AddMessage(ctx context.Context, userID string, m chat.Message) (chat.Message, error) {
	out, err := s.Store.AddMessage(ctx, userID, m)
	s.invalidate(ctx, userID)
	return out, err
}

// DeleteFolder implements chat.Store and invalidates the list (its
// conversations are unfiled).
func (s *ChatStore) DeleteFolder(ctx context.Context, userID, id string) error {
	err := s.Store.DeleteFolder(ctx, userID, id)
	s.invalidate(ctx, userID)
	return err
}

// DeleteMessage implements chat.Store and invalidates the list.
func (s *ChatStore) DeleteMessage(ctx context.Context, userID, conversationID, id string) error {
	err := s.Store.DeleteMessage(ctx, userID, conversationID, id)
	s.invalidate(ctx, userID)
	return err
}

var (
	_ account.Store = (*AccountStore)(nil)
	_ chat.Store    = (*ChatStore)(nil)
)
