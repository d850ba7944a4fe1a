package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/errs"
)

// Sign-up policies (PARLEY_SIGNUP).
const (
	SignupOpen   = "open"
	SignupInvite = "invite"
	SignupClosed = "closed"
)

// InviteTTL is how long an invite code stays usable.
const InviteTTL = 7 * 24 * time.Hour

// Options configure a Service.
type Options struct {
	Signup     string        // SignupOpen when empty
	RefreshTTL time.Duration // 720h when zero
	// AccountThrottle, AccountWideThrottle and AddressThrottle slow down
	// failed password attempts per account from one client address, per
	// account from every address, and per client address (see
	// beginAttempt); in-memory with the default policies when nil.
	AccountThrottle     Throttle
	AccountWideThrottle Throttle
	AddressThrottle     Throttle
	// Hasher bounds concurrent argon2id work; auth.NewHasher's defaults
	// when nil.
	Hasher *auth.Hasher
	Logger *slog.Logger
	Now    func() time.Time
	// MaxAPITokens caps the unrevoked, unexpired API tokens one user may
	// hold; DefaultMaxAPITokens when zero, no cap when negative.
	MaxAPITokens int
}

// DefaultMaxAPITokens is the API-token cap per user unless configured.
const DefaultMaxAPITokens = 50

// Service enforces parley's account rules: sign-up, login, refresh-token
// rotation, profile changes and administration.
type Service struct {
	store      Store
	tokens     *auth.Tokens
	signup     string
	refreshTTL time.Duration
	byAccount  Throttle
	byAcctWide Throttle
	byAddress  Throttle
	hasher     *auth.Hasher
	log        *slog.Logger
	now        func() time.Time
	dummyHash  string
	// maxAPITokens: 0 means no cap (see Options.MaxAPITokens).
	maxAPITokens int
	touches      touchLog
}

// NewService returns a Service on store issuing access tokens with tokens.
func NewService(store Store, tokens *auth.Tokens, opts Options) (*Service, error) {
	if opts.Signup == "" {
		opts.Signup = SignupOpen
	}
	switch opts.Signup {
	case SignupOpen, SignupInvite, SignupClosed:
	default:
		return nil, fmt.Errorf("account: unknown sign-up policy %q", opts.Signup)
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = 720 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case opts.MaxAPITokens == 0:
		opts.MaxAPITokens = DefaultMaxAPITokens
	case opts.MaxAPITokens < 0:
		opts.MaxAPITokens = 0
	}
	if opts.AccountThrottle == nil {
		opts.AccountThrottle = NewMemoryThrottle(DefaultThrottlePolicy, opts.Now)
	}
	if opts.AccountWideThrottle == nil {
		opts.AccountWideThrottle = NewMemoryThrottle(DefaultAccountWidePolicy, opts.Now)
	}
	if opts.AddressThrottle == nil {
		opts.AddressThrottle = NewMemoryThrottle(DefaultAddressThrottlePolicy, opts.Now)
	}
	if opts.Hasher == nil {
		opts.Hasher = auth.NewHasher(0, -1)
	}
	// Logins for unknown emails verify against this hash, so they take as
	// long as logins with a wrong password.
	dummy, err := auth.HashPassword(randomToken(16))
	if err != nil {
		return nil, err
	}
	return &Service{
		store: store, tokens: tokens, signup: opts.Signup, refreshTTL: opts.RefreshTTL,
		byAccount: opts.AccountThrottle, byAcctWide: opts.AccountWideThrottle, byAddress: opts.AddressThrottle,
		hasher: opts.Hasher, log: opts.Logger, now: opts.Now, dummyHash: dummy,
		maxAPITokens: opts.MaxAPITokens,
	}, nil
}

// Signup is the configured sign-up policy.
func (s *Service) Signup() string { return s.signup }

// Client describes where a request came from; it is stored with refresh
// tokens and keys the per-address login throttle.
type Client struct {
	IP        string
	UserAgent string
}

// Session is what a successful register, login or refresh returns.
type Session struct {
	User         User
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
}

// issueSession signs an access token and stores a new refresh token in
// familyID (a new family when empty).
// The access token carries the family as its session id (sid).
func (s *Service) issueSession(ctx context.Context, u User, familyID string, c Client) (Session, error) {
	if familyID == "" {
		familyID = newID()
	}
	access, _, err := s.tokens.Issue(u.ID, u.Role, familyID)
	if err != nil {
		return Session{}, err
	}
	refresh := randomToken(32)
	now := s.now().UTC()
	err = s.store.CreateRefreshToken(ctx, RefreshToken{
		ID: newID(), UserID: u.ID, FamilyID: familyID, TokenHash: hashToken(refresh),
		ExpiresAt: now.Add(s.refreshTTL), CreatedAt: now,
		UserAgent: truncate(c.UserAgent, 256), ClientIP: truncate(c.IP, 64),
	})
	if err != nil {
		return Session{}, fmt.Errorf("store refresh token: %w", err)
	}
	return Session{User: u, AccessToken: access, RefreshToken: refresh, ExpiresIn: s.tokens.TTL()}, nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how refresh tokens and invite codes are stored: hex SHA-256.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ActiveUser returns the user an access token names, refusing users that
// no longer exist or are disabled (errs.Unauthorized).
func (s *Service) ActiveUser(ctx context.Context, id string) (User, error) {
	u, err := s.store.UserByID(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return User{}, errs.E(errs.Unauthorized, "user no longer exists")
	}
	if err != nil {
		return User{}, err
	}
	if u.Disabled {
		return User{}, errs.E(errs.Unauthorized, "account is disabled")
	}
	return u, nil
}
