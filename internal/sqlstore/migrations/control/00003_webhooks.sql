-- +goose Up
-- Webhook endpoints. The signing secret must be readable to sign, so it is
-- sealed (AES-256-GCM), never stored in clear; a rolled secret keeps
-- signing alongside the new one until old_expires_at.
CREATE TABLE webhook_endpoints (
    id             TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants(id),
    environment    TEXT NOT NULL,
    key_set_id     TEXT NOT NULL REFERENCES key_sets(id),
    url            TEXT NOT NULL,
    events         TEXT NOT NULL,
    secret         BLOB NOT NULL,
    old_secret     BLOB,
    old_expires_at BIGINT NOT NULL DEFAULT 0,
    created        BIGINT NOT NULL,
    deleted_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints (merchant_id, environment, id);

-- +goose Down
DROP TABLE webhook_endpoints;
