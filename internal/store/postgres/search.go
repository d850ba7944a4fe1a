package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

// Search finds messages and titles of the user's conversations holding
// every term (tsvector @@ plainto_tsquery, GIN indexes), newest first (read
// pool).
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
	q := `SELECT conversation_id, message_id, title, body, at, k FROM (
		SELECT m.conversation_id, m.id AS message_id, c.title, m.content AS body, m.created_at AS at, m.id AS k
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.search @@ plainto_tsquery('simple', $1) AND c.user_id = $2
		UNION ALL
		SELECT c.id, '', c.title, c.title, c.created_at, c.id
		FROM conversations c
		WHERE c.title_search @@ plainto_tsquery('simple', $1) AND c.user_id = $2) h`
	args := []any{strings.Join(p.Terms, " "), userID}
	if hasCur {
		args = append(args, time.UnixMicro(cur.T).UTC(), cur.ID)
		q += ` WHERE (at, k) < ($3, $4)`
	}
	args = append(args, limit+1)
	q += ` ORDER BY at DESC, k DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := s.r.Query(ctx, q, args...)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	type row struct {
		hit chat.SearchHit
		k   string
	}
	out, err := collect(rows, func(r pgx.Row) (row, error) {
		var h row
		err := r.Scan(&h.hit.ConversationID, &h.hit.MessageID, &h.hit.Title, &h.hit.Body, &h.hit.CreatedAt, &h.k)
		h.hit.CreatedAt = h.hit.CreatedAt.UTC()
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
