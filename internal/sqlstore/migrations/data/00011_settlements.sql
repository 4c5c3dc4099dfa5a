-- +goose Up
-- What each purchase on a plan costs the merchant (plans live in the data
-- plane since 00009).
ALTER TABLE plans ADD COLUMN merchant_fee_bps BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN merchant_fee_fixed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN merchant_fee_no_refund INTEGER NOT NULL DEFAULT 0;

-- The plan's merchant fee as agreed when the purchase was authorized.
ALTER TABLE authorizations ADD COLUMN merchant_fee_bps BIGINT NOT NULL DEFAULT 0;
ALTER TABLE authorizations ADD COLUMN merchant_fee_fixed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE authorizations ADD COLUMN merchant_fee_no_refund INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN fee BIGINT NOT NULL DEFAULT 0;
ALTER TABLE returns ADD COLUMN fee_refund BIGINT NOT NULL DEFAULT 0;

-- One line per capture or return, inserted with the movement (its id is
-- the movement's transaction id). The purchase path only inserts here: no
-- per-merchant or per-store balance row is updated. The cut stamps
-- settlement_id off the request path.
CREATE TABLE settlement_lines (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    type             TEXT NOT NULL CHECK (type IN ('capture', 'return')),
    amount           BIGINT NOT NULL CHECK (amount > 0),
    fee              BIGINT NOT NULL CHECK (fee >= 0 AND fee <= amount),
    authorization_id TEXT NOT NULL DEFAULT '',
    capture_id       TEXT NOT NULL DEFAULT '',
    return_id        TEXT NOT NULL DEFAULT '',
    settlement_id    TEXT NOT NULL DEFAULT '',
    created          BIGINT NOT NULL
);
CREATE INDEX settlement_lines_unsettled ON settlement_lines (merchant_id, store_id, created) WHERE settlement_id = '';
CREATE INDEX settlement_lines_settlement ON settlement_lines (settlement_id, id) WHERE settlement_id <> '';

-- One row per merchant and business day, written at the cut.
CREATE TABLE settlements (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    business_date TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'carried_forward')),
    gross         BIGINT NOT NULL,
    returns       BIGINT NOT NULL,
    fees          BIGINT NOT NULL,
    fee_refunds   BIGINT NOT NULL,
    lines         BIGINT NOT NULL,
    carried_in    BIGINT NOT NULL DEFAULT 0 CHECK (carried_in <= 0),
    stores        TEXT NOT NULL DEFAULT '[]',
    closed_at     BIGINT NOT NULL,
    paid_at       BIGINT NOT NULL DEFAULT 0,
    payout_id     TEXT NOT NULL DEFAULT '',
    created       BIGINT NOT NULL,
    UNIQUE (merchant_id, business_date)
);
CREATE INDEX settlements_merchant ON settlements (merchant_id, id);
CREATE INDEX settlements_status ON settlements (status, business_date);

-- +goose Down
DROP TABLE settlements;
DROP TABLE settlement_lines;
ALTER TABLE returns DROP COLUMN fee_refund;
ALTER TABLE captures DROP COLUMN fee;
ALTER TABLE authorizations DROP COLUMN merchant_fee_no_refund;
ALTER TABLE authorizations DROP COLUMN merchant_fee_fixed;
ALTER TABLE authorizations DROP COLUMN merchant_fee_bps;
ALTER TABLE plans DROP COLUMN merchant_fee_no_refund;
ALTER TABLE plans DROP COLUMN merchant_fee_fixed;
ALTER TABLE plans DROP COLUMN merchant_fee_bps;
