-- +goose Up
-- A conversation's own system prompt (sent after the operator's, before the
-- messages) and generation parameters, as a JSON object
-- {"temperature","top_p","max_tokens","reasoning_effort"} (null: the default).
ALTER TABLE conversations ADD COLUMN system_prompt text NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN params text NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE conversations DROP COLUMN params;
ALTER TABLE conversations DROP COLUMN system_prompt;
