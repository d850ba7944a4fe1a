-- +goose Up
-- Folders, pins and archive (issue 11). A conversation is in at most one of
-- its owner's folders; the store checks that the folder is the owner's and,
-- when a folder is deleted, unfiles its conversations in the same
-- transaction (no foreign key, so SQLite can drop the column again).
CREATE TABLE folders (
    id         text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL,
    created_at integer NOT NULL,
    updated_at integer NOT NULL
);
CREATE INDEX folders_user_idx ON folders (user_id);
ALTER TABLE conversations ADD COLUMN folder_id text;
ALTER TABLE conversations ADD COLUMN pinned integer NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN archived integer NOT NULL DEFAULT 0;
CREATE INDEX conversations_folder_idx ON conversations (folder_id);

-- +goose Down
DROP INDEX conversations_folder_idx;
ALTER TABLE conversations DROP COLUMN archived;
ALTER TABLE conversations DROP COLUMN pinned;
ALTER TABLE conversations DROP COLUMN folder_id;
DROP TABLE folders;
