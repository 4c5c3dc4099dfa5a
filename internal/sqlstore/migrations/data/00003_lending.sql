-- +goose Up
CREATE TABLE authorizations (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    account_number  TEXT NOT NULL REFERENCES accounts(account_number),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    captured_amount BIGINT NOT NULL DEFAULT 0,
    released_amount BIGINT NOT NULL DEFAULT 0,
    returned_amount BIGINT NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,
    channel         TEXT NOT NULL,
    reference       TEXT NOT NULL DEFAULT '',
    plan_id         TEXT NOT NULL DEFAULT '',
    term_months     INTEGER NOT NULL DEFAULT 0,
    disclosure      TEXT NOT NULL DEFAULT '',
    verification_id TEXT NOT NULL DEFAULT '',
    employee_id     TEXT NOT NULL DEFAULT '',
    register_id     TEXT NOT NULL DEFAULT '',
    items           TEXT NOT NULL DEFAULT '[]',
    tax_gst_hst     BIGINT NOT NULL DEFAULT 0,
    tax_pst         BIGINT NOT NULL DEFAULT 0,
    metadata        TEXT NOT NULL DEFAULT '{}',
    expires_at      BIGINT NOT NULL,
    created         BIGINT NOT NULL,
    CHECK (captured_amount >= 0 AND released_amount >= 0 AND captured_amount + released_amount <= amount),
    CHECK (returned_amount >= 0 AND returned_amount <= captured_amount)
);
CREATE INDEX authorizations_merchant ON authorizations (merchant_id, id);
CREATE INDEX authorizations_store ON authorizations (merchant_id, store_id, id);
CREATE INDEX authorizations_account ON authorizations (merchant_id, account_number, id);
CREATE INDEX authorizations_open ON authorizations (status, expires_at);

CREATE TABLE captures (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    authorization_id TEXT NOT NULL REFERENCES authorizations(id),
    store_id         TEXT NOT NULL,
    account_number   TEXT NOT NULL,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    returned_amount  BIGINT NOT NULL DEFAULT 0,
    reference        TEXT NOT NULL DEFAULT '',
    created          BIGINT NOT NULL,
    CHECK (returned_amount >= 0 AND returned_amount <= amount)
);
CREATE INDEX captures_merchant ON captures (merchant_id, id);
CREATE INDEX captures_authorization ON captures (authorization_id);

CREATE TABLE returns (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    capture_id       TEXT NOT NULL REFERENCES captures(id),
    authorization_id TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    account_number   TEXT NOT NULL,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    reference        TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    created          BIGINT NOT NULL
);
CREATE INDEX returns_merchant ON returns (merchant_id, id);
CREATE INDEX returns_capture ON returns (capture_id);

-- The history: one row per money movement, read by store and account.
-- Store and merchant totals are computed from these indexed rows; no
-- purchase updates a per-store or per-merchant running total.
CREATE TABLE transactions (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    account_number   TEXT NOT NULL,
    type             TEXT NOT NULL,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    authorization_id TEXT NOT NULL DEFAULT '',
    capture_id       TEXT NOT NULL DEFAULT '',
    return_id        TEXT NOT NULL DEFAULT '',
    reference        TEXT NOT NULL DEFAULT '',
    created          BIGINT NOT NULL
);
CREATE INDEX transactions_merchant ON transactions (merchant_id, id);
CREATE INDEX transactions_store ON transactions (merchant_id, store_id, id);
CREATE INDEX transactions_account ON transactions (account_number, id);

-- Double entry: each transaction's entries balance (sum of debits = sum of
-- credits), checked by the service before commit and by `openflex verify`.
CREATE TABLE ledger_entries (
    transaction_id TEXT NOT NULL REFERENCES transactions(id),
    seq            INTEGER NOT NULL,
    ledger         TEXT NOT NULL,
    debit          BIGINT NOT NULL DEFAULT 0 CHECK (debit >= 0),
    credit         BIGINT NOT NULL DEFAULT 0 CHECK (credit >= 0),
    PRIMARY KEY (transaction_id, seq),
    CHECK ((debit = 0) <> (credit = 0))
);
CREATE INDEX ledger_entries_ledger ON ledger_entries (ledger);

-- The outbox: an event exists if and only if its change committed.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    type        TEXT NOT NULL,
    object      TEXT NOT NULL,
    created     BIGINT NOT NULL
);
CREATE INDEX events_merchant ON events (merchant_id, id);
CREATE INDEX events_created ON events (created);

-- +goose Down
DROP TABLE events;
DROP TABLE ledger_entries;
DROP TABLE transactions;
DROP TABLE returns;
DROP TABLE captures;
DROP TABLE authorizations;
