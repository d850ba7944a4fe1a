-- +goose Up
-- Full-text search (issue 11): FTS5 indexes over message text and conversation
-- titles (external content, keyed by rowid), kept in step by triggers in the
-- transaction of every insert, update and delete (cascades included).
-- unicode61 without diacritic folding splits words like PostgreSQL's 'simple'.
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE conversations_fts USING fts5(title, content='conversations', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 0');
-- +goose StatementBegin
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
    INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
END;
-- +goose StatementEnd
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild');

-- +goose Down
DROP TRIGGER conversations_fts_update;
DROP TRIGGER conversations_fts_delete;
DROP TRIGGER conversations_fts_insert;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_insert;
DROP TABLE conversations_fts;
DROP TABLE messages_fts;
