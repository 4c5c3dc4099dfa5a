-- +goose Up
-- A customer's consent for one merchant to post online purchases on their
-- account without a new code (a card on file). Rows are never deleted by a
-- revocation, so the history of who allowed what, and who took it back,
-- stays. At most one active consent per account and merchant: the partial
-- unique index is also the one lookup the authorization makes.
CREATE TABLE consents (
    id              TEXT PRIMARY KEY,
    account_number  TEXT NOT NULL REFERENCES accounts(account_number),
    merchant_id     TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('checkout', 'verification', 'application')),
    checkout_id     TEXT NOT NULL DEFAULT '',
    verification_id TEXT NOT NULL DEFAULT '',
    application_id  TEXT NOT NULL DEFAULT '',
    created         BIGINT NOT NULL,
    revoked_at      BIGINT NOT NULL DEFAULT 0,
    revoked_by      TEXT NOT NULL DEFAULT '',
    revoke_reason   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX consents_active ON consents (account_number, merchant_id) WHERE revoked_at = 0;
CREATE INDEX consents_account ON consents (account_number, id);

-- +goose Down
DROP TABLE consents;
