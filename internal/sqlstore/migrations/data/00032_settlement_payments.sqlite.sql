-- +goose Up
-- In-store payments (issue 26): the cash a merchant took for the lender is
-- a settlement line of its own (type payment), netted from its next
-- settlement. SQLite cannot alter a CHECK: the table is rebuilt.
CREATE TABLE settlement_lines_new (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    type             TEXT NOT NULL CHECK (type IN ('capture', 'return', 'payment')),
    amount           BIGINT NOT NULL CHECK (amount > 0),
    fee              BIGINT NOT NULL CHECK (fee >= 0 AND fee <= amount),
    authorization_id TEXT NOT NULL DEFAULT '',
    capture_id       TEXT NOT NULL DEFAULT '',
    return_id        TEXT NOT NULL DEFAULT '',
    settlement_id    TEXT NOT NULL DEFAULT '',
    created          BIGINT NOT NULL
);
INSERT INTO settlement_lines_new (id, merchant_id, store_id, type, amount, fee, authorization_id, capture_id, return_id, settlement_id, created)
SELECT id, merchant_id, store_id, type, amount, fee, authorization_id, capture_id, return_id, settlement_id, created FROM settlement_lines;
DROP TABLE settlement_lines;
ALTER TABLE settlement_lines_new RENAME TO settlement_lines;
CREATE INDEX settlement_lines_unsettled ON settlement_lines (merchant_id, store_id, created) WHERE settlement_id = '';
CREATE INDEX settlement_lines_settlement ON settlement_lines (settlement_id, id) WHERE settlement_id <> '';

ALTER TABLE settlements ADD COLUMN payments BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE settlements DROP COLUMN payments;
DELETE FROM settlement_lines WHERE type = 'payment';
