package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

var convNotFound = sqlkit.Msgs{NotFound: "conversation not found"}

const convCols = `id, user_id, title, model, created_at, updated_at`

func scanConv(row pgx.Row) (chat.Conversation, error) {
	var c chat.Conversation
	err := row.Scan(&c.ID, &c.UserID, &c.Title, &c.Model, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// CreateConversation stores c for c.UserID; errs.NotFound when that user
// does not exist.
func (s *Store) CreateConversation(ctx context.Context, c chat.Conversation) (chat.Conversation, error) {
	if err := sqlkit.CheckText("title", c.Title, "model", c.Model); err != nil {
		return chat.Conversation{}, err
	}
	c.ID = sqlkit.ID(c.ID)
	c.CreatedAt = sqlkit.TimeOrNow(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.UpdatedAt = sqlkit.Time(c.UpdatedAt)
	_, err := s.w.Exec(ctx, `INSERT INTO conversations (`+convCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, c.UserID, c.Title, c.Model, c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return chat.Conversation{}, fail(ctx, "create conversation", err,
			sqlkit.Msgs{NotFound: "user not found", Conflict: "conversation already exists"})
	}
	return c, nil
}

// Conversation returns the user's conversation id (primary).
func (s *Store) Conversation(ctx context.Context, userID, id string) (chat.Conversation, error) {
	c, err := scanConv(s.w.QueryRow(ctx,
		`SELECT `+convCols+` FROM conversations WHERE id = $1 AND user_id = $2`, id, userID))
	return c, fail(ctx, "conversation", err, convNotFound)
}

// ListConversations pages through the user's conversations by UpdatedAt,
// newest first (read pool); Query matches a title substring
// case-insensitively and literally (% and _ are not wildcards).
func (s *Store) ListConversations(ctx context.Context, userID string, p chat.ListParams) ([]chat.Conversation, string, error) {
	const op = "list conversations"
	limit := sqlkit.Limit(p.Limit)
	cur, hasCur, err := sqlkit.DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + convCols + ` FROM conversations WHERE user_id = $1`
	args := []any{userID}
	if p.Query != "" {
		args = append(args, sqlkit.Contains(p.Query))
		q += fmt.Sprintf(` AND lower(title) LIKE $%d ESCAPE '\'`, len(args))
	}
	if hasCur {
		args = append(args, time.UnixMicro(cur.T).UTC(), cur.ID)
		q += fmt.Sprintf(` AND (updated_at, id) < ($%d, $%d)`, len(args)-1, len(args))
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(` ORDER BY updated_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := s.r.Query(ctx, q, args...)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, err := collect(rows, scanConv)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, next := sqlkit.Page(out, limit, func(c chat.Conversation) sqlkit.Cursor {
		return sqlkit.Cursor{T: c.UpdatedAt.UnixMicro(), ID: c.ID}
	})
	return out, next, nil
}

// UpdateConversation changes the fields upd sets and bumps UpdatedAt.
func (s *Store) UpdateConversation(ctx context.Context, userID, id string, upd chat.ConversationUpdate) (chat.Conversation, error) {
	if err := sqlkit.CheckText("title", deref(upd.Title), "model", deref(upd.Model)); err != nil {
		return chat.Conversation{}, err
	}
	sets := []string{"updated_at = GREATEST(updated_at, $3)"}
	args := []any{id, userID, tIn(time.Now())}
	if upd.Title != nil {
		args = append(args, *upd.Title)
		sets = append(sets, fmt.Sprintf("title = $%d", len(args)))
	}
	if upd.Model != nil {
		args = append(args, *upd.Model)
		sets = append(sets, fmt.Sprintf("model = $%d", len(args)))
	}
	c, err := scanConv(s.w.QueryRow(ctx, `UPDATE conversations SET `+strings.Join(sets, ", ")+
		` WHERE id = $1 AND user_id = $2 RETURNING `+convCols, args...))
	return c, fail(ctx, "update conversation", err, convNotFound)
}

// DeleteConversation removes the conversation; its messages go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteConversation(ctx context.Context, userID, id string) error {
	tag, err := s.w.Exec(ctx, `DELETE FROM conversations WHERE id = $1 AND user_id = $2`, id, userID)
	if err == nil && tag.RowsAffected() == 0 {
		return errs.E(errs.NotFound, "conversation not found")
	}
	return fail(ctx, "delete conversation", err, sqlkit.Msgs{})
}

const msgCols = `id, conversation_id, role, content, model, status, prompt_tokens, completion_tokens, created_at`

// AddMessage appends m to the user's conversation and moves the
// conversation's UpdatedAt forward to m.CreatedAt, in one transaction.
func (s *Store) AddMessage(ctx context.Context, userID string, m chat.Message) (chat.Message, error) {
	const op = "add message"
	if m.Status == "" {
		m.Status = chat.StatusComplete
	}
	if err := sqlkit.CheckMessage(m); err != nil {
		return chat.Message{}, err
	}
	m.ID = sqlkit.ID(m.ID)
	m.CreatedAt = sqlkit.TimeOrNow(m.CreatedAt)
	err := pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE conversations SET updated_at = GREATEST(updated_at, $1) WHERE id = $2 AND user_id = $3`,
			m.CreatedAt, m.ConversationID, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "conversation not found")
		}
		_, err = tx.Exec(ctx, `INSERT INTO messages (`+msgCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			m.ID, m.ConversationID, m.Role, m.Content, m.Model, m.Status, m.PromptTokens, m.CompletionTokens, m.CreatedAt)
		return err
	})
	if err != nil {
		return chat.Message{}, fail(ctx, op, err, sqlkit.Msgs{Conflict: "message already exists"})
	}
	return m, nil
}

// Messages returns the messages of the user's conversation, oldest first
// (primary, one statement: ownership and rows in one snapshot).
func (s *Store) Messages(ctx context.Context, userID, conversationID string) ([]chat.Message, error) {
	const op = "messages"
	// The LEFT JOIN yields one all-NULL message row for an owned, empty
	// conversation and no row at all for a missing or foreign one.
	rows, err := s.w.Query(ctx, `
		SELECT m.id, m.conversation_id, m.role, m.content, m.model, m.status,
			m.prompt_tokens, m.completion_tokens, m.created_at
		FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id
		WHERE c.id = $1 AND c.user_id = $2
		ORDER BY m.created_at, m.id`, conversationID, userID)
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	owned := false
	out, err := collect(rows, func(row pgx.Row) (*chat.Message, error) {
		owned = true
		var id, conv, role, content, model, status *string
		var pt, ct *int
		var at *time.Time
		if err := row.Scan(&id, &conv, &role, &content, &model, &status, &pt, &ct, &at); err != nil || id == nil {
			return nil, err
		}
		return &chat.Message{ID: *id, ConversationID: *conv, Role: *role, Content: *content, Model: *model,
			Status: *status, PromptTokens: *pt, CompletionTokens: *ct, CreatedAt: at.UTC()}, nil
	})
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	if !owned {
		return nil, errs.E(errs.NotFound, "conversation not found")
	}
	msgs := make([]chat.Message, 0, len(out))
	for _, m := range out {
		if m != nil {
			msgs = append(msgs, *m)
		}
	}
	return msgs, nil
}

// DeleteMessage removes one message of the user's conversation.
func (s *Store) DeleteMessage(ctx context.Context, userID, conversationID, id string) error {
	tag, err := s.w.Exec(ctx, `
		DELETE FROM messages m USING conversations c
		WHERE m.id = $1 AND m.conversation_id = $2 AND c.id = m.conversation_id AND c.user_id = $3`,
		id, conversationID, userID)
	if err == nil && tag.RowsAffected() == 0 {
		return errs.E(errs.NotFound, "message not found")
	}
	return fail(ctx, "delete message", err, sqlkit.Msgs{})
}
