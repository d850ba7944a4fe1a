package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store/internal/sqlkit"
)

var convNotFound = sqlkit.Msgs{NotFound: "conversation not found"}

const convCols = `id, user_id, title, model, system_prompt, params, created_at, updated_at`

// convRead is convCols and what only the store writes.
const convRead = convCols + `, active_leaf_id, folder_id, pinned, archived`

func scanConv(row pgx.Row) (chat.Conversation, error) {
	var c chat.Conversation
	var leaf, folder *string
	var params string
	err := row.Scan(&c.ID, &c.UserID, &c.Title, &c.Model, &c.SystemPrompt, &params, &c.CreatedAt, &c.UpdatedAt, &leaf,
		&folder, &c.Pinned, &c.Archived)
	c.CreatedAt, c.UpdatedAt, c.ActiveLeafID, c.FolderID = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), deref(leaf), deref(folder)
	if err == nil {
		err = sqlkit.ParseParams(params, &c.Params)
	}
	return c, err
}

// nullable stores "" as NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
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
	_, err := s.w.Exec(ctx, `INSERT INTO conversations (`+convCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.UserID, c.Title, c.Model, c.SystemPrompt, sqlkit.FormatParams(c.Params), c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return chat.Conversation{}, fail(ctx, "create conversation", err,
			sqlkit.Msgs{NotFound: "user not found", Conflict: "conversation already exists"})
	}
	return c, nil
}

// Conversation returns the user's conversation id (primary).
func (s *Store) Conversation(ctx context.Context, userID, id string) (chat.Conversation, error) {
	c, err := scanConv(s.w.QueryRow(ctx,
		`SELECT `+convRead+` FROM conversations WHERE id = $1 AND user_id = $2`, id, userID))
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
	q := `SELECT ` + convRead + ` FROM conversations WHERE user_id = $1`
	args := []any{userID}
	if p.Query != "" {
		args = append(args, sqlkit.Contains(p.Query))
		q += fmt.Sprintf(` AND lower(title) LIKE $%d ESCAPE '\'`, len(args))
	}
	args = append(args, p.Archived)
	q += fmt.Sprintf(` AND archived = $%d`, len(args))
	if p.FolderID != "" {
		args = append(args, p.FolderID)
		q += fmt.Sprintf(` AND folder_id = $%d`, len(args))
	}
	if p.Pinned != nil {
		args = append(args, *p.Pinned)
		q += fmt.Sprintf(` AND pinned = $%d`, len(args))
	}
	if hasCur {
		args = append(args, cur.N, time.UnixMicro(cur.T).UTC(), cur.ID)
		q += fmt.Sprintf(` AND (pinned::int, updated_at, id) < ($%d, $%d, $%d)`, len(args)-2, len(args)-1, len(args))
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(` ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := s.r.Query(ctx, q, args...)
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
	if err := sqlkit.CheckText("title", deref(upd.Title), "model", deref(upd.Model),
		"active_leaf_id", deref(upd.ActiveLeafID), "system_prompt", deref(upd.SystemPrompt), "folder_id", deref(upd.FolderID)); err != nil {
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
	if upd.SystemPrompt != nil {
		args = append(args, *upd.SystemPrompt)
		sets = append(sets, fmt.Sprintf("system_prompt = $%d", len(args)))
	}
	if upd.Params != nil {
		args = append(args, sqlkit.FormatParams(*upd.Params))
		sets = append(sets, fmt.Sprintf("params = $%d", len(args)))
	}
	if upd.FolderID != nil {
		args = append(args, nullable(*upd.FolderID))
		sets = append(sets, fmt.Sprintf("folder_id = $%d", len(args)))
	}
	if upd.Pinned != nil {
		args = append(args, *upd.Pinned)
		sets = append(sets, fmt.Sprintf("pinned = $%d", len(args)))
	}
	if upd.Archived != nil {
		args = append(args, *upd.Archived)
		sets = append(sets, fmt.Sprintf("archived = $%d", len(args)))
	}
	where := ""
	if upd.ActiveLeafID != nil {
		args = append(args, *upd.ActiveLeafID)
		sets = append(sets, fmt.Sprintf("active_leaf_id = $%d", len(args)))
		where = fmt.Sprintf(" AND EXISTS (SELECT 1 FROM messages WHERE id = $%d AND conversation_id = $1)", len(args))
	}
	var c chat.Conversation
	err := pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		if upd.FolderID != nil && *upd.FolderID != "" {
			// FOR SHARE: a folder being deleted at once waits, then unfiles this one.
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM folders WHERE id = $1 AND user_id = $2 FOR SHARE`,
				*upd.FolderID, userID).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return errs.Validation(map[string]string{"folder_id": "is not one of your folders"})
			}
			if err != nil {
				return err
			}
		}
		var err error
		c, err = scanConv(tx.QueryRow(ctx, `UPDATE conversations SET `+strings.Join(sets, ", ")+
			` WHERE id = $1 AND user_id = $2`+where+` RETURNING `+convRead, args...))
		if errors.Is(err, pgx.ErrNoRows) && where != "" {
			// Tell a missing conversation from a leaf that is not in it.
			var owned bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2)`,
				id, userID).Scan(&owned); err != nil {
				return err
			}
			if owned {
				return errNotInConversation("active_leaf_id")
			}
		}
		return err
	})
	return c, fail(ctx, op, err, convNotFound)
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
	err := pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE conversations SET updated_at = GREATEST(updated_at, $1), active_leaf_id = $4 WHERE id = $2 AND user_id = $3`,
			m.CreatedAt, m.ConversationID, userID, m.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "conversation not found")
		}
		if m.ParentID != "" {
			var in bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE id = $1 AND conversation_id = $2)`,
				m.ParentID, m.ConversationID).Scan(&in); err != nil {
				return err
			}
			if !in {
				return errNotInConversation("parent_id")
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO messages (`+msgCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			m.ID, m.ConversationID, nullable(m.ParentID), m.Role, m.Content, m.Model, m.Status, m.PromptTokens, m.CompletionTokens, m.CreatedAt,
			m.Reasoning, m.ReasoningMS)
		return err
	})
	if err != nil {
		return chat.Message{}, fail(ctx, op, err, sqlkit.Msgs{Conflict: "message already exists"})
	}
	return m, nil
}

// Messages returns every message of the user's conversation, oldest first
// (primary, one statement: ownership and rows in one snapshot).
func (s *Store) Messages(ctx context.Context, userID, conversationID string) ([]chat.Message, error) {
	const op = "messages"
	// The LEFT JOIN yields one all-NULL message row for an owned, empty
	// conversation and no row at all for a missing or foreign one.
	rows, err := s.w.Query(ctx, `
		SELECT m.id, m.conversation_id, m.parent_id, m.role, m.content, m.model, m.status,
			m.prompt_tokens, m.completion_tokens, m.created_at, m.reasoning, m.reasoning_ms
		FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id
		WHERE c.id = $1 AND c.user_id = $2
		ORDER BY m.created_at, m.id`, conversationID, userID)
	if err != nil {
		return nil, fail(ctx, op, err, sqlkit.Msgs{})
	}
	owned := false
	out, err := collect(rows, func(row pgx.Row) (*chat.Message, error) {
		owned = true
		var id, conv, parent, role, content, model, status *string
		var reasoning *string
		var pt, ct, rms *int
		var at *time.Time
		if err := row.Scan(&id, &conv, &parent, &role, &content, &model, &status, &pt, &ct, &at, &reasoning, &rms); err != nil || id == nil {
			return nil, err
		}
		return &chat.Message{ID: *id, ConversationID: *conv, ParentID: deref(parent), Role: *role, Content: *content, Model: *model,
			Status: *status, PromptTokens: *pt, CompletionTokens: *ct, CreatedAt: at.UTC(), Reasoning: *reasoning, ReasoningMS: *rms}, nil
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

// subtreeOf selects the ids of message $1 of conversation $2 and of every
// message that follows it.
const subtreeOf = `WITH RECURSIVE sub(id) AS (
		SELECT id FROM messages WHERE id = $1 AND conversation_id = $2
		UNION ALL SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id)
	SELECT id FROM sub`

// DeleteMessage removes one message of the user's conversation and its
// subtree; an active leaf inside the subtree moves to the message's parent.
func (s *Store) DeleteMessage(ctx context.Context, userID, conversationID, id string) error {
	err := pgx.BeginFunc(ctx, s.w, func(tx pgx.Tx) error {
		var parent *string
		err := tx.QueryRow(ctx, `SELECT m.parent_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.id = $1 AND m.conversation_id = $2 AND c.user_id = $3 FOR UPDATE OF c`,
			id, conversationID, userID).Scan(&parent)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET active_leaf_id = $3
			WHERE id = $2 AND active_leaf_id IN (`+subtreeOf+`)`, id, conversationID, parent); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM messages WHERE id IN (`+subtreeOf+`)`, id, conversationID)
		return err
	})
	return fail(ctx, "delete message", err, sqlkit.Msgs{NotFound: "message not found"})
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
	tag, err := s.w.Exec(ctx, `UPDATE conversations SET title = $1 WHERE id = $2 AND user_id = $3 AND title = $4`,
		title, id, userID, old)
	if err != nil {
		return false, fail(ctx, "set title", err, sqlkit.Msgs{})
	}
	return tag.RowsAffected() > 0, nil
}
