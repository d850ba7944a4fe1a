package account

import (
	"context"
	"fmt"

	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/errs"
)

// User returns one user by id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	return s.store.UserByID(ctx, id)
}

// MeUpdate is a user's change to their own profile; nil fields stay.
type MeUpdate struct {
	Name            *string
	Password        *string
	CurrentPassword *string
	// RefreshToken, when set with a password change, is the caller's own
	// current refresh token: its session stays signed in.
	RefreshToken *string
	// Client is where the request came from: proving the current password
	// is a password attempt, throttled like a login from there.
	Client Client
}

// UpdateMe changes the caller's name and/or password. A password change
// needs the current password and signs out every other refresh session of
// the user: all of them, or all but the one whose refresh token the caller
// presents. The access tokens of the sessions it ends stop working at once.
// A wrong current password counts as a failed login of the account, under
// the same throttle: a stolen access token is no way around the login back-off.
func (s *Service) UpdateMe(ctx context.Context, userID string, in MeUpdate) (User, error) {
	var upd UserUpdate
	fields := map[string]string{}
	if in.Name != nil {
		name, msg := NormalizeName(*in.Name)
		if msg != "" {
			fields["name"] = msg
		}
		upd.Name = &name
	}
	if in.Password != nil {
		if err := auth.CheckPasswordPolicy("password", *in.Password); err != nil {
			e, _ := errs.As(err)
			fields["password"] = e.Fields["password"]
		}
		if in.CurrentPassword == nil || *in.CurrentPassword == "" {
			fields["current_password"] = "is required to change the password"
		}
	}
	keepFamily := ""
	if in.Password != nil && in.RefreshToken != nil {
		family, msg, err := s.ownSession(ctx, userID, *in.RefreshToken)
		if err != nil {
			return User{}, err
		}
		if msg != "" {
			fields["refresh_token"] = msg
		}
		keepFamily = family
	}
	if len(fields) > 0 {
		return User{}, errs.Validation(fields)
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if in.Password != nil {
		hash, err := s.store.UserPasswordHash(ctx, userID) // the cached user has none
		if err != nil {
			return User{}, err
		}
		a, err := s.beginAttempt(ctx, u.Email, in.Client)
		if err != nil {
			return User{}, err
		}
		ok, err := s.hasher.Verify(ctx, hash, *in.CurrentPassword)
		switch {
		case errs.CodeOf(err) == errs.Unavailable:
			a.refund(ctx)
			return User{}, err
		case err != nil:
			a.refund(ctx)
			return User{}, fmt.Errorf("verify password of user %s: %w", u.ID, err)
		case !ok:
			return User{}, errs.Validation(map[string]string{"current_password": "is not correct"})
		}
		a.succeeded(ctx)
		h, err := s.hasher.Hash(ctx, *in.Password)
		if err != nil {
			return User{}, err
		}
		upd.PasswordHash = &h
	}
	if upd.Name == nil && upd.PasswordHash == nil {
		return u, nil
	}
	u, err = s.store.UpdateUser(ctx, userID, upd)
	if err != nil {
		return User{}, err
	}
	if upd.PasswordHash != nil {
		now := s.now().UTC()
		if keepFamily != "" {
			err = s.store.RevokeUserRefreshTokensExcept(ctx, userID, keepFamily, now)
		} else {
			err = s.store.RevokeUserRefreshTokens(ctx, userID, now)
		}
		if err != nil {
			return User{}, fmt.Errorf("revoke sessions after password change: %w", err)
		}
		s.log.InfoContext(ctx, "password changed; other sessions revoked", "user_id", userID, "kept_session", keepFamily != "")
	}
	return u, nil
}

// ownSession returns the session family of token when it is a current
// (unused, unrevoked, unexpired) refresh token of userID, else a field
// message for the client.
func (s *Service) ownSession(ctx context.Context, userID, token string) (family, msg string, err error) {
	const notCurrent = "is not a current refresh token of yours"
	if token == "" || len(token) > 256 {
		return "", notCurrent, nil
	}
	rt, err := s.store.RefreshTokenByHash(ctx, hashToken(token))
	if errs.CodeOf(err) == errs.NotFound {
		return "", notCurrent, nil
	} else if err != nil {
		return "", "", fmt.Errorf("find refresh token: %w", err)
	}
	if rt.UserID != userID || rt.RevokedAt != nil || rt.UsedAt != nil || !s.now().Before(rt.ExpiresAt) {
		return "", notCurrent, nil
	}
	return rt.FamilyID, "", nil
}

// CreateUser makes an account directly, bypassing the sign-up policy: the
// `parley user create` command uses it to make the first admin.
func (s *Service) CreateUser(ctx context.Context, email, name, password string, admin bool) (User, error) {
	fields := map[string]string{}
	e, msg := NormalizeEmail(email)
	if msg != "" {
		fields["email"] = msg
	}
	n, msg := NormalizeName(name)
	if msg != "" {
		fields["name"] = msg
	}
	if err := auth.CheckPasswordPolicy("password", password); err != nil {
		pe, _ := errs.As(err)
		fields["password"] = pe.Fields["password"]
	}
	if len(fields) > 0 {
		return User{}, errs.Validation(fields)
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	role := RoleUser
	if admin {
		role = RoleAdmin
	}
	now := s.now().UTC()
	u, err := s.store.CreateUser(ctx, User{ID: newID(), Email: e, Name: n, PasswordHash: hash, Role: role,
		CreatedAt: now, UpdatedAt: now}, CreateOptions{FirstAdmin: true})
	if errs.CodeOf(err) == errs.Conflict {
		return User{}, &errs.Error{Code: errs.Conflict, Message: "this email is already registered",
			Fields: map[string]string{"email": "is already registered"}, Err: err}
	}
	return u, err
}
