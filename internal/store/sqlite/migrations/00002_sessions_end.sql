-- +goose Up
-- tokens_valid_after: access tokens issued and API tokens created at or before this instant
-- (microseconds since the Unix epoch) are refused; set when the user is disabled, so
-- re-enabling revives none of them. NULL: no such bound.
ALTER TABLE users ADD COLUMN tokens_valid_after integer;

-- +goose Down
ALTER TABLE users DROP COLUMN tokens_valid_after;
