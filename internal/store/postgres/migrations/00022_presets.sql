-- +goose Up
-- Presets (issue 11): a named model, system prompt and parameters to start a
-- conversation from. shared presets (made by admins) are visible to everyone.
CREATE TABLE presets (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    model         text NOT NULL DEFAULT '',
    system_prompt text NOT NULL DEFAULT '',
    params        text NOT NULL DEFAULT '{}',
    shared        boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX presets_user_idx ON presets (user_id);
CREATE INDEX presets_shared_idx ON presets (shared) WHERE shared;

-- +goose Down
DROP TABLE presets;
