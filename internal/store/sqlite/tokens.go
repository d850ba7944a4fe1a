package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

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
	_, err := s.w.ExecContext(ctx, `INSERT INTO refresh_tokens (`+refreshCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sqlkit.ID(t.ID), t.UserID, t.FamilyID, t.TokenHash, tIn(t.ExpiresAt), tIn(sqlkit.TimeOrNow(t.CreatedAt)),
		tpIn(t.UsedAt), tpIn(t.RevokedAt), t.UserAgent, t.ClientIP)
	return fail(ctx, "create refresh token", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "token already exists"})
}

// RefreshTokenByHash returns the token whose hash is hash, revoked when
// its family is.
func (s *Store) RefreshTokenByHash(ctx context.Context, hash string) (account.RefreshToken, error) {
	var t account.RefreshToken
	var expires, created int64
	var used, revoked sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT `+refreshColsFamily+` FROM refresh_tokens t WHERE t.token_hash = ?`, hash).Scan(
		&t.ID, &t.UserID, &t.FamilyID, &t.TokenHash, &expires, &created, &used, &revoked, &t.UserAgent, &t.ClientIP)
	if err != nil {
		return account.RefreshToken{}, fail(ctx, "refresh token by hash", err, sqlkit.Msgs{NotFound: "refresh token not found"})
	}
	t.ExpiresAt, t.CreatedAt, t.UsedAt, t.RevokedAt = tOut(expires), tOut(created), tpOut(used), tpOut(revoked)
	return t, nil
}

// MarkRefreshTokenUsed sets used_at in one conditional UPDATE, so of two
// concurrent uses exactly one succeeds and the other gets errs.Conflict.
func (s *Store) MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) error {
	const op = "mark refresh token used"
	n, err := affected(s.w.ExecContext(ctx,
		`UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, tIn(at), id))
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	if n == 1 {
		return nil
	}
	var exists bool
	if err := s.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE id = ?)`, id).Scan(&exists); err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	if exists {
		return errs.E(errs.Conflict, "refresh token already used")
	}
	return errs.E(errs.NotFound, "refresh token not found")
}

// RevokeRefreshFamily revokes every unrevoked token of the family.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`, tIn(at), familyID)
	return fail(ctx, "revoke refresh family", err, sqlkit.Msgs{})
}

// RevokeUserRefreshTokens revokes every unrevoked token of the user.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, userID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tIn(at), userID)
	return fail(ctx, "revoke user refresh tokens", err, sqlkit.Msgs{})
}

// RevokeUserRefreshTokensExcept revokes every unrevoked token of the user
// outside family keepFamilyID.
func (s *Store) RevokeUserRefreshTokensExcept(ctx context.Context, userID, keepFamilyID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ?
		WHERE user_id = ? AND family_id <> ? AND revoked_at IS NULL`, tIn(at), userID, keepFamilyID)
	return fail(ctx, "revoke other refresh tokens", err, sqlkit.Msgs{})
}

// RefreshFamilyRevoked reports whether the session family is over: one
// of its tokens is revoked, or it has none.
func (s *Store) RefreshFamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	var live bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ?)
		AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NOT NULL)`,
		familyID, familyID).Scan(&live)
	return !live, fail(ctx, "refresh family revoked", err, sqlkit.Msgs{})
}

// UserRefreshFamilies lists the session families of the user that hold a
// token unexpired at since.
func (s *Store) UserRefreshFamilies(ctx context.Context, userID string, since time.Time) ([]string, error) {
	const op = "user refresh families"
	rows, err := s.r.QueryContext(ctx,
		`SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = ? AND expires_at > ?`, userID, tIn(since))
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, fail(ctx, op, err, sqlkit.Msgs{})
		}
		out = append(out, f)
	}
	return out, fail(ctx, op, rows.Err(), sqlkit.Msgs{})
}

const inviteCols = `id, code_hash, created_by, email, created_at, expires_at, used_at, used_by`

// CreateInvite stores inv; an empty CreatedBy is kept as no creator.
func (s *Store) CreateInvite(ctx context.Context, inv account.Invite) error {
	if err := sqlkit.CheckText("email", inv.Email, "code_hash", inv.CodeHash); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO invites (`+inviteCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		sqlkit.ID(inv.ID), inv.CodeHash, nullStr(inv.CreatedBy), strings.ToLower(inv.Email),
		tIn(sqlkit.TimeOrNow(inv.CreatedAt)), tIn(inv.ExpiresAt), tpIn(inv.UsedAt), nullStr(inv.UsedBy))
	return fail(ctx, "create invite", err, sqlkit.Msgs{NotFound: "user not found", Conflict: "invite already exists"})
}

// ListInvites returns every invite, newest first.
func (s *Store) ListInvites(ctx context.Context) ([]account.Invite, error) {
	const op = "list invites"
	rows, err := s.r.QueryContext(ctx, `SELECT `+inviteCols+` FROM invites ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer rows.Close()
	out := []account.Invite{}
	for rows.Next() {
		var inv account.Invite
		var by, usedBy sql.NullString
		var created, expires int64
		var used sql.NullInt64
		if err := rows.Scan(&inv.ID, &inv.CodeHash, &by, &inv.Email, &created, &expires, &used, &usedBy); err != nil {
			return nil, fail(ctx, op, err, sqlkit.Msgs{})
		}
		inv.CreatedBy, inv.UsedBy = by.String, usedBy.String
		inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = tOut(created), tOut(expires), tpOut(used)
		out = append(out, inv)
	}
	return out, fail(ctx, op, rows.Err(), sqlkit.Msgs{})
}

const apiTokenCols = `id, user_id, name, prefix, token_hash, created_at, last_used_at, expires_at, revoked_at`

func scanAPIToken(row rowScanner) (account.APIToken, error) {
	var t account.APIToken
	var created int64
	var last, expires, revoked sql.NullInt64
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.TokenHash, &created, &last, &expires, &revoked)
	t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt = tOut(created), tpOut(last), tpOut(expires), tpOut(revoked)
	return t, err
}

// CreateAPIToken stores t; errs.NotFound when its user does not exist.
// The count of live tokens and the insert share one IMMEDIATE transaction
// (the writer's _txlock), so concurrent creates are serialised at the cap.
func (s *Store) CreateAPIToken(ctx context.Context, t account.APIToken, maxLive int) error {
	const op = "create api token"
	if err := sqlkit.CheckText("name", t.Name, "prefix", t.Prefix, "token_hash", t.TokenHash); err != nil {
		return err
	}
	created := sqlkit.TimeOrNow(t.CreatedAt)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	if maxLive > 0 {
		var live int
		if err := tx.QueryRowContext(ctx, `
			SELECT count(*) FROM api_tokens
			WHERE user_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
			t.UserID, tIn(created)).Scan(&live); err != nil {
			return fail(ctx, op, err, sqlkit.Msgs{})
		}
		if live >= maxLive {
			return account.ErrAPITokenLimit
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO api_tokens (`+apiTokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sqlkit.ID(t.ID), t.UserID, t.Name, t.Prefix, t.TokenHash, tIn(created),
		tpIn(t.LastUsedAt), tpIn(t.ExpiresAt), tpIn(t.RevokedAt))
	if err == nil {
		err = tx.Commit()
	}
	return fail(ctx, op, err, sqlkit.Msgs{NotFound: "user not found", Conflict: "token already exists"})
}

// APITokenByHash returns the token whose hash is hash.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (account.APIToken, error) {
	t, err := scanAPIToken(s.r.QueryRowContext(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE token_hash = ?`, hash))
	if err != nil {
		return account.APIToken{}, fail(ctx, "api token by hash", err, sqlkit.Msgs{NotFound: "token not found"})
	}
	return t, nil
}

// ListAPITokens returns the user's tokens, revoked ones included, newest first.
func (s *Store) ListAPITokens(ctx context.Context, userID string) ([]account.APIToken, error) {
	const op = "list api tokens"
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+apiTokenCols+` FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer rows.Close()
	out := []account.APIToken{}
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fail(ctx, op, err, sqlkit.Msgs{})
		}
		out = append(out, t)
	}
	return out, fail(ctx, op, rows.Err(), sqlkit.Msgs{})
}

// RevokeAPIToken revokes the user's token (keeping the first revocation
// time); errs.NotFound when the token is not theirs.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id string, at time.Time) error {
	n, err := affected(s.w.ExecContext(ctx,
		`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`, tIn(at), id, userID))
	if err == nil && n == 0 {
		return errs.E(errs.NotFound, "token not found")
	}
	return fail(ctx, "revoke api token", err, sqlkit.Msgs{})
}

// TouchAPIToken records a use of the token.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	n, err := affected(s.w.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, tIn(at), id))
	if err == nil && n == 0 {
		return errs.E(errs.NotFound, "token not found")
	}
	return fail(ctx, "touch api token", err, sqlkit.Msgs{})
}
