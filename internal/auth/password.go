package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/parley-chat/parley/internal/errs"
)

// Password policy: at least MinPasswordChars characters, at most
// MaxPasswordBytes bytes (argon2 would accept more, but a bound stops
// hashing megabyte "passwords").
const (
	MinPasswordChars = 8
	MaxPasswordBytes = 256
)

// Params are argon2id's cost parameters; they travel inside each hash, so
// raising them later keeps old hashes verifiable.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams follow OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// CheckPasswordPolicy returns an errs validation error for field when pw
// breaks the policy.
func CheckPasswordPolicy(field, pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return errs.Validation(map[string]string{field: fmt.Sprintf("must be at least %d characters", MinPasswordChars)})
	case len(pw) > MaxPasswordBytes:
		return errs.Validation(map[string]string{field: fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes)})
	}
	return nil
}

// HashPassword returns an argon2id PHC string with a fresh random salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) { return hashWith(DefaultParams, pw) }

func hashWith(p Params, pw string) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// ErrBadHash reports a stored hash that is not a PHC argon2id string.
var ErrBadHash = errors.New("auth: malformed password hash")

// VerifyPassword reports whether pw matches the PHC hash, comparing in
// constant time with the parameters stored in the hash.
func VerifyPassword(hash, pw string) (bool, error) {
	p, salt, want, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether hash was made with weaker parameters than
// DefaultParams (rehash it at the next successful login).
func NeedsRehash(hash string) bool {
	p, _, _, err := parseHash(hash)
	return err != nil || p.Memory < DefaultParams.Memory || p.Time < DefaultParams.Time
}

func parseHash(hash string) (Params, []byte, []byte, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, ErrBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, ErrBadHash
	}
	// Refuse absurd parameters from a tampered row instead of allocating them.
	if p.Memory == 0 || p.Memory > 1<<22 || p.Time == 0 || p.Time > 64 || p.Threads == 0 {
		return Params{}, nil, nil, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return Params{}, nil, nil, ErrBadHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return Params{}, nil, nil, ErrBadHash
	}
	return p, salt, key, nil
}
