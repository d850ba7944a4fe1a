-- +goose Up
-- Messages form a tree (issue 11): parent_id is the message a message follows
-- (NULL for a first message); siblings are versions (an edit, a regenerated
-- answer). The store checks that a parent is a message of the same
-- conversation and deletes subtrees itself, so the column has no foreign key
-- (SQLite could not drop it again). Existing messages become one chain in
-- (created_at, id) order, and each conversation's active leaf its newest one.
ALTER TABLE messages ADD COLUMN parent_id text;
ALTER TABLE conversations ADD COLUMN active_leaf_id text;
UPDATE messages SET parent_id = (
    SELECT p.id FROM messages p
    WHERE p.conversation_id = messages.conversation_id
      AND (p.created_at < messages.created_at OR (p.created_at = messages.created_at AND p.id < messages.id))
    ORDER BY p.created_at DESC, p.id DESC LIMIT 1);
UPDATE conversations SET active_leaf_id = (
    SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id
    ORDER BY m.created_at DESC, m.id DESC LIMIT 1);
CREATE INDEX messages_parent_idx ON messages (parent_id);

-- +goose Down
DROP INDEX messages_parent_idx;
ALTER TABLE conversations DROP COLUMN active_leaf_id;
ALTER TABLE messages DROP COLUMN parent_id;
