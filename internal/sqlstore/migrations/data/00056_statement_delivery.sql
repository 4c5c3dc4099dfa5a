-- +goose Up
-- How each account's statements are delivered: electronically only with
-- the customer's consent (recorded with the wording consented to), else on
-- paper by mail. Every choice is a row, never updated: the newest is the
-- account's, the rest its history.
CREATE TABLE statement_delivery (
    id              TEXT PRIMARY KEY,
    account_number  TEXT NOT NULL REFERENCES accounts(account_number),
    electronic      INTEGER NOT NULL CHECK (electronic IN (0, 1)),
    wording         TEXT NOT NULL,
    language        TEXT NOT NULL,
    chosen_by       TEXT NOT NULL,
    created         BIGINT NOT NULL
);
CREATE INDEX statement_delivery_account ON statement_delivery (account_number, created);

-- +goose Down
DROP TABLE statement_delivery;
