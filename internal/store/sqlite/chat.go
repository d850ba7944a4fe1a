package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

var convNotFound = sqlkit.Msgs{NotFound: "conversation not found"}

const convCols = `id, user_id, title, model, system_prompt, params, created_at, updated_at`

// convRead is convCols and what only the store writes.
const convRead = convCols + `, active_leaf_id, folder_id, pinned, archived`

func scanConv(row rowScanner) (chat.Conversation, error) {
	var c chat.Conversation
	var created, updated int64
	var leaf, folder sql.NullString
	var params string
	err := row.Scan(&c.ID, &c.UserID, &c.Title, &c.Model, &c.SystemPrompt, &params, &created, &updated, &leaf,
		&folder, &c.Pinned, &c.Archived)
	c.CreatedAt, c.UpdatedAt, c.ActiveLeafID, c.FolderID = tOut(created), tOut(updated), leaf.String, folder.String
	if err == nil {
		err = sqlkit.ParseParams(params, &c.Params)
	}
	return c, err
}

// nullable stores "" as NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// errNotInConversation is the error of a parent or leaf that is not a
// message of the conversation.
func errNotInConversation(field string) error {
	return errs.Validation(map[string]string{field: "is not a message of this conversation"})
}

// CreateConversation stores c for c.UserID; errs.NotFound when that user
// does not exist.
func (s *Store) CreateConversation(ctx context.Context, c chat.Conversation) (chat.Conversation, error) {
	if err := sqlkit.CheckText("title", c.Title, "model", c.Model, "system_prompt", c.SystemPrompt); err != nil {
		return chat.Conversation{}, err
	}
	c.ID = sqlkit.ID(c.ID)
	c.CreatedAt = sqlkit.TimeOrNow(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.UpdatedAt = sqlkit.Time(c.UpdatedAt)
	c.ActiveLeafID = ""
	_, err := s.w.ExecContext(ctx, `INSERT INTO conversations (`+convCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.UserID, c.Title, c.Model, c.SystemPrompt, sqlkit.FormatParams(c.Params), tIn(c.CreatedAt), tIn(c.UpdatedAt))
	if err != nil {
		return chat.Conversation{}, fail(ctx, "create conversation", err,
			sqlkit.Msgs{NotFound: "user not found", Conflict: "conversation already exists"})
	}
	return c, nil
}

// Conversation returns the user's conversation id.
func (s *Store) Conversation(ctx context.Context, userID, id string) (chat.Conversation, error) {
	c, err := scanConv(s.r.QueryRowContext(ctx,
		`SELECT `+convRead+` FROM conversations WHERE id = ? AND user_id = ?`, id, userID))
	return c, fail(ctx, "conversation", err, convNotFound)
}

// ListConversations pages through the user's conversations by UpdatedAt,
// newest first; Query matches a title substring case-insensitively and
// literally (% and _ are not wildcards).
func (s *Store) ListConversations(ctx context.Context, userID string, p chat.ListParams) ([]chat.Conversation, string, error) {
	const op = "list conversations"
	limit := sqlkit.Limit(p.Limit)
	cur, hasCur, err := sqlkit.DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + convRead + ` FROM conversations WHERE user_id = ?`
	args := []any{userID}
	if p.Query != "" {
		q += ` AND parley_lower(title) LIKE ? ESCAPE '\'`
		args = append(args, sqlkit.Contains(p.Query))
	}
	q += ` AND archived = ?`
	args = append(args, p.Archived)
	if p.FolderID != "" {
		q += ` AND folder_id = ?`
		args = append(args, p.FolderID)
	}
	if p.Pinned != nil {
		q += ` AND pinned = ?`
		args = append(args, *p.Pinned)
	}
	if hasCur {
		q += ` AND (pinned, updated_at, id) < (?, ?, ?)`
		args = append(args, cur.N, cur.T, cur.ID)
	}
	q += ` ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, err := collect(rows, scanConv)
	if err != nil {
		return nil, "", fail(ctx, op, err, sqlkit.Msgs{})
	}
	out, next := sqlkit.Page(out, limit, func(c chat.Conversation) sqlkit.Cursor {
		return sqlkit.Cursor{T: c.UpdatedAt.UnixMicro(), ID: c.ID, N: pinnedN(c.Pinned)}
	})
	return out, next, nil
}

// UpdateConversation changes the fields upd sets and bumps UpdatedAt; an
// ActiveLeafID must name a message of the conversation.
func (s *Store) UpdateConversation(ctx context.Context, userID, id string, upd chat.ConversationUpdate) (chat.Conversation, error) {
	const op = "update conversation"
	var sets []string
	var args []any
	if upd.Title != nil {
		sets, args = append(sets, "title = ?"), append(args, *upd.Title)
	}
	if upd.Model != nil {
		sets, args = append(sets, "model = ?"), append(args, *upd.Model)
	}
	if upd.ActiveLeafID != nil {
		sets, args = append(sets, "active_leaf_id = ?"), append(args, *upd.ActiveLeafID)
	}
	if upd.SystemPrompt != nil {
		sets, args = append(sets, "system_prompt = ?"), append(args, *upd.SystemPrompt)
	}
	if upd.FolderID != nil {
		sets, args = append(sets, "folder_id = ?"), append(args, nullable(*upd.FolderID))
	}
	if upd.Pinned != nil {
		sets, args = append(sets, "pinned = ?"), append(args, *upd.Pinned)
	}
	if upd.Archived != nil {
		sets, args = append(sets, "archived = ?"), append(args, *upd.Archived)
	}
	if upd.Params != nil {
		sets, args = append(sets, "params = ?"), append(args, sqlkit.FormatParams(*upd.Params))
	}
	if err := sqlkit.CheckText("title", deref(upd.Title), "model", deref(upd.Model),
		"active_leaf_id", deref(upd.ActiveLeafID), "system_prompt", deref(upd.SystemPrompt), "folder_id", deref(upd.FolderID)); err != nil {
		return chat.Conversation{}, err
	}
	sets, args = append(sets, "updated_at = max(updated_at, ?)"), append(args, tIn(time.Now()), id, userID)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return chat.Conversation{}, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	c, err := scanConv(tx.QueryRowContext(ctx, `UPDATE conversations SET `+strings.Join(sets, ", ")+
		` WHERE id = ? AND user_id = ? RETURNING `+convRead, args...))
	if err != nil {
		return chat.Conversation{}, fail(ctx, op, err, convNotFound)
	}
	if upd.FolderID != nil && *upd.FolderID != "" {
		var mine bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM folders WHERE id = ? AND user_id = ?)`,
			*upd.FolderID, userID).Scan(&mine)
		if err != nil {
			return chat.Conversation{}, fail(ctx, op, err, sqlkit.Msgs{})
		}
		if !mine {
			return chat.Conversation{}, errs.Validation(map[string]string{"folder_id": "is not one of your folders"})
		}
	}
	if upd.ActiveLeafID != nil {
		var in bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?)`,
			*upd.ActiveLeafID, id).Scan(&in)
		if err != nil {
			return chat.Conversation{}, fail(ctx, op, err, sqlkit.Msgs{})
		}
		if !in {
			return chat.Conversation{}, errNotInConversation("active_leaf_id")
		}
	}
	return c, fail(ctx, op, tx.Commit(), sqlkit.Msgs{})
}

// DeleteConversation removes the conversation; its messages go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteConversation(ctx context.Context, userID, id string) error {
	n, err := affected(s.w.ExecContext(ctx, `DELETE FROM conversations WHERE id = ? AND user_id = ?`, id, userID))
	if err == nil && n == 0 {
		return errs.E(errs.NotFound, "conversation not found")
	}
	return fail(ctx, "delete conversation", err, sqlkit.Msgs{})
}

const msgCols = `id, conversation_id, parent_id, role, content, model, status, prompt_tokens, completion_tokens, created_at, reasoning, reasoning_ms`

// AddMessage stores m under m.ParentID in the user's conversation, makes it
// the active leaf and moves the conversation's UpdatedAt forward to
// m.CreatedAt, in one transaction.
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
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return chat.Message{}, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	n, err := affected(tx.ExecContext(ctx,
		`UPDATE conversations SET updated_at = max(updated_at, ?), active_leaf_id = ? WHERE id = ? AND user_id = ?`,
		tIn(m.CreatedAt), m.ID, m.ConversationID, userID))
	if err == nil && n == 0 {
		return chat.Message{}, errs.E(errs.NotFound, "conversation not found")
	}
	if err != nil {
		return chat.Message{}, fail(ctx, op, err, sqlkit.Msgs{})
	}
	if m.ParentID != "" {
		var in bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?)`,
			m.ParentID, m.ConversationID).Scan(&in)
		if err != nil {
			return chat.Message{}, fail(ctx, op, err, sqlkit.Msgs{})
		}
		if !in {
			return chat.Message{}, errNotInConversation("parent_id")
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO messages (`+msgCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.ConversationID, nullable(m.ParentID), m.Role, m.Content, m.Model, m.Status, m.PromptTokens, m.CompletionTokens, tIn(m.CreatedAt),
		m.Reasoning, m.ReasoningMS)
	if err != nil {
		return chat.Message{}, fail(ctx, op, err, sqlkit.Msgs{Conflict: "message already exists"})
	}
	if err := tx.Commit(); err != nil {
		return chat.Message{}, fail(ctx, op, err, sqlkit.Msgs{})
	}
	return m, nil
}

// Messages returns every message of the user's conversation, oldest first.
func (s *Store) Messages(ctx context.Context, userID, conversationID string) ([]chat.Message, error) {
	const op = "messages"
	tx, err := s.r.BeginTx(ctx, nil) // one snapshot for the ownership check and the rows
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	var owned bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = ? AND user_id = ?)`,
		conversationID, userID).Scan(&owned)
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	if !owned {
		return nil, errs.E(errs.NotFound, "conversation not found")
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT `+msgCols+` FROM messages WHERE conversation_id = ? ORDER BY created_at, id`, conversationID)
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer rows.Close()
	out := []chat.Message{}
	for rows.Next() {
		var m chat.Message
		var created int64
		var parent sql.NullString
		if err := rows.Scan(&m.ID, &m.ConversationID, &parent, &m.Role, &m.Content, &m.Model, &m.Status,
			&m.PromptTokens, &m.CompletionTokens, &created, &m.Reasoning, &m.ReasoningMS); err != nil {
			return nil, fail(ctx, op, err, sqlkit.Msgs{})
		}
		m.CreatedAt, m.ParentID = tOut(created), parent.String
		out = append(out, m)
	}
	return out, fail(ctx, op, rows.Err(), sqlkit.Msgs{})
}

// subtreeOf selects the ids of message ? of conversation ? and of every
// message that follows it.
const subtreeOf = `WITH RECURSIVE sub(id) AS (
		SELECT id FROM messages WHERE id = ? AND conversation_id = ?
		UNION ALL SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id)
	SELECT id FROM sub`

// DeleteMessage removes one message of the user's conversation and its
// subtree; an active leaf inside the subtree moves to the message's parent.
func (s *Store) DeleteMessage(ctx context.Context, userID, conversationID, id string) error {
	const op = "delete message"
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	defer func() { _ = tx.Rollback() }()
	var parent sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT m.parent_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.id = ? AND m.conversation_id = ? AND c.user_id = ?`, id, conversationID, userID).Scan(&parent)
	if err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{NotFound: "message not found"})
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET active_leaf_id = ?
		WHERE id = ? AND active_leaf_id IN (`+subtreeOf+`)`, parent, conversationID, id, conversationID); err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id IN (`+subtreeOf+`)`, id, conversationID); err != nil {
		return fail(ctx, op, err, sqlkit.Msgs{})
	}
	return fail(ctx, op, tx.Commit(), sqlkit.Msgs{})
}

// pinnedN is a conversation's pinned flag in a list cursor.
func pinnedN(pinned bool) int64 {
	if pinned {
		return 1
	}
	return 0
}

// SetTitleIf sets the title of the user's conversation while it is still
// old; UpdatedAt stays (an automatic title is not activity).
func (s *Store) SetTitleIf(ctx context.Context, userID, id, old, title string) (bool, error) {
	if err := sqlkit.CheckText("title", title); err != nil {
		return false, err
	}
	n, err := affected(s.w.ExecContext(ctx, `UPDATE conversations SET title = ? WHERE id = ? AND user_id = ? AND title = ?`,
		title, id, userID, old))
	return n > 0, fail(ctx, "set title", err, sqlkit.Msgs{})
}
