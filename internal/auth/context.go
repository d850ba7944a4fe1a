package auth

import "context"

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID string
	Email  string
	Role   string
	// APITokenID is set when the caller used a personal API token
	// rather than an access token.
	APITokenID string
}

// IsAdmin reports whether the caller has the admin role.
func (p Principal) IsAdmin() bool { return p.Role == "admin" }

type principalKey struct{}

// NewContextWithUser returns ctx carrying p.
func NewContextWithUser(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// UserFromContext returns the caller stored by NewContextWithUser.
func UserFromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
