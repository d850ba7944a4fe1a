package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

type userKey struct{}

// CurrentUser returns the authenticated user of r; ok is false on routes
// without authentication.
func CurrentUser(r *http.Request) (account.User, bool) {
	u, ok := r.Context().Value(userKey{}).(account.User)
	return u, ok
}

// bearerToken returns the token of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// authenticate checks the caller of a route of kind a through the account
// service and hands the user to the handler (and the request record).
func (s *Server) authenticate(a Auth) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var (
				u       account.User
				tokenID string
				err     error
			)
			if a == AuthAPIToken {
				var t account.APIToken
				u, t, err = s.d.Accounts.AuthenticateAPIToken(r.Context(), bearerToken(r))
				tokenID = t.ID
			} else {
				u, err = s.d.Accounts.AuthenticateSession(r.Context(), bearerToken(r))
				if err == nil && a == AuthAdmin && !u.IsAdmin() {
					err = errs.E(errs.Forbidden, "administrators only")
				}
			}
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(withUser(r.Context(), u, tokenID)))
		})
	}
}

// withUser returns ctx carrying the authenticated user, noted in the
// request record too.
func withUser(ctx context.Context, u account.User, tokenID string) context.Context {
	if rec := reqctx.From(ctx); rec != nil {
		rec.UserID, rec.TokenID = u.ID, tokenID
	}
	return context.WithValue(ctx, userKey{}, u)
}
