package sqlite

import (
	"context"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

// ftsQuery quotes each term, so nothing in it is FTS5 syntax; the terms
// are ANDed.
func ftsQuery(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(q, " ")
}

// Search finds messages and titles of the user's conversations holding
// every term (FTS5), newest first. The FTS match is a rowid set the
// messages are filtered by (not the outer loop): with a common word, that is
// three times faster than joining from the FTS table (bench/RESULTS.md).
func (s *Store) Search(ctx context.Context, userID string, p chat.SearchParams) ([]chat.SearchHit, string, error) {
	const op = "search"
	if len(p.Terms) == 0 {
		return []chat.SearchHit{}, "", nil
	}
	limit := sqlkit.Limit(p.Limit)
	cur, hasCur, err := sqlkit.DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	match := ftsQuery(p.Terms)
	q := `SELECT conversation_id, message_id, title, body, at, k FROM (
		SELECT m.conversation_id, m.id AS message_id, c.title, m.content AS body, m.created_at AS at, m.id AS k
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) AND c.user_id = ?
		UNION ALL
		SELECT c.id, '', c.title, c.title, c.created_at, c.id
		FROM conversations_fts JOIN conversations c ON c.rowid = conversations_fts.rowid
		WHERE conversations_fts MATCH ? AND c.user_id = ?)`
	args := []any{match, userID, match, userID}
	if hasCur {
		q += ` WHERE (at, k) < (?, ?)`
		args = append(args, cur.T, cur.ID)
	}
	q += ` ORDER BY at DESC, k DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	type row struct {
		hit chat.SearchHit
		k   string
	}
	out, err := collect(rows, func(r rowScanner) (row, error) {
		var h row
		var at int64
		err := r.Scan(&h.hit.ConversationID, &h.hit.MessageID, &h.hit.Title, &h.hit.Body, &at, &h.k)
		h.hit.CreatedAt = tOut(at)
		return h, err
	})
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, next := sqlkit.Page(out, limit, func(h row) sqlkit.Cursor {
		return sqlkit.Cursor{T: h.hit.CreatedAt.UnixMicro(), ID: h.k}
	})
	hits := make([]chat.SearchHit, len(out))
	for i, h := range out {
		hits[i] = h.hit
	}
	return hits, next, nil
}
