-- +goose Up
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
