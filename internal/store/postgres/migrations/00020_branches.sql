-- +goose Up
-- Messages form a tree (issue 11): parent_id is the message a message follows
-- (NULL for a first message); siblings are versions (an edit, a regenerated
-- answer). The store checks that a parent is a message of the same
-- conversation; the foreign key is a second guard. Existing messages become
-- one chain in (created_at, id) order, and each conversation's active leaf
-- its newest one.
ALTER TABLE messages ADD COLUMN parent_id text REFERENCES messages (id) ON DELETE CASCADE;
ALTER TABLE conversations ADD COLUMN active_leaf_id text;
UPDATE messages m SET parent_id = x.prev
FROM (SELECT id, lag(id) OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS prev FROM messages) x
WHERE m.id = x.id AND x.prev IS NOT NULL;
UPDATE conversations c SET active_leaf_id = (
    SELECT m.id FROM messages m WHERE m.conversation_id = c.id
    ORDER BY m.created_at DESC, m.id DESC LIMIT 1);
CREATE INDEX messages_parent_idx ON messages (parent_id);

-- +goose Down
DROP INDEX messages_parent_idx;
ALTER TABLE conversations DROP COLUMN active_leaf_id;
ALTER TABLE messages DROP COLUMN parent_id;
