-- +goose Up
-- Hosted checkout sessions. The shopper's prefill data is personal data and
-- is sealed; the URL token is stored only as a hash.
CREATE TABLE checkouts (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    key_set_id       TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    currency         TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    items            TEXT NOT NULL DEFAULT '[]',
    customer         BLOB,
    flow             TEXT NOT NULL,
    auto_capture     INTEGER NOT NULL DEFAULT 0,
    success_url      TEXT NOT NULL,
    cancel_url       TEXT NOT NULL,
    language         TEXT NOT NULL,
    status           TEXT NOT NULL,
    token_hash       BLOB NOT NULL UNIQUE,
    account_number   TEXT NOT NULL DEFAULT '',
    application_id   TEXT NOT NULL DEFAULT '',
    verification_id  TEXT NOT NULL DEFAULT '',
    verified         INTEGER NOT NULL DEFAULT 0,
    plan_id          TEXT NOT NULL DEFAULT '',
    term_months      INTEGER NOT NULL DEFAULT 0,
    authorization_id TEXT NOT NULL DEFAULT '',
    expires_at       BIGINT NOT NULL,
    created          BIGINT NOT NULL,
    completed_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX checkouts_merchant ON checkouts (merchant_id, id);
CREATE INDEX checkouts_open ON checkouts (status, expires_at);

-- +goose Down
DROP TABLE checkouts;
