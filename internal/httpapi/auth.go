package httpapi

import (
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// BearerToken returns the token of an "Authorization: Bearer …" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// authenticate verifies the access token and loads its user, refusing
// deleted and disabled users even while their token is unexpired.
func (s *Server) authenticate(r *http.Request) (account.User, error) {
	tok, ok := BearerToken(r)
	if !ok {
		return account.User{}, errs.E(errs.Unauthorized, "missing access token (Authorization: Bearer …)")
	}
	claims, err := s.tokens.Verify(tok)
	if err != nil {
		return account.User{}, err
	}
	return s.accounts.ActiveUser(r.Context(), claims.Subject)
}
