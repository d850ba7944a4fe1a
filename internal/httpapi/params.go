package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/page"
)

// Bounds of list queries (page sizes: platform/page).
const (
	maxQuery  = 200
	maxCursor = 512
)

// Page is the parsed ?limit=&cursor=&q= of a list request.
type Page struct {
	Limit  int
	Cursor string
	Query  string
}

// ParsePage reads and checks limit (1..100, default 20), cursor and q.
func ParsePage(r *http.Request) (Page, error) {
	q := r.URL.Query()
	p := Page{Limit: page.DefaultLimit, Cursor: q.Get("cursor"), Query: strings.TrimSpace(q.Get("q"))}
	fields := map[string]string{}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > page.MaxLimit {
			fields["limit"] = limitRule
		}
		p.Limit = n
	}
	if len(p.Cursor) > maxCursor || !utf8.ValidString(p.Cursor) {
		fields["cursor"] = "is not a cursor this server issued"
	}
	if utf8.RuneCountInString(p.Query) > maxQuery || !CleanText(p.Query) {
		fields["q"] = "must be at most 200 characters without control characters"
	}
	if len(fields) > 0 {
		return Page{}, errs.Validation(fields)
	}
	return p, nil
}

// PathID returns the {id} path value when it is a well-formed UUID; any
// other value cannot name an object, so it is errs.NotFound for what.
func PathID(r *http.Request, what string) (string, error) {
	id := r.PathValue("id")
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return "", errs.E(errs.NotFound, "%s not found", what)
	}
	return u.String(), nil
}

// CleanText reports whether s is valid UTF-8 without control characters
// (newlines and tabs excluded only for single-line fields such as titles).
func CleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// limitRule is the field message of a bad page size.
var limitRule = fmt.Sprintf("must be a whole number from 1 to %d", page.MaxLimit)
