-- +goose Up
-- Developer Portal and admin console users. A merchant user belongs to one
-- merchant; an admin (the lender's staff) to none. Emails are stored
-- lower-cased so uniqueness cannot be dodged by case. Passwords are
-- argon2id encoded strings, never the password.
CREATE TABLE portal_users (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT REFERENCES merchants(id),
    role              TEXT NOT NULL DEFAULT 'merchant' CHECK (role IN ('merchant', 'admin')),
    email             TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash     TEXT NOT NULL,
    email_verified_at BIGINT NOT NULL DEFAULT 0,
    failed_logins     INTEGER NOT NULL DEFAULT 0,
    locked_until      BIGINT NOT NULL DEFAULT 0,
    created           BIGINT NOT NULL,
    CHECK ((role = 'admin') = (merchant_id IS NULL))
);
CREATE INDEX portal_users_merchant ON portal_users (merchant_id);

-- The id is the SHA-256 of the cookie's token: a copy of this table cannot
-- be replayed as cookies.
CREATE TABLE portal_sessions (
    id          BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES portal_users(id) ON DELETE CASCADE,
    csrf_secret BLOB NOT NULL,
    created     BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX portal_sessions_user ON portal_sessions (user_id);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

-- Single-use email links (verification, password reset), by token hash.
CREATE TABLE email_tokens (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES portal_users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    created    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expiry ON email_tokens (expires_at);

CREATE TABLE go_live_requests (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants(id),
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    note          TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL DEFAULT '',
    decision_note TEXT NOT NULL DEFAULT '',
    created       BIGINT NOT NULL,
    decided_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX go_live_requests_merchant ON go_live_requests (merchant_id, id);
CREATE INDEX go_live_requests_status ON go_live_requests (status, id);
-- At most one pending request per merchant, even when two submits race.
CREATE UNIQUE INDEX go_live_requests_one_pending ON go_live_requests (merchant_id) WHERE status = 'pending';

-- +goose Down
DROP TABLE go_live_requests;
DROP TABLE email_tokens;
DROP TABLE portal_sessions;
DROP TABLE portal_users;
