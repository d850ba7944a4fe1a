// Package account holds users, refresh-token sessions and personal API tokens:
// the domain types and the Store interface that storage backends implement.
package account

import (
	"context"
	"time"

	"github.com/parley-chat/parley/internal/errs"
)

// Roles a user can have.
const (
	RoleUser  = "user"
	RoleAdmin = "admin"
)

// User is a person with a login.
type User struct {
	ID    string
	Email string // stored lower-cased; unique
	Name  string
	// PasswordHash is the argon2id PHC string. It never leaves the store:
	// not serialised (the cache keeps users without it), and only login and
	// password change read it (UserByEmail, UserPasswordHash).
	PasswordHash string `json:"-"`
	Role         string // RoleUser or RoleAdmin
	Disabled     bool
	// DailyTokenQuota overrides the default daily token quota when non-nil;
	// 0 means unlimited (as for the default, PARLEY_DAILY_TOKEN_QUOTA).
	DailyTokenQuota *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// TokensValidAfter, when set, refuses access tokens issued in an
	// earlier second and API tokens created at or before it: disabling a
	// user sets it (and ends their sessions), so re-enabling them revives
	// none of the tokens they held.
	TokensValidAfter *time.Time
}

// IsAdmin reports whether u has the admin role.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// RefreshToken is one link in a rotation chain. Only the SHA-256 of the
// token is stored. All tokens of one login share a FamilyID, so a reused
// (already rotated) token can revoke the whole family.
type RefreshToken struct {
	ID        string
	UserID    string
	FamilyID  string
	TokenHash string // hex SHA-256 of the opaque token
	ExpiresAt time.Time
	CreatedAt time.Time
	UsedAt    *time.Time // set when rotated
	RevokedAt *time.Time
	UserAgent string
	ClientIP  string
}

// APIToken is a personal token for the OpenAI-compatible API. Only its
// hash is stored; Prefix (first characters) lets users recognise it.
type APIToken struct {
	ID         string
	UserID     string
	Name       string
	Prefix     string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
}

// Invite lets one person register while sign-up is "invite".
type Invite struct {
	ID        string
	CodeHash  string
	CreatedBy string
	Email     string // optional: the invite only works for this email
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	UsedBy    string
}

// ErrAPITokenLimit is what a store returns when a user already holds the
// most API tokens they may.
var ErrAPITokenLimit = errs.E(errs.Conflict, "api token limit reached")

// CreateOptions are the atomic side conditions of CreateUser.
type CreateOptions struct {
	// FirstAdmin: when no user exists yet, store the user as admin. Two racing
	// first sign-ups yield exactly one admin.
	FirstAdmin bool
	// InviteHash, when set, must name an unused, unexpired invite (whose Email,
	// if set, equals the user's); it is marked used by the new user in the
	// same transaction. errs.NotFound (message "invite") when there is none.
	InviteHash string
}

// UserUpdate lists the fields of a user that may change; nil means unchanged.
type UserUpdate struct {
	Name             *string
	PasswordHash     *string
	Role             *string
	Disabled         *bool
	DailyTokenQuota  **int64 // set to a pointer to nil to clear the override
	TokensValidAfter *time.Time
}

// ListUsersParams pages through users, newest first.
type ListUsersParams struct {
	Limit  int
	Cursor string // opaque, from the previous page's NextCursor
	Query  string // optional substring of email or name
}

// Store persists accounts. Implementations return errs.NotFound for missing
// rows and errs.Conflict for unique violations (a taken email).
type Store interface {
	// CreateUser inserts u in one transaction with what opts asks for, and
	// returns the stored user. errs.Conflict when the email is taken.
	CreateUser(ctx context.Context, u User, opts CreateOptions) (User, error)
	UserByID(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	// UserPasswordHash reads the user's password hash from the database
	// (never from a cache, which holds users without it).
	UserPasswordHash(ctx context.Context, id string) (string, error)
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (User, error)
	ListUsers(ctx context.Context, p ListUsersParams) (users []User, nextCursor string, err error)
	CountUsers(ctx context.Context) (int, error)

	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// RefreshTokenByHash returns the token with RevokedAt set when its
	// family is revoked, even if the token's own row was inserted after the
	// revocation (a refresh racing a replay or a logout).
	RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error)
	// MarkRefreshTokenUsed sets UsedAt if it is still unset and returns
	// errs.Conflict when it was already used (a concurrent or replayed use).
	MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) error
	RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error
	// RefreshFamilyRevoked reports whether a session (refresh family, the
	// sid of its access tokens) has ended: any of its tokens is revoked, or
	// it has none. Access-token authentication asks it on every request, so
	// a cache serves it in production.
	RefreshFamilyRevoked(ctx context.Context, familyID string) (bool, error)
	// UserRefreshFamilies lists the user's families holding a token that is
	// unexpired at since (what a user-wide revocation may have ended).
	UserRefreshFamilies(ctx context.Context, userID string, since time.Time) ([]string, error)
	RevokeUserRefreshTokens(ctx context.Context, userID string, at time.Time) error
	// RevokeUserRefreshTokensExcept revokes every unrevoked token of the user
	// outside family keepFamilyID (the session that changed the password).
	RevokeUserRefreshTokensExcept(ctx context.Context, userID, keepFamilyID string, at time.Time) error

	// CreateInvite stores a single-use sign-up invite (hash of the code).
	CreateInvite(ctx context.Context, inv Invite) error
	ListInvites(ctx context.Context) ([]Invite, error)

	// CreateAPIToken stores t. With maxLive > 0 it returns ErrAPITokenLimit
	// when the user already holds maxLive unrevoked, unexpired tokens; the
	// count and the insert are one atomic step, so racing creates cannot
	// pass the cap. errs.NotFound when the user does not exist.
	CreateAPIToken(ctx context.Context, t APIToken, maxLive int) error
	APITokenByHash(ctx context.Context, hash string) (APIToken, error)
	ListAPITokens(ctx context.Context, userID string) ([]APIToken, error)
	// RevokeAPIToken revokes the user's token; errs.NotFound if it is not theirs.
	RevokeAPIToken(ctx context.Context, userID, id string, at time.Time) error
	TouchAPIToken(ctx context.Context, id string, at time.Time) error
}
