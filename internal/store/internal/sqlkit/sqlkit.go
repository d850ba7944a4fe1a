// Package sqlkit holds what both SQL backends share and must do alike:
// cursors, limits, LIKE escaping, input checks, time and id conventions.
package sqlkit

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/page"
)

// Limit clamps a requested page size (page.Clamp, the one rule).
func Limit(n int) int { return page.Clamp(n) }

// Cursor is the position after the last row of a page ordered by (T, ID)
// descending, or by N descending for integer-keyed lists.
type Cursor struct {
	T  int64  `json:"t,omitempty"` // microseconds since the epoch
	ID string `json:"i,omitempty"`
	N  int64  `json:"n,omitempty"`
}

// Page trims rows, fetched with LIMIT limit+1, to limit and returns the
// cursor of the last row kept when a further row exists ("" on the last page).
func Page[T any](rows []T, limit int, cursor func(T) Cursor) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, cursor(rows[limit-1]).Encode()
}

// Encode makes c opaque for clients.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor from Encode; "" gives ok=false and no error.
func DecodeCursor(s string) (c Cursor, ok bool, err error) {
	if s == "" {
		return Cursor{}, false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 512 {
		return Cursor{}, false, errs.Validation(map[string]string{"cursor": "invalid cursor"})
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Cursor{}, false, errs.Validation(map[string]string{"cursor": "invalid cursor"})
	}
	return c, true, nil
}

// EscapeLike makes s match literally inside a LIKE pattern that declares
// ESCAPE '\'.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Contains builds the LIKE pattern for a case-insensitive substring search:
// the query lower-cased and escaped, wrapped in %.
func Contains(q string) string {
	return "%" + EscapeLike(strings.ToLower(q)) + "%"
}

// CheckText rejects text that one of the engines cannot store faithfully:
// NUL bytes (PostgreSQL refuses them) and invalid UTF-8. Pairs are field
// name, value. Both engines reject the same input with the same error.
func CheckText(pairs ...string) error {
	var bad map[string]string
	for i := 0; i+1 < len(pairs); i += 2 {
		v := pairs[i+1]
		var why string
		switch {
		case strings.IndexByte(v, 0) >= 0:
			why = "must not contain NUL characters"
		case !utf8.ValidString(v):
			why = "must be valid UTF-8"
		default:
			continue
		}
		if bad == nil {
			bad = map[string]string{}
		}
		bad[pairs[i]] = why
	}
	if bad != nil {
		return errs.Validation(bad)
	}
	return nil
}

// Time is how both engines keep instants: UTC, truncated to microseconds
// (PostgreSQL's precision), so equal inputs read back equal everywhere.
func Time(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// TimeOrNow is Time(t), or the current time when t is zero.
func TimeOrNow(t time.Time) time.Time {
	if t.IsZero() {
		return Time(time.Now())
	}
	return Time(t)
}

// TimePtr is Time for optional instants.
func TimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := Time(*t)
	return &v
}

// Day is the UTC calendar day of t, at midnight UTC.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ID returns id, or a new UUIDv7 when it is empty.
func ID(id string) string {
	if id != "" {
		return id
	}
	return uuid.Must(uuid.NewV7()).String()
}
