-- +goose Up
CREATE TABLE plans (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    environment     TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
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
