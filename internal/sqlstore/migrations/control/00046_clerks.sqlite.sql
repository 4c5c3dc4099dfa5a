-- +goose NO TRANSACTION
-- +goose Up
-- Store clerks (issue 28): a clerk belongs to one merchant and sells at the
-- stores listed in portal_user_stores, and nothing else. The table is
-- rebuilt exactly as 00045 (staff roles: admin and agent have no merchant)
-- rebuilds it, so the two apply in either order and leave the same schema.
-- SQLite cannot alter a CHECK: the table is rebuilt the way SQLite
-- documents it, with foreign keys off, so dropping the old table does not cascade to the sessions,
-- email tokens and log-in failures that reference it (the writer is one
-- connection, so the pragma holds for the whole migration).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE portal_users_new (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT REFERENCES merchants(id),
    role              TEXT NOT NULL DEFAULT 'merchant' CHECK (role IN ('merchant', 'admin', 'agent', 'clerk')),
    email             TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash     TEXT NOT NULL,
    email_verified_at BIGINT NOT NULL DEFAULT 0,
    failed_logins     INTEGER NOT NULL DEFAULT 0,
    locked_until      BIGINT NOT NULL DEFAULT 0,
    created           BIGINT NOT NULL,
    CHECK ((role IN ('admin', 'agent')) = (merchant_id IS NULL))
);
INSERT INTO portal_users_new (id, merchant_id, role, email, password_hash, email_verified_at, failed_logins, locked_until, created)
SELECT id, merchant_id, role, email, password_hash, email_verified_at, failed_logins, locked_until, created FROM portal_users;
DROP TABLE portal_users;
ALTER TABLE portal_users_new RENAME TO portal_users;
CREATE INDEX portal_users_merchant ON portal_users (merchant_id);

CREATE TABLE portal_user_stores (
    user_id  TEXT NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE,
    store_id TEXT NOT NULL,
    PRIMARY KEY (user_id, store_id)
);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
DROP TABLE portal_user_stores;
DELETE FROM portal_users WHERE role = 'clerk';
