package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

const refreshCols = `id, user_id, family_id, token_hash, expires_at, created_at, used_at, revoked_at, user_agent, client_ip`

// refreshColsFamily reads a token (aliased t) with the revocation of its
// family: a family is revoked as soon as any of its tokens is. Revocation
// is thus checked when a token is used, so a token inserted by a refresh
// that raced the revocation (its row did not exist yet when the family's
// rows were updated) is refused all the same.
const refreshColsFamily = `t.id, t.user_id, t.family_id, t.token_hash, t.expires_at, t.created_at, t.used_at,
	COALESCE(t.revoked_at, (SELECT MIN(f.revoked_at) FROM refresh_tokens f WHERE f.family_id = t.family_id)),
	t.user_agent, t.client_ip`

// CreateRefreshToken stores t; errs.NotFound when its user does not exist.
func (s *Store) CreateRefreshToken(ctx context.Context, t account.RefreshToken) error {
	if err := sqlkit.CheckText("user_agent", t.UserAgent, "client_ip", t.ClientIP, "token_hash", t.TokenHash); err != nil {
		return err
	}
	_, err := s.w.Exec(ctx, `INSERT INTO refresh_tokens (`+refreshCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		sqlkit.ID(t.ID), t.UserID, t.FamilyID, t.TokenHash, tIn(t.ExpiresAt), sqlkit.TimeOrNow(t.CreatedAt),
		tpIn(t.UsedAt), tpIn(t.RevokedAt), t.UserAgent, t.ClientIP)
	return fail(ctx, "create refresh token", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "token already exists"})
}

// RefreshTokenByHash returns the token whose hash is hash, revoked when
// its family is (primary).
func (s *Store) RefreshTokenByHash(ctx context.Context, hash string) (account.RefreshToken, error) {
	var t account.RefreshToken
	err := s.w.QueryRow(ctx, `SELECT `+refreshColsFamily+` FROM refresh_tokens t WHERE t.token_hash = $1`, hash).Scan(
		&t.ID, &t.UserID, &t.FamilyID, &t.TokenHash, &t.ExpiresAt, &t.CreatedAt, &t.UsedAt, &t.RevokedAt,
		&t.UserAgent, &t.ClientIP)
	if err != nil {
		return account.RefreshToken{}, fail(ctx, "refresh token by hash", err, sqlkit.Msgs{NotFound: "refresh token not found"})
	}
	t.ExpiresAt, t.CreatedAt = t.ExpiresAt.UTC(), t.CreatedAt.UTC()
	t.UsedAt, t.RevokedAt = tpOut(t.UsedAt), tpOut(t.RevokedAt)
	return t, nil
}

// MarkRefreshTokenUsed sets used_at in one conditional UPDATE, so of two
// concurrent uses exactly one succeeds and the other gets errs.Conflict.
func (s *Store) MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) error {
	const op = "mark refresh token used"
	tag, err := s.w.Exec(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, tIn(at), id)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := s.w.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE id = $1)`, id).Scan(&exists); err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	if exists {
		return errs.E(errs.Conflict, "refresh token already used")
	}
	return errs.E(errs.NotFound, "refresh token not found")
}

// RevokeRefreshFamily revokes every unrevoked token of the family.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	_, err := s.w.Exec(ctx,
		`UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL`, tIn(at), familyID)
	return fail(ctx, "revoke refresh family", err, sqlkit.Msgs{})
}

// RevokeUserRefreshTokens revokes every unrevoked token of the user.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, userID string, at time.Time) error {
	_, err := s.w.Exec(ctx,
		`UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, tIn(at), userID)
	return fail(ctx, "revoke user refresh tokens", err, sqlkit.Msgs{})
}

// RevokeUserRefreshTokensExcept revokes every unrevoked token of the user
// outside family keepFamilyID.
func (s *Store) RevokeUserRefreshTokensExcept(ctx context.Context, userID, keepFamilyID string, at time.Time) error {
	_, err := s.w.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $1
		WHERE user_id = $2 AND family_id <> $3 AND revoked_at IS NULL`, tIn(at), userID, keepFamilyID)
	return fail(ctx, "revoke other refresh tokens", err, sqlkit.Msgs{})
}

// RefreshFamilyRevoked reports whether the session family is over: one
// of its tokens is revoked, or it has none (primary).
func (s *Store) RefreshFamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	var live bool
	err := s.w.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1)
		AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NOT NULL)`,
		familyID).Scan(&live)
	return !live, fail(ctx, "refresh family revoked", err, sqlkit.Msgs{})
}

// UserRefreshFamilies lists the session families of the user that hold a
// token unexpired at since (primary).
func (s *Store) UserRefreshFamilies(ctx context.Context, userID string, since time.Time) ([]string, error) {
	rows, err := s.w.Query(ctx,
		`SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1 AND expires_at > $2`, userID, tIn(since))
	if err != nil {
		return nil, fail(ctx, "user refresh families", err, sqlkit.Msgs{})
	}
	out, err := collect(rows, func(row pgx.Row) (string, error) {
		var f string
		return f, row.Scan(&f)
	})
	return out, fail(ctx, "user refresh families", err, sqlkit.Msgs{})
}

const inviteCols = `id, code_hash, created_by, email, created_at, expires_at, used_at, used_by`

// CreateInvite stores inv; an empty CreatedBy is kept as no creator.
func (s *Store) CreateInvite(ctx context.Context, inv account.Invite) error {
	if err := sqlkit.CheckText("email", inv.Email, "code_hash", inv.CodeHash); err != nil {
		return err
	}
	_, err := s.w.Exec(ctx, `INSERT INTO invites (`+inviteCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		sqlkit.ID(inv.ID), inv.CodeHash, nullStr(inv.CreatedBy), strings.ToLower(inv.Email),
		sqlkit.TimeOrNow(inv.CreatedAt), tIn(inv.ExpiresAt), tpIn(inv.UsedAt), nullStr(inv.UsedBy))
	return fail(ctx, "create invite", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "invite already exists"})
}

// ListInvites returns every invite, newest first (read pool).
func (s *Store) ListInvites(ctx context.Context) ([]account.Invite, error) {
	rows, err := s.r.Query(ctx, `SELECT `+inviteCols+` FROM invites ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fail(ctx, "list invites", err, sqlkit.Msgs{})
	}
	out, err := collect(rows, func(row pgx.Row) (account.Invite, error) {
		var inv account.Invite
		var by, usedBy *string
		err := row.Scan(&inv.ID, &inv.CodeHash, &by, &inv.Email, &inv.CreatedAt, &inv.ExpiresAt, &inv.UsedAt, &usedBy)
		inv.CreatedBy, inv.UsedBy = deref(by), deref(usedBy)
		inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC(), tpOut(inv.UsedAt)
		return inv, err
	})
	return out, fail(ctx, "list invites", err, sqlkit.Msgs{})
}

const apiTokenCols = `id, user_id, name, prefix, token_hash, created_at, last_used_at, expires_at, revoked_at`

func scanAPIToken(row pgx.Row) (account.APIToken, error) {
	var t account.APIToken
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.TokenHash, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresAt, &t.RevokedAt)
	t.CreatedAt = t.CreatedAt.UTC()
	t.LastUsedAt, t.ExpiresAt, t.RevokedAt = tpOut(t.LastUsedAt), tpOut(t.ExpiresAt), tpOut(t.RevokedAt)
	return t, err
}

// CreateAPIToken stores t; errs.NotFound when its user does not exist.
// With a cap, the user's row is locked (FOR UPDATE) before the live tokens
// are counted, so concurrent creates for one user are serialised at the cap.
func (s *Store) CreateAPIToken(ctx context.Context, t account.APIToken, maxLive int) error {
	const op = "create api token"
	msgs := sqlkit.Msgs{NotFound: "user not found", Conflict: "token already exists"}
	if err := sqlkit.CheckText("name", t.Name, "prefix", t.Prefix, "token_hash", t.TokenHash); err != nil {
		return err
	}
	created := sqlkit.TimeOrNow(t.CreatedAt)
	return pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		if maxLive > 0 {
			// Two statements: under READ COMMITTED the count then sees
			// every token committed by whoever held the lock before.
			var live int
			_, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, t.UserID)
			if err == nil {
				err = tx.QueryRow(ctx, `
					SELECT count(*) FROM api_tokens
					WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
					t.UserID, created).Scan(&live)
			}
			if err != nil {
				return fail(ctx, op, err, msgs)
			}
			if live >= maxLive {
				return account.ErrAPITokenLimit
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO api_tokens (`+apiTokenCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			sqlkit.ID(t.ID), t.UserID, t.Name, t.Prefix, t.TokenHash, created,
			tpIn(t.LastUsedAt), tpIn(t.ExpiresAt), tpIn(t.RevokedAt))
		return fail(ctx, op, err, msgs)
	})
}

// APITokenByHash returns the token whose hash is hash (primary).
func (s *Store) APITokenByHash(ctx context.Context, hash string) (account.APIToken, error) {
	t, err := scanAPIToken(s.w.QueryRow(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE token_hash = $1`, hash))
	if err != nil {
		return account.APIToken{}, fail(ctx, "api token by hash", err, sqlkit.Msgs{NotFound: "token not found"})
	}
	return t, nil
}

// ListAPITokens returns the user's tokens, revoked ones included, newest
// first (primary: the list is shown right after a token is made).
func (s *Store) ListAPITokens(ctx context.Context, userID string) ([]account.APIToken, error) {
	rows, err := s.w.Query(ctx,
		`SELECT `+apiTokenCols+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fail(ctx, "list api tokens", err, sqlkit.Msgs{})
	}
	out, err := collect(rows, scanAPIToken)
	return out, fail(ctx, "list api tokens", err, sqlkit.Msgs{})
}

// RevokeAPIToken revokes the user's token (keeping the first revocation
// time); errs.NotFound when the token is not theirs.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id string, at time.Time) error {
	tag, err := s.w.Exec(ctx,
		`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3`, tIn(at), id, userID)
	if err == nil && tag.RowsAffected() == 0 {
		return errs.E(errs.NotFound, "token not found")
	}
	return fail(ctx, "revoke api token", err, sqlkit.Msgs{})
}

// TouchAPIToken records a use of the token.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	tag, err := s.w.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, tIn(at), id)
	if err == nil && tag.RowsAffected() == 0 {
		return errs.E(errs.NotFound, "token not found")
	}
	return fail(ctx, "touch api token", err, sqlkit.Msgs{})
}
