package account

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/errs"
)

// RegisterInput is a sign-up request.
type RegisterInput struct {
	Email      string
	Password   string
	Name       string
	InviteCode string
}

// Register creates an account under the sign-up policy and logs it in. The
// first account becomes admin (atomically, in the store).
func (s *Service) Register(ctx context.Context, in RegisterInput, c Client) (Session, error) {
	if s.signup == SignupClosed {
		return Session{}, errs.E(errs.Forbidden, "sign-up is closed; ask an administrator for an account")
	}
	fields := map[string]string{}
	email, msg := NormalizeEmail(in.Email)
	if msg != "" {
		fields["email"] = msg
	}
	name, msg := NormalizeName(in.Name)
	if msg != "" {
		fields["name"] = msg
	}
	if err := auth.CheckPasswordPolicy("password", in.Password); err != nil {
		e, _ := errs.As(err)
		fields["password"] = e.Fields["password"]
	}
	var inviteHash string
	if s.signup == SignupInvite {
		if in.InviteCode == "" {
			fields["invite_code"] = "is required: sign-up is by invitation"
		} else {
			inviteHash = hashToken(in.InviteCode)
		}
	}
	if len(fields) > 0 {
		return Session{}, errs.Validation(fields)
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return Session{}, err
	}
	now := s.now().UTC()
	u, err := s.store.CreateUser(ctx, User{
		ID: newID(), Email: email, Name: name, PasswordHash: hash, Role: RoleUser,
		CreatedAt: now, UpdatedAt: now,
	}, CreateOptions{FirstAdmin: true, InviteHash: inviteHash})
	switch {
	case err == nil:
		s.log.InfoContext(ctx, "user registered", "user_id", u.ID, "role", u.Role)
	case errs.CodeOf(err) == errs.Conflict:
		return Session{}, &errs.Error{Code: errs.Conflict, Message: "this email is already registered",
			Fields: map[string]string{"email": "is already registered"}, Err: err}
	case errs.CodeOf(err) == errs.NotFound:
		if inviteHash != "" {
			return Session{}, errs.Validation(map[string]string{"invite_code": "is invalid, used or expired"})
		}
		return Session{}, err
	default:
		return Session{}, fmt.Errorf("create user: %w", err)
	}
	return s.issueSession(ctx, u, "", c)
}

// Login checks email and password. Unknown email, wrong password and a
// disabled account give the same error after the same work (one argon2id
// verification); repeated failures are answered with errs.RateLimited and a
// retry delay (see beginAttempt), the slot taken before the password is
// checked.
func (s *Service) Login(ctx context.Context, email, password string, c Client) (Session, error) {
	norm, _ := NormalizeEmail(email)
	if norm == "" {
		norm = email // still throttled, under its raw spelling
	}
	a, err := s.beginAttempt(ctx, norm, c)
	if err != nil {
		return Session{}, err
	}
	invalid := errs.E(errs.Unauthorized, "invalid email or password")
	if len(password) > auth.MaxPasswordBytes {
		return Session{}, invalid
	}
	u, err := s.store.UserByEmail(ctx, norm)
	hash := u.PasswordHash
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		hash = s.dummyHash
	case err != nil:
		a.refund(ctx)
		return Session{}, fmt.Errorf("find user: %w", err)
	}
	ok, err := s.hasher.Verify(ctx, hash, password)
	if err != nil {
		a.refund(ctx)
		if errs.CodeOf(err) == errs.Unavailable {
			return Session{}, err
		}
		return Session{}, fmt.Errorf("verify password of user %s: %w", u.ID, err)
	}
	// A disabled account answers a correct password as a wrong one, and
	// counts it: the answer tells nobody whether they guessed right.
	if !ok || hash == s.dummyHash || u.Disabled {
		return Session{}, invalid
	}
	a.succeeded(ctx)
	if auth.NeedsRehash(u.PasswordHash) {
		if h, err := s.hasher.Hash(ctx, password); err == nil {
			_, _ = s.store.UpdateUser(ctx, u.ID, UserUpdate{PasswordHash: &h})
		}
	}
	return s.issueSession(ctx, u, "", c)
}

// Refresh exchanges a refresh token for a new session. The token is single
// use: presenting an already used token revokes its whole family, since
// either the client or a thief holds a stolen copy.
func (s *Service) Refresh(ctx context.Context, token string, c Client) (Session, error) {
	invalid := errs.E(errs.Unauthorized, "invalid refresh token")
	if token == "" || len(token) > 256 {
		return Session{}, invalid
	}
	rt, err := s.store.RefreshTokenByHash(ctx, hashToken(token))
	if errs.CodeOf(err) == errs.NotFound {
		return Session{}, invalid
	} else if err != nil {
		return Session{}, fmt.Errorf("find refresh token: %w", err)
	}
	now := s.now().UTC()
	if rt.RevokedAt != nil {
		return Session{}, invalid
	}
	if rt.UsedAt != nil {
		return Session{}, s.reuse(ctx, rt, now)
	}
	if !now.Before(rt.ExpiresAt) {
		return Session{}, errs.E(errs.Unauthorized, "refresh token expired")
	}
	if err := s.store.MarkRefreshTokenUsed(ctx, rt.ID, now); errs.CodeOf(err) == errs.Conflict {
		return Session{}, s.reuse(ctx, rt, now)
	} else if err != nil {
		return Session{}, fmt.Errorf("mark refresh token used: %w", err)
	}
	u, err := s.ActiveUser(ctx, rt.UserID)
	if err != nil {
		return Session{}, err
	}
	return s.issueSession(ctx, u, rt.FamilyID, c)
}

func (s *Service) reuse(ctx context.Context, rt RefreshToken, now time.Time) error {
	if err := s.store.RevokeRefreshFamily(ctx, rt.FamilyID, now); err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	s.log.WarnContext(ctx, "refresh token reused; family revoked", "user_id", rt.UserID, "family_id", rt.FamilyID)
	return errs.E(errs.Unauthorized, "refresh token already used; please log in again")
}

// Logout revokes the refresh token's whole family. An unknown or already
// revoked token is not an error: the outcome the caller wants holds.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > 256 {
		return errs.Validation(map[string]string{"refresh_token": "is required"})
	}
	rt, err := s.store.RefreshTokenByHash(ctx, hashToken(token))
	if errs.CodeOf(err) == errs.NotFound {
		return nil
	} else if err != nil {
		return fmt.Errorf("find refresh token: %w", err)
	}
	if err := s.store.RevokeRefreshFamily(ctx, rt.FamilyID, s.now().UTC()); err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
}
