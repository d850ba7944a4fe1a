package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

// firstAdminLockKey is the pg_advisory_xact_lock key that serialises sign-ups
// while no user exists.
const firstAdminLockKey int64 = 0x7061726c6579_01

const userCols = `id, email, name, password_hash, role, disabled, daily_token_quota, created_at, updated_at`

// userReadCols are what scanUser reads: userCols and what a new user never
// has set (tokens_valid_after).
const userReadCols = userCols + `, tokens_valid_after`

func scanUser(row pgx.Row) (account.User, error) {
	var u account.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &u.Disabled, &u.DailyTokenQuota,
		&u.CreatedAt, &u.UpdatedAt, &u.TokensValidAfter)
	u.CreatedAt, u.UpdatedAt, u.TokensValidAfter = u.CreatedAt.UTC(), u.UpdatedAt.UTC(), tpOut(u.TokensValidAfter)
	return u, err
}

// CreateUser inserts u in one transaction. With opts.FirstAdmin, while no
// user exists the emptiness check runs under a transaction advisory lock,
// so of racing first sign-ups exactly one becomes admin.
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
	err := pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		if opts.FirstAdmin {
			first, err := noUsers(ctx, tx)
			if err == nil && first {
				// Users are never deleted, so only an empty table needs the lock.
				if _, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, firstAdminLockKey); err == nil {
					first, err = noUsers(ctx, tx)
				}
			}
			if err != nil {
				return fail(ctx, op, err, sqlkit.Msgs{})
			}
			if first {
				u.Role = account.RoleAdmin
			}
		}
		// The invite is claimed before the insert, so a bad invite is
		// refused the same way whether or not the email is taken.
		if opts.InviteHash != "" {
			tag, err := tx.Exec(ctx, `
				UPDATE invites SET used_at = $1
				WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 AND (email = '' OR email = $3)`,
				u.CreatedAt, opts.InviteHash, u.Email)
			if err != nil {
				return fail(ctx, op, err, sqlkit.Msgs{})
			}
			if tag.RowsAffected() == 0 {
				return errs.E(errs.NotFound, "invite")
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (`+userCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			u.ID, u.Email, u.Name, u.PasswordHash, u.Role, u.Disabled, u.DailyTokenQuota, u.CreatedAt, u.UpdatedAt)
		if err != nil {
			return fail(ctx, op, err, sqlkit.Msgs{Conflict: "email already registered"})
		}
		if opts.InviteHash == "" {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE invites SET used_by = $1 WHERE code_hash = $2`, u.ID, opts.InviteHash); err != nil {
			return fail(ctx, op, err, sqlkit.Msgs{})
		}
		return nil
	})
	if err != nil {
		return account.User{}, fail(ctx, op, err, sqlkit.Msgs{})
	}
	return u, nil
}

func noUsers(ctx context.Context, tx pgx.Tx) (bool, error) {
	var exists bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&exists)
	return !exists, err
}

// UserByID returns the user with id (primary: used to authenticate).
func (s *Store) UserByID(ctx context.Context, id string) (account.User, error) {
	u, err := scanUser(s.w.QueryRow(ctx, `SELECT `+userReadCols+` FROM users WHERE id = $1`, id))
	return u, fail(ctx, "user by id", err, sqlkit.Msgs{NotFound: "user not found"})
}

// UserPasswordHash returns the password hash of the user with id (primary).
func (s *Store) UserPasswordHash(ctx context.Context, id string) (string, error) {
	var h string
	err := s.w.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, id).Scan(&h)
	return h, fail(ctx, "user password hash", err, sqlkit.Msgs{NotFound: "user not found"})
}

// UserByEmail returns the user with email, compared case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (account.User, error) {
	u, err := scanUser(s.w.QueryRow(ctx,
		`SELECT `+userReadCols+` FROM users WHERE lower(email) = $1`, strings.ToLower(email)))
	return u, fail(ctx, "user by email", err, sqlkit.Msgs{NotFound: "user not found"})
}

// UpdateUser changes the fields upd sets and bumps UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, id string, upd account.UserUpdate) (account.User, error) {
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
	var sets []string
	args := []any{id}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
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
	set("updated_at", tIn(time.Now()))
	u, err := scanUser(s.w.QueryRow(ctx,
		`UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = $1 RETURNING `+userReadCols, args...))
	return u, fail(ctx, "update user", err, sqlkit.Msgs{NotFound: "user not found"})
}

// ListUsers pages through users, newest first (read pool); Query matches a
// substring of email or name, case-insensitively and literally.
func (s *Store) ListUsers(ctx context.Context, p account.ListUsersParams) ([]account.User, string, error) {
	const op = "list users"
	limit := sqlkit.Limit(p.Limit)
	cur, hasCur, err := sqlkit.DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + userReadCols + ` FROM users WHERE true`
	var args []any
	if p.Query != "" {
		args = append(args, sqlkit.Contains(p.Query))
		n := len(args)
		q += fmt.Sprintf(` AND (lower(email) LIKE $%d ESCAPE '\' OR lower(name) LIKE $%d ESCAPE '\')`, n, n)
	}
	if hasCur {
		args = append(args, time.UnixMicro(cur.T).UTC(), cur.ID)
		q += fmt.Sprintf(` AND (created_at, id) < ($%d, $%d)`, len(args)-1, len(args))
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := s.r.Query(ctx, q, args...)
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

// CountUsers returns how many users exist (read pool).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, fail(ctx, "count users", err, sqlkit.Msgs{})
}

// collect scans every row with scan; the result is never nil.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
