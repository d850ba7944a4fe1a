package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/auth"
)

// reqInfo is the mutable per-request record that outer middleware (logging,
// metrics) reads after inner layers (router, auth, problem writer) fill it.
type reqInfo struct {
	id         string
	route      string
	userID     string
	errorID    string
	clientIP   string
	clientGone bool
	log        *slog.Logger
}

type infoKey struct{}
type userKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(infoKey{}).(*reqInfo)
	return i
}

func withInfo(ctx context.Context, i *reqInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, i)
}

// RequestID returns the id of the request ctx belongs to ("" outside one).
func RequestID(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.id
	}
	return ""
}

// ClientIP returns the caller's address as edge.ClientIP resolved it,
// believing X-Forwarded-For only from PARLEY_TRUSTED_PROXIES; outside the
// server's chain, the peer's address.
func ClientIP(r *http.Request) string {
	if i := infoFrom(r.Context()); i != nil {
		return i.clientIP
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// RoutePattern returns the matched route pattern of r ("" before routing);
// like UserID it reads the shared request record.
func RoutePattern(r *http.Request) string {
	if i := infoFrom(r.Context()); i != nil {
		return i.route
	}
	return ""
}

// UserID returns the authenticated user's id of r, "" when anonymous. It
// reads the request record, so outer middleware sees what auth learned.
func UserID(r *http.Request) string {
	if i := infoFrom(r.Context()); i != nil {
		return i.userID
	}
	return ""
}

// LogAttrs are the request's log attributes (request_id) for loggers
// outside the HTTP layer; see logging.WithContext.
func LogAttrs(ctx context.Context) []slog.Attr {
	if i := infoFrom(ctx); i != nil {
		return []slog.Attr{slog.String("request_id", i.id)}
	}
	return nil
}

// logger returns the request-scoped logger (with request_id).
func logger(r *http.Request) *slog.Logger {
	if i := infoFrom(r.Context()); i != nil && i.log != nil {
		return i.log
	}
	return slog.Default()
}

// Logger returns the request-scoped logger carrying request_id.
func Logger(r *http.Request) *slog.Logger { return logger(r) }

// WithUser returns ctx carrying the authenticated user, both as the full
// account.User (CurrentUser) and as an auth.Principal (auth.UserFromContext).
// API-token authentication for /v1 should use it too.
func WithUser(ctx context.Context, u account.User, apiTokenID string) context.Context {
	if i := infoFrom(ctx); i != nil {
		i.userID = u.ID
	}
	ctx = auth.NewContextWithUser(ctx, auth.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, APITokenID: apiTokenID})
	return context.WithValue(ctx, userKey{}, u)
}

// CurrentUser returns the authenticated user of r; ok is false on public routes.
func CurrentUser(r *http.Request) (account.User, bool) {
	u, ok := r.Context().Value(userKey{}).(account.User)
	return u, ok
}
