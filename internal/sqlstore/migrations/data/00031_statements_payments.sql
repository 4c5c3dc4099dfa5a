-- +goose Up
-- Statements: one per account and cycle, with the figures a list needs in
-- columns, the whole statement (servicing.Statement) as JSON and its
-- rendered text in the account's language.
CREATE TABLE statements (
    id             TEXT PRIMARY KEY,
    account_number TEXT NOT NULL,
    period_start   TEXT NOT NULL,
    period_end     TEXT NOT NULL,
    opening        BIGINT NOT NULL,
    closing        BIGINT NOT NULL,
    minimum        BIGINT NOT NULL,
    due_date       TEXT NOT NULL,
    language       TEXT NOT NULL,
    body           TEXT NOT NULL,
    text           TEXT NOT NULL,
    created        BIGINT NOT NULL,
    UNIQUE (account_number, period_end)
);
CREATE INDEX statements_account ON statements (account_number, id);

-- Each line of a statement: charges, payments and credits, interest and
-- fees, as posted.
CREATE TABLE statement_lines (
    statement_id TEXT NOT NULL REFERENCES statements(id),
    seq          INTEGER NOT NULL,
    posted_on    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    description  TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    PRIMARY KEY (statement_id, seq)
);

-- Payments towards an account: in store (a merchant took the cash) or from
-- the lender's side (bank bill payment, cheque, debit).
CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    account_number  TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    channel         TEXT NOT NULL,
    merchant_id     TEXT NOT NULL DEFAULT '',
    store_id        TEXT NOT NULL DEFAULT '',
    register_id     TEXT NOT NULL DEFAULT '',
    employee_id     TEXT NOT NULL DEFAULT '',
    verification_id TEXT NOT NULL DEFAULT '',
    reference       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('succeeded', 'reversed')),
    posted_on       TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,
    allocation      TEXT NOT NULL,
    nsf_fee         BIGINT NOT NULL DEFAULT 0,
    reversal_id     TEXT NOT NULL DEFAULT '',
    reversal_reason TEXT NOT NULL DEFAULT '',
    reversed_at     BIGINT NOT NULL DEFAULT 0,
    created         BIGINT NOT NULL
);
CREATE INDEX payments_account ON payments (account_number, id);
CREATE INDEX payments_day ON payments (account_number, posted_on);

-- How each payment was allocated: one row per segment and bucket.
CREATE TABLE payment_allocations (
    payment_id TEXT NOT NULL REFERENCES payments(id),
    seq        INTEGER NOT NULL,
    segment_id TEXT NOT NULL,
    bucket     TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    PRIMARY KEY (payment_id, seq)
);

-- +goose Down
DROP TABLE payment_allocations;
DROP TABLE payments;
DROP TABLE statement_lines;
DROP TABLE statements;
