-- +goose Up
-- Sessions of customers signed in to their own pages (/account/), in the
-- data plane of the account's environment. Only the token's SHA-256 is
-- kept. A session is 'pending' between the account number and date of
-- birth and the one-time code, then 'active'.
CREATE TABLE customer_sessions (
    hash            BLOB PRIMARY KEY,
    account_number  TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'active')),
    verification_id TEXT NOT NULL DEFAULT '',
    csrf_secret     BLOB NOT NULL,
    language        TEXT NOT NULL,
    created         BIGINT NOT NULL,
    last_seen       BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX customer_sessions_account ON customer_sessions (account_number);

-- +goose Down
DROP TABLE customer_sessions;
