package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// APITokenPrefix starts every personal API token, so leaked tokens are
// recognisable (and scanners can find them).
const APITokenPrefix = "pk_"

// displayPrefixLen is how much of a token is kept to show in lists.
const displayPrefixLen = len(APITokenPrefix) + 8

// newAPIToken returns a fresh token: "pk_" and 32 random bytes in base64url.
func newAPIToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashAPIToken is what is stored: the hex SHA-256 of the token. A fast hash
// suffices: the token has 256 random bits.
func hashAPIToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// TokenJSON is a personal API token as listed; Token only in the answer
// that creates it.
type TokenJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Prefix     string `json:"prefix"`
	Token      string `json:"token,omitempty"`
	CreatedAt  Time   `json:"created_at"`
	LastUsedAt *Time  `json:"last_used_at"`
	ExpiresAt  *Time  `json:"expires_at"`
}

func newTokenJSON(t account.APIToken) TokenJSON {
	return TokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: Time(t.CreatedAt),
		LastUsedAt: TimePtr(t.LastUsedAt), ExpiresAt: TimePtr(t.ExpiresAt)}
}

type createTokenBody struct {
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days"`
}

// createToken answers POST /api/v1/tokens: the token is shown this once.
func (a *ChatAPI) createToken(w http.ResponseWriter, r *http.Request) error {
	var in createTokenBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	name := strings.TrimSpace(in.Name)
	fields := map[string]string{}
	switch {
	case name == "":
		fields["name"] = "must not be empty"
	case utf8.RuneCountInString(name) > 100 || hasControlChar(name):
		fields["name"] = "must be at most 100 characters, without control characters"
	}
	if in.ExpiresInDays != nil && (*in.ExpiresInDays < 1 || *in.ExpiresInDays > 3650) {
		fields["expires_in_days"] = "must be between 1 and 3650"
	}
	if len(fields) > 0 {
		return errs.Validation(fields)
	}
	u, _ := CurrentUser(r)
	now := a.now().UTC()
	tok := newAPIToken()
	t := account.APIToken{
		ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, Name: name,
		Prefix: tok[:displayPrefixLen], TokenHash: hashAPIToken(tok), CreatedAt: now,
	}
	if in.ExpiresInDays != nil {
		exp := now.Add(time.Duration(*in.ExpiresInDays) * 24 * time.Hour)
		t.ExpiresAt = &exp
	}
	if err := a.d.Accounts.CreateAPIToken(r.Context(), t); err != nil {
		return err
	}
	out := newTokenJSON(t)
	out.Token = tok
	return WriteJSON(w, http.StatusCreated, out)
}

// listTokens answers GET /api/v1/tokens: the caller's live tokens, never
// the tokens themselves.
func (a *ChatAPI) listTokens(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	ts, err := a.d.Accounts.ListAPITokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	out := []TokenJSON{}
	for _, t := range ts {
		if t.RevokedAt == nil {
			out = append(out, newTokenJSON(t))
		}
	}
	return WriteJSON(w, http.StatusOK, NewList(out, ""))
}

// deleteToken answers DELETE /api/v1/tokens/{id}: the token stops working.
func (a *ChatAPI) deleteToken(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	id := r.PathValue("id")
	if err := a.d.Accounts.RevokeAPIToken(r.Context(), u.ID, id, a.now().UTC()); err != nil {
		return err
	}
	a.tokens.forgetID(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func hasControlChar(s string) bool {
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
