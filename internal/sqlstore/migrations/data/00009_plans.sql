-- +goose Up
-- Financing plans are objects of one environment, so they live in its data
-- plane. Plans that predate this table sit in the control plane; the Go
-- step at open (sqlstore.movePlans) moves them here.
CREATE TABLE plans (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    environment     TEXT NOT NULL CHECK (environment IN ('training', 'production')),
    name            TEXT NOT NULL,
    name_fr         TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL,
    terms           TEXT NOT NULL,
    min_amount      BIGINT NOT NULL DEFAULT 0,
    max_amount      BIGINT NOT NULL DEFAULT 0,
    provinces       TEXT NOT NULL DEFAULT '[]',
    risk_categories TEXT NOT NULL DEFAULT '[]',
    active          INTEGER NOT NULL DEFAULT 1,
    created         BIGINT NOT NULL
);
CREATE INDEX plans_merchant ON plans (merchant_id, id);

-- +goose Down
DROP TABLE plans;
