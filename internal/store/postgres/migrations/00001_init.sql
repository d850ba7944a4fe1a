-- +goose Up
-- Identifiers are UUIDv7 text (time-ordered); instants are timestamptz (UTC, microseconds).
CREATE TABLE users (
    id                text PRIMARY KEY,
    email             text NOT NULL,
    name              text NOT NULL DEFAULT '',
    password_hash     text NOT NULL DEFAULT '',
    role              text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    disabled          boolean NOT NULL DEFAULT false,
    daily_token_quota bigint CHECK (daily_token_quota >= 0),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);

CREATE TABLE refresh_tokens (
    id         text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id  text NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz,
    user_agent text NOT NULL DEFAULT '',
    client_ip  text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE api_tokens (
    id           text PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL,
    token_hash   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at);

CREATE TABLE invites (
    id         text PRIMARY KEY,
    code_hash  text NOT NULL,
    created_by text REFERENCES users (id) ON DELETE SET NULL,
    email      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    text REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX invites_code_hash_key ON invites (code_hash);

CREATE TABLE conversations (
    id         text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      text NOT NULL DEFAULT '',
    model      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC, id DESC);

CREATE TABLE messages (
    id                text PRIMARY KEY,
    conversation_id   text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role              text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content           text NOT NULL,
    model             text NOT NULL DEFAULT '',
    status            text NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'partial', 'error')),
    prompt_tokens     integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL
);
CREATE INDEX messages_conversation_created_idx ON messages (conversation_id, created_at, id);

CREATE TABLE usage_daily (
    user_id           text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day               date NOT NULL,
    model             text NOT NULL,
    requests          bigint NOT NULL DEFAULT 0,
    prompt_tokens     bigint NOT NULL DEFAULT 0,
    completion_tokens bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day, model)
);

-- Append-only: no foreign key, so the trail outlives the users it names.
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    user_id    text NOT NULL DEFAULT '',
    action     text NOT NULL,
    method     text NOT NULL DEFAULT '',
    route      text NOT NULL DEFAULT '',
    status     integer NOT NULL DEFAULT 0,
    client_ip  text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    request_id text NOT NULL DEFAULT '',
    latency_ms double precision NOT NULL DEFAULT 0,
    target     text NOT NULL DEFAULT '',
    detail     text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id);

CREATE TABLE incidents (
    id          text PRIMARY KEY,
    component   text NOT NULL,
    status      text NOT NULL,
    title       text NOT NULL,
    started_at  timestamptz NOT NULL,
    resolved_at timestamptz
);
CREATE INDEX incidents_started_idx ON incidents (started_at DESC, id DESC);
CREATE UNIQUE INDEX incidents_open_key ON incidents (component) WHERE resolved_at IS NULL;

-- +goose Down
DROP TABLE incidents;
DROP TABLE audit_log;
DROP TABLE usage_daily;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE invites;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
