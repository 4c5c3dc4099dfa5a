-- +goose Up
-- What each purchase on a plan costs the merchant.
ALTER TABLE plans ADD COLUMN merchant_fee_bps BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN merchant_fee_fixed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN merchant_fee_no_refund INTEGER NOT NULL DEFAULT 0;

-- Where a merchant is paid; sealed (AES-256-GCM, bound to the merchant id)
-- like other sensitive data. masked is what screens show.
CREATE TABLE merchant_bank_accounts (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants(id),
    sealed      BLOB NOT NULL,
    masked      TEXT NOT NULL,
    updated     BIGINT NOT NULL
);

-- +goose Down
DROP TABLE merchant_bank_accounts;
ALTER TABLE plans DROP COLUMN merchant_fee_no_refund;
ALTER TABLE plans DROP COLUMN merchant_fee_fixed;
ALTER TABLE plans DROP COLUMN merchant_fee_bps;
