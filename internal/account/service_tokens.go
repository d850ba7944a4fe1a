package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/internal/errs"
)

// APITokenPrefix starts every personal API token, so leaked tokens are
// recognisable (and scanners can find them).
const APITokenPrefix = "pk_"

// displayPrefixLen is how much of a token is kept to show in lists.
const displayPrefixLen = len(APITokenPrefix) + 8

// touchEvery limits last-used updates to one write per token per interval,
// written off the request's path.
const touchEvery = time.Minute

// NewAPIToken is what a user asks for when creating a personal API token.
type NewAPIToken struct {
	Name          string
	ExpiresInDays *int // nil: never expires
}

// CreateAPIToken issues a personal API token for userID and returns it with
// the token itself, shown this once: only its SHA-256 is stored.
func (s *Service) CreateAPIToken(ctx context.Context, userID string, in NewAPIToken) (APIToken, string, error) {
	name := strings.TrimSpace(in.Name)
	fields := map[string]string{}
	switch {
	case name == "":
		fields["name"] = "must not be empty"
	case utf8.RuneCountInString(name) > 100 || hasControl(name):
		fields["name"] = "must be at most 100 characters, without control characters"
	}
	if in.ExpiresInDays != nil && (*in.ExpiresInDays < 1 || *in.ExpiresInDays > 3650) {
		fields["expires_in_days"] = "must be between 1 and 3650"
	}
	if len(fields) > 0 {
		return APIToken{}, "", errs.Validation(fields)
	}
	now := s.now().UTC()
	raw := APITokenPrefix + randomToken(32)
	t := APIToken{ID: newID(), UserID: userID, Name: name, Prefix: raw[:displayPrefixLen], TokenHash: hashToken(raw), CreatedAt: now}
	if in.ExpiresInDays != nil {
		exp := now.Add(time.Duration(*in.ExpiresInDays) * 24 * time.Hour)
		t.ExpiresAt = &exp
	}
	if err := s.store.CreateAPIToken(ctx, t, s.maxAPITokens); errors.Is(err, ErrAPITokenLimit) {
		return APIToken{}, "", errs.E(errs.Conflict,
			"you hold the maximum of %d API tokens; revoke one to create another", s.maxAPITokens)
	} else if err != nil {
		return APIToken{}, "", err
	}
	return t, raw, nil
}

// APITokens lists the user's live tokens: unrevoked, and made after the
// user was last disabled.
func (s *Service) APITokens(ctx context.Context, userID string) ([]APIToken, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.ListAPITokens(ctx, userID)
	if err != nil {
		return nil, err
	}
	live := ts[:0]
	for _, t := range ts {
		if t.RevokedAt == nil && (u.TokensValidAfter == nil || t.CreatedAt.After(*u.TokensValidAfter)) {
			live = append(live, t)
		}
	}
	return live, nil
}

// RevokeAPIToken ends one of the user's tokens at once (errs.NotFound when
// it is not theirs).
func (s *Service) RevokeAPIToken(ctx context.Context, userID, id string) error {
	return s.store.RevokeAPIToken(ctx, userID, id, s.now().UTC())
}

// AuthenticateAPIToken resolves a personal API token to its user. Unknown,
// revoked and expired tokens and disabled or deleted users are
// errs.Unauthorized, with the wording OpenAI's clients show. The token's
// last use is recorded at most once a minute, off the request's path.
func (s *Service) AuthenticateAPIToken(ctx context.Context, raw string) (User, APIToken, error) {
	if raw == "" {
		return User{}, APIToken{}, errs.E(errs.Unauthorized,
			"You didn't provide an API key. Send it as Authorization: Bearer <personal API token>.")
	}
	tok, err := s.store.APITokenByHash(ctx, hashToken(raw))
	if errs.CodeOf(err) == errs.NotFound {
		return User{}, APIToken{}, errs.E(errs.Unauthorized, "Incorrect API key provided.")
	}
	if err != nil {
		return User{}, APIToken{}, err
	}
	now := s.now()
	switch {
	case tok.RevokedAt != nil:
		return User{}, APIToken{}, errs.E(errs.Unauthorized, "This API key has been revoked.")
	case tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt):
		return User{}, APIToken{}, errs.E(errs.Unauthorized, "This API key has expired.")
	}
	u, err := s.store.UserByID(ctx, tok.UserID)
	if err != nil && errs.CodeOf(err) != errs.NotFound {
		return User{}, APIToken{}, err
	}
	if err != nil || u.Disabled {
		return User{}, APIToken{}, errs.E(errs.Unauthorized, "The account of this API key is disabled.")
	}
	if u.TokensValidAfter != nil && !tok.CreatedAt.After(*u.TokensValidAfter) {
		// Made before the account was disabled: re-enabling revives none.
		return User{}, APIToken{}, errs.E(errs.Unauthorized, "This API key has been revoked.")
	}
	if s.touches.due(tok.ID, now) {
		go s.touch(tok.ID, now)
	}
	return u, tok, nil
}

// touch records a token's last use.
func (s *Service) touch(id string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.TouchAPIToken(ctx, id, at.UTC()); err != nil {
		s.log.Warn("touch api token", slog.String("token_id", id), slog.Any("error", err))
	}
}

// touchLog remembers when each token's last use was last written.
type touchLog struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// due reports whether the token's use at now should be written, and notes it.
func (l *touchLog) due(id string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, ok := l.last[id]; ok && now.Sub(last) < touchEvery {
		return false
	}
	if l.last == nil || len(l.last) > 10000 { // bound memory: start over
		l.last = map[string]time.Time{}
	}
	l.last[id] = now
	return true
}

// AuthenticateSession verifies an access token (JWT) and loads its user,
// refusing, even while the token is unexpired: deleted and disabled users,
// tokens issued before the user was last disabled, and tokens whose session
// (sid, the refresh family) has ended by logout, replay detection or a
// password change. Both lookups are served by the cache in production, so
// the hot path makes no database round trip.
func (s *Service) AuthenticateSession(ctx context.Context, accessToken string) (User, error) {
	if accessToken == "" {
		return User{}, errs.E(errs.Unauthorized, "missing access token (Authorization: Bearer …)")
	}
	claims, err := s.tokens.Verify(accessToken)
	if err != nil {
		return User{}, err
	}
	if claims.SessionID == "" { // issued before sessions were named: refresh
		return User{}, errs.E(errs.Unauthorized, "invalid access token")
	}
	u, err := s.ActiveUser(ctx, claims.Subject)
	if err != nil {
		return User{}, err
	}
	// iat has whole seconds: tokens of earlier seconds are refused here, and
	// any issued before the bound within its second belong to a session the
	// disabling revoked (below), so a login right after re-enabling works.
	if va := u.TokensValidAfter; va != nil && claims.IssuedAt != nil && claims.IssuedAt.Before(va.Truncate(time.Second)) {
		return User{}, errs.E(errs.Unauthorized, "session has ended; please log in again")
	}
	ended, err := s.store.RefreshFamilyRevoked(ctx, claims.SessionID)
	if err != nil {
		return User{}, fmt.Errorf("session state: %w", err)
	}
	if ended {
		return User{}, errs.E(errs.Unauthorized, "session has ended; please log in again")
	}
	return u, nil
}
