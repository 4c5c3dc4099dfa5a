-- +goose NO TRANSACTION
-- +goose Up
-- Staff roles (issue 27): lender staff are administrators (everything) or
-- agents (read, notes, freeze); a store's clerk (another change, 00046)
-- belongs to a merchant. The role CHECK admits all four whichever of the
-- two migrations runs first, so they apply in either order. SQLite cannot
-- alter a CHECK: the table is rebuilt, with foreign keys off so dropping
-- the old table does not cascade to sessions, tokens and failures (the
-- pragma is a no-op inside a transaction, hence NO TRANSACTION).
PRAGMA foreign_keys = OFF;
BEGIN;
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
-- The account desk reads an account's audit entries by object.
CREATE INDEX audit_log_object ON audit_log (object_id, at);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
DROP INDEX audit_log_object;
DELETE FROM portal_users WHERE role = 'agent';
