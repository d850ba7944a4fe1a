-- +goose Up
-- A reasoning model's thinking, stored with its answer (issue 11): the text
-- streamed in delta.reasoning ('' for none) and the time spent on it, in
-- milliseconds (0 for none). Not indexed for search: only answers are.
ALTER TABLE messages ADD COLUMN reasoning text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN reasoning_ms integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE messages DROP COLUMN reasoning_ms;
ALTER TABLE messages DROP COLUMN reasoning;
