-- +goose Up
-- Customers' pre-authorized debit agreements (Payments Canada Rule H1),
-- kept with the text the customer accepted. The payor's bank account is
-- sealed (bound to the agreement id); only its masked form is in clear.
-- A cancelled agreement stays, as the history of what was allowed. At
-- most one active agreement per account.
CREATE TABLE pad_agreements (
    id              TEXT PRIMARY KEY,
    account_number  TEXT NOT NULL REFERENCES accounts(account_number),
    choice          TEXT NOT NULL CHECK (choice IN ('minimum', 'statement_balance', 'fixed')),
    fixed_amount    BIGINT NOT NULL DEFAULT 0,
    bank_sealed     BLOB NOT NULL,
    bank_masked     TEXT NOT NULL,
    language        TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    agreed_at       BIGINT NOT NULL,
    agreed_by       TEXT NOT NULL,
    confirmed_at    BIGINT NOT NULL,
    first_debit_on  TEXT NOT NULL,
    cancelled_at    BIGINT NOT NULL DEFAULT 0,
    cancelled_by    TEXT NOT NULL DEFAULT '',
    cancel_reason   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX pad_agreements_active ON pad_agreements (account_number) WHERE status = 'active';
CREATE INDEX pad_agreements_account ON pad_agreements (account_number, id);

-- One debit per agreement and statement, ever: the unique index is what
-- keeps a statement from being debited twice. reference is the debit's
-- cross reference in the CPA-005 file, which the bank's return carries.
CREATE TABLE pad_debits (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    agreement_id    TEXT NOT NULL REFERENCES pad_agreements(id),
    account_number  TEXT NOT NULL,
    statement_id    TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    status          TEXT NOT NULL CHECK (status IN ('scheduled', 'sent', 'returned', 'skipped')),
    notice_sent_at  BIGINT NOT NULL DEFAULT 0,
    file_number     INTEGER NOT NULL DEFAULT 0,
    payment_id      TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    created         BIGINT NOT NULL,
    updated         BIGINT NOT NULL
);
CREATE UNIQUE INDEX pad_debits_statement ON pad_debits (agreement_id, statement_id);
CREATE INDEX pad_debits_due ON pad_debits (status, due_on);
CREATE INDEX pad_debits_account ON pad_debits (account_number, id);

-- Every CPA-005 debit file written, so each run takes a new file creation
-- number (the bank refuses a number it has seen).
CREATE TABLE pad_files (
    seq          BIGINT PRIMARY KEY,
    file_number  INTEGER NOT NULL,
    day          TEXT NOT NULL,
    created      BIGINT NOT NULL
);

-- +goose Down
DROP TABLE pad_files;
DROP TABLE pad_debits;
DROP TABLE pad_agreements;
