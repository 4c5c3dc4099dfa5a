-- +goose Up
CREATE TABLE merchants (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    live_approved INTEGER NOT NULL DEFAULT 0,
    approved_at   BIGINT NOT NULL DEFAULT 0,
    created       BIGINT NOT NULL
);

CREATE TABLE stores (
    id                   TEXT PRIMARY KEY,
    merchant_id          TEXT NOT NULL REFERENCES merchants(id),
    name                 TEXT NOT NULL,
    external_location_id TEXT NOT NULL DEFAULT '',
    province             TEXT NOT NULL,
    time_zone            TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'active',
    created              BIGINT NOT NULL
);
CREATE INDEX stores_merchant ON stores (merchant_id, id);

CREATE TABLE key_sets (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    environment  TEXT NOT NULL CHECK (environment IN ('training', 'production')),
    name         TEXT NOT NULL DEFAULT '',
    client_id    TEXT NOT NULL UNIQUE,
    trust_urls   TEXT NOT NULL DEFAULT '[]',
    trust_ips    TEXT NOT NULL DEFAULT '[]',
    created      BIGINT NOT NULL,
    revoked_at   BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX key_sets_merchant ON key_sets (merchant_id, environment);

-- Only a keyed hash of a secret is ever stored.
CREATE TABLE key_secrets (
    id         TEXT PRIMARY KEY,
    key_set_id TEXT NOT NULL REFERENCES key_sets(id),
    hash       BLOB NOT NULL UNIQUE,
    last4      TEXT NOT NULL,
    created    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX key_secrets_key_set ON key_secrets (key_set_id);

-- Access tokens are opaque; only their hash is stored, bound to the secret
-- that minted them so revoking or expiring the secret kills them at once.
CREATE TABLE access_tokens (
    hash        BLOB PRIMARY KEY,
    key_set_id  TEXT NOT NULL REFERENCES key_sets(id),
    secret_id   TEXT NOT NULL REFERENCES key_secrets(id),
    created     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    merchant_id TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    remote_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_merchant ON audit_log (merchant_id, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE access_tokens;
DROP TABLE key_secrets;
DROP TABLE key_sets;
DROP TABLE stores;
DROP TABLE merchants;
