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

const userCols = `id, email, name, password_hash, role, disabled, daily_token_quota, created_at, updated_at`

// userReadCols are what scanUser reads: userCols and what a new user never
// has set (tokens_valid_after).
const userReadCols = userCols + `, tokens_valid_after`

func scanUser(row rowScanner) (account.User, error) {
	var u account.User
	var quota sql.NullInt64
	var created, updated int64
	var validAfter sql.NullInt64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &u.Disabled, &quota, &created, &updated, &validAfter)
	if quota.Valid {
		u.DailyTokenQuota = &quota.Int64
	}
	u.CreatedAt, u.UpdatedAt, u.TokensValidAfter = tOut(created), tOut(updated), tpOut(validAfter)
	return u, err
}

// CreateUser inserts u; with opts.FirstAdmin the emptiness check and the
// insert share one IMMEDIATE transaction, so racing first sign-ups are
// serialised and only the first becomes admin.
func (s *Store) CreateUser(ctx context.Context, u account.User, opts account.CreateOptions) (account.User, error) {
	const op = "create user"
	if err := sqlkit.CheckText("email", u.Email, "name", u.Name, "password_hash", u.PasswordHash); err != nil {
		return account.User{}, err
	}
	u.ID = sqlkit.ID(u.ID)
	u.Email = strings.ToLower(u.Email)
	u.CreatedAt = sqlkit.TimeOrNow(u.CreatedAt)
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	u.UpdatedAt = sqlkit.Time(u.UpdatedAt)
	if u.Role == "" {
		u.Role = account.RoleUser
	}
	if err := sqlkit.CheckUserFields(&u.Role, u.DailyTokenQuota); err != nil {
		return account.User{}, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return account.User{}, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	if opts.FirstAdmin {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&exists); err != nil {
			return account.User{}, fail(ctx, op, err, sqlkit.Msgs{})
		}
		if !exists {
			u.Role = account.RoleAdmin
		}
	}
	// The invite is claimed before the insert, so a bad invite is refused
	// the same way whether or not the email is taken.
	if opts.InviteHash != "" {
		n, err := affected(tx.ExecContext(ctx, `
			UPDATE invites SET used_at = ?
			WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? AND (email = '' OR email = ?)`,
			tIn(u.CreatedAt), opts.InviteHash, tIn(u.CreatedAt), u.Email))
		if err != nil {
			return account.User{}, fail(ctx, op, err, sqlkit.Msgs{})
		}
		if n == 0 {
			return account.User{}, errs.E(errs.NotFound, "invite")
		}
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, u.PasswordHash, u.Role, u.Disabled, u.DailyTokenQuota, tIn(u.CreatedAt), tIn(u.UpdatedAt))
	if err != nil {
		return account.User{}, fail(ctx, op, err, sqlkit.Msgs{Conflict: "email already registered"})
	}
	if opts.InviteHash != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE invites SET used_by = ? WHERE code_hash = ?`, u.ID, opts.InviteHash); err != nil {
			return account.User{}, fail(ctx, op, err, sqlkit.Msgs{})
		}
	}
	if err := tx.Commit(); err != nil {
		return account.User{}, fail(ctx, op, err, sqlkit.Msgs{Conflict: "email already registered"})
	}
	return u, nil
}

// UserByID returns the user with id.
func (s *Store) UserByID(ctx context.Context, id string) (account.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userReadCols+` FROM users WHERE id = ?`, id))
	return u, fail(ctx, "user by id", err, sqlkit.Msgs{NotFound: "user not found"})
}

// UserPasswordHash returns the password hash of the user with id.
func (s *Store) UserPasswordHash(ctx context.Context, id string) (string, error) {
	var h string
	err := s.r.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&h)
	return h, fail(ctx, "user password hash", err, sqlkit.Msgs{NotFound: "user not found"})
}

// UserByEmail returns the user with email, compared case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (account.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx,
		`SELECT `+userReadCols+` FROM users WHERE lower(email) = ?`, strings.ToLower(email)))
	return u, fail(ctx, "user by email", err, sqlkit.Msgs{NotFound: "user not found"})
}

// UpdateUser changes the fields upd sets and bumps UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, id string, upd account.UserUpdate) (account.User, error) {
	var sets []string
	var args []any
	set := func(col string, v any) { sets = append(sets, col+" = ?"); args = append(args, v) }
	if upd.Name != nil {
		set("name", *upd.Name)
	}
	if upd.PasswordHash != nil {
		set("password_hash", *upd.PasswordHash)
	}
	if upd.Role != nil {
		set("role", *upd.Role)
	}
	if upd.Disabled != nil {
		set("disabled", *upd.Disabled)
	}
	if upd.DailyTokenQuota != nil {
		set("daily_token_quota", *upd.DailyTokenQuota)
	}
	if upd.TokensValidAfter != nil {
		set("tokens_valid_after", tIn(*upd.TokensValidAfter))
	}
	if err := sqlkit.CheckText("name", deref(upd.Name), "password_hash", deref(upd.PasswordHash)); err != nil {
		return account.User{}, err
	}
	var quota *int64
	if upd.DailyTokenQuota != nil {
		quota = *upd.DailyTokenQuota
	}
	if err := sqlkit.CheckUserFields(upd.Role, quota); err != nil {
		return account.User{}, err
	}
	set("updated_at", tIn(time.Now()))
	args = append(args, id)
	u, err := scanUser(s.w.QueryRowContext(ctx,
		`UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ? RETURNING `+userReadCols, args...))
	return u, fail(ctx, "update user", err, sqlkit.Msgs{NotFound: "user not found"})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ListUsers pages through users, newest first; Query matches a substring of
// email or name, case-insensitively and literally.
func (s *Store) ListUsers(ctx context.Context, p account.ListUsersParams) ([]account.User, string, error) {
	const op = "list users"
	limit := sqlkit.Limit(p.Limit)
	cur, hasCur, err := sqlkit.DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + userReadCols + ` FROM users WHERE 1 = 1`
	var args []any
	if p.Query != "" {
		pat := sqlkit.Contains(p.Query)
		q += ` AND (parley_lower(email) LIKE ? ESCAPE '\' OR parley_lower(name) LIKE ? ESCAPE '\')`
		args = append(args, pat, pat)
	}
	if hasCur {
		q += ` AND (created_at, id) < (?, ?)`
		args = append(args, cur.T, cur.ID)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, err := collect(rows, scanUser)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, next := sqlkit.Page(out, limit, func(u account.User) sqlkit.Cursor {
		return sqlkit.Cursor{T: u.CreatedAt.UnixMicro(), ID: u.ID}
	})
	return out, next, nil
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, fail(ctx, "count users", err, sqlkit.Msgs{})
}
