-- +goose Up
-- One-time payments a customer asks for on their pages: each a sporadic
-- pre-authorized debit (Payments Canada Rule H1) authorized for that one
-- debit, with the authorization text as accepted. The bank account is the
-- one of the customer's PAD agreement (agreement_id) or one given for
-- this payment, sealed (bound to the id); only its masked form is in
-- clear. The form's token is the idempotency key: a double submit finds
-- the payment it already made. The day's debit file takes the scheduled
-- ones due (status sent, file_number); cancelled is the customer's, before
-- that.
CREATE TABLE pad_one_time (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    account_number  TEXT NOT NULL REFERENCES accounts(account_number),
    idempotency_key TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    debit_on        TEXT NOT NULL,
    plan_id         TEXT NOT NULL DEFAULT '',
    agreement_id    TEXT NOT NULL DEFAULT '',
    bank_sealed     BLOB NOT NULL,
    bank_masked     TEXT NOT NULL,
    language        TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('scheduled', 'sent', 'returned', 'skipped', 'cancelled')),
    authorized_at   BIGINT NOT NULL,
    authorized_by   TEXT NOT NULL,
    file_number     INTEGER NOT NULL DEFAULT 0,
    payment_id      TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    updated         BIGINT NOT NULL
);
CREATE UNIQUE INDEX pad_one_time_key ON pad_one_time (account_number, idempotency_key);
CREATE INDEX pad_one_time_due ON pad_one_time (status, debit_on);
CREATE INDEX pad_one_time_account ON pad_one_time (account_number, id);

-- +goose Down
DROP TABLE pad_one_time;
