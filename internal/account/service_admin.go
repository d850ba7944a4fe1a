package account

import (
	"context"
	"fmt"

	"github.com/parley-chat/parley/internal/errs"
)

// Paging limits for lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ListUsers pages through users for administrators.
func (s *Service) ListUsers(ctx context.Context, p ListUsersParams) ([]User, string, error) {
	return s.store.ListUsers(ctx, p)
}

// AdminUpdate is an administrator's change to a user; nil fields stay.
// DailyTokenQuota set to a pointer to nil clears the override.
type AdminUpdate struct {
	Role            *string
	Disabled        *bool
	DailyTokenQuota **int64
}

// AdminUpdateUser applies an administrator's change. Admins cannot demote
// or disable themselves (so a lone admin cannot lock everyone out), and
// disabling a user ends their sessions and refuses, from then on, every
// access and API token they held (re-enabling revives none).
func (s *Service) AdminUpdateUser(ctx context.Context, actorID, targetID string, in AdminUpdate) (User, error) {
	fields := map[string]string{}
	if in.Role != nil && *in.Role != RoleUser && *in.Role != RoleAdmin {
		fields["role"] = "must be user or admin"
	}
	if in.DailyTokenQuota != nil && *in.DailyTokenQuota != nil && **in.DailyTokenQuota < 0 {
		fields["daily_token_quota"] = "must be null, 0 (unlimited) or positive"
	}
	if actorID == targetID {
		if in.Role != nil && *in.Role != RoleAdmin {
			fields["role"] = "you cannot remove your own admin role"
		}
		if in.Disabled != nil && *in.Disabled {
			fields["disabled"] = "you cannot disable yourself"
		}
	}
	if len(fields) > 0 {
		return User{}, errs.Validation(fields)
	}
	upd := UserUpdate{Role: in.Role, Disabled: in.Disabled, DailyTokenQuota: in.DailyTokenQuota}
	now := s.now().UTC()
	if in.Disabled != nil && *in.Disabled {
		upd.TokensValidAfter = &now // no token held now works again after re-enabling
	}
	u, err := s.store.UpdateUser(ctx, targetID, upd)
	if err != nil {
		return User{}, err
	}
	if in.Disabled != nil && *in.Disabled {
		if err := s.store.RevokeUserRefreshTokens(ctx, targetID, now); err != nil {
			return User{}, fmt.Errorf("revoke sessions of disabled user: %w", err)
		}
	}
	s.log.InfoContext(ctx, "user updated by admin", "user_id", actorID, "target_id", targetID)
	return u, nil
}

// NewInvite creates a single-use invite, optionally bound to one email. The
// code is returned once; only its hash is stored.
func (s *Service) NewInvite(ctx context.Context, actorID, email string) (Invite, string, error) {
	if email != "" {
		e, msg := NormalizeEmail(email)
		if msg != "" {
			return Invite{}, "", errs.Validation(map[string]string{"email": msg})
		}
		email = e
	}
	code := randomToken(18)
	now := s.now().UTC()
	inv := Invite{ID: newID(), CodeHash: hashToken(code), CreatedBy: actorID, Email: email,
		CreatedAt: now, ExpiresAt: now.Add(InviteTTL)}
	if err := s.store.CreateInvite(ctx, inv); err != nil {
		return Invite{}, "", fmt.Errorf("create invite: %w", err)
	}
	return inv, code, nil
}

// Invites lists every invite (without codes).
func (s *Service) Invites(ctx context.Context) ([]Invite, error) {
	return s.store.ListInvites(ctx)
}
