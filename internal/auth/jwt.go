// Package auth issues and verifies access tokens (JWT with a key set chosen
// by kid), hashes passwords with argon2id, and carries the caller in a context.
package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/errs"
)

// Algorithm is the only signing method parley issues and accepts.
const Algorithm = "HS256"

// Defaults for the issuer and audience claims.
const (
	DefaultIssuer   = "parley"
	DefaultAudience = "parley-api"
)

// KeySet holds the current signing secret and former secrets still accepted
// for verification, each known by its kid, so rotation logs nobody out.
type KeySet struct {
	currentKID string
	keys       map[string][]byte
}

// NewKeySet builds a key set; current signs, previous only verify.
func NewKeySet(current []byte, previous ...[]byte) (*KeySet, error) {
	if len(current) == 0 {
		return nil, errors.New("auth: empty signing secret")
	}
	ks := &KeySet{currentKID: KeyID(current), keys: map[string][]byte{}}
	ks.keys[ks.currentKID] = current
	for _, p := range previous {
		if len(p) == 0 {
			return nil, errors.New("auth: empty previous secret")
		}
		if _, dup := ks.keys[KeyID(p)]; !dup {
			ks.keys[KeyID(p)] = p
		}
	}
	return ks, nil
}

// KeyID is the kid of a secret: the first 8 bytes of its SHA-256, in hex.
// It names the key without revealing it.
func KeyID(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:8])
}

// CurrentKID is the kid new tokens carry.
func (ks *KeySet) CurrentKID() string { return ks.currentKID }

// Claims are the claims of a parley access token.
type Claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
	// SessionID (sid) names the login the token belongs to (its refresh
	// family), so ending that session refuses the token at once.
	SessionID string `json:"sid,omitempty"`
}

// TokenConfig sets the lifetime and the iss/aud claims of access tokens.
type TokenConfig struct {
	TTL      time.Duration
	Issuer   string // DefaultIssuer when empty
	Audience string // DefaultAudience when empty
	// Leeway tolerates clock skew between replicas when checking exp/nbf/iat.
	Leeway time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Tokens issues and verifies access tokens with a KeySet.
type Tokens struct {
	keys *KeySet
	cfg  TokenConfig
}

// NewTokens returns a token issuer/verifier.
func NewTokens(keys *KeySet, cfg TokenConfig) *Tokens {
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 15 * time.Minute
	}
	return &Tokens{keys: keys, cfg: cfg}
}

// TTL is the lifetime of issued tokens.
func (t *Tokens) TTL() time.Duration { return t.cfg.TTL }

// Issue signs an access token for userID with role in session sessionID,
// valid for TTL.
func (t *Tokens) Issue(userID, role, sessionID string) (token string, expiresAt time.Time, err error) {
	now := t.cfg.Now().UTC().Truncate(time.Second)
	expiresAt = now.Add(t.cfg.TTL)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.cfg.Issuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{t.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(expiresAt),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        uuid.NewString(),
		},
		Role:      role,
		SessionID: sessionID,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = t.keys.currentKID
	s, err := tok.SignedString(t.keys.keys[t.keys.currentKID])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, expiresAt, nil
}

// Verify checks signature (key chosen by kid), algorithm, exp, nbf, iat, iss
// and aud. Any failure is errs.Unauthorized with a client-safe message.
func (t *Tokens) Verify(token string) (Claims, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(token, &claims, t.keyFor,
		jwt.WithValidMethods([]string{Algorithm}),
		jwt.WithIssuer(t.cfg.Issuer),
		jwt.WithAudience(t.cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(t.cfg.Leeway),
		jwt.WithTimeFunc(t.cfg.Now),
	)
	if err != nil {
		msg := "invalid access token"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "access token expired"
		}
		return Claims{}, errs.Wrap(errs.Unauthorized, err, "%s", msg)
	}
	if claims.Subject == "" {
		return Claims{}, errs.E(errs.Unauthorized, "invalid access token")
	}
	return claims, nil
}

func (t *Tokens) keyFor(tok *jwt.Token) (any, error) {
	kid, _ := tok.Header["kid"].(string)
	key, ok := t.keys.keys[kid]
	if !ok {
		return nil, fmt.Errorf("unknown kid")
	}
	return key, nil
}
