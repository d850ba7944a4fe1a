-- +goose Up
-- Full-text search (issue 11): tsvector columns generated from message text
-- and conversation titles ('simple': lower-cased words, no stemming, like the
-- SQLite index), so every insert, update and delete keeps them in step in its
-- own statement; GIN indexes answer @@.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
ALTER TABLE conversations ADD COLUMN title_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search);
CREATE INDEX conversations_title_search_idx ON conversations USING gin (title_search);

-- +goose Down
DROP INDEX conversations_title_search_idx;
DROP INDEX messages_search_idx;
ALTER TABLE conversations DROP COLUMN title_search;
ALTER TABLE messages DROP COLUMN search;
