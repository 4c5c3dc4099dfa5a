-- +goose Up
-- Customers: name, province and language in clear (they appear on accounts);
-- everything else personal is sealed (AES-256-GCM) in pii. identity_hash is
-- a keyed hash of name + date of birth, for search and duplicate checks.
CREATE TABLE customers (
    id            TEXT PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    province      TEXT NOT NULL,
    language      TEXT NOT NULL,
    identity_hash BLOB NOT NULL,
    postal_hash   BLOB NOT NULL,
    pii           BLOB NOT NULL,
    created       BIGINT NOT NULL
);
CREATE INDEX customers_identity ON customers (identity_hash);

CREATE TABLE accounts (
    account_number TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    status         TEXT NOT NULL,
    credit_limit   BIGINT NOT NULL CHECK (credit_limit >= 0),
    posted_balance BIGINT NOT NULL DEFAULT 0,
    held           BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
    currency       TEXT NOT NULL,
    risk_category  TEXT NOT NULL,
    province       TEXT NOT NULL,
    language       TEXT NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    created        BIGINT NOT NULL,
    -- The last line of defence: the database itself refuses an overdrawn line.
    CHECK (credit_limit - posted_balance - held >= 0)
);
CREATE INDEX accounts_customer ON accounts (customer_id);

CREATE TABLE applications (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    status           TEXT NOT NULL,
    reasons          TEXT NOT NULL DEFAULT '[]',
    requested_amount BIGINT NOT NULL DEFAULT 0,
    credit_limit     BIGINT NOT NULL DEFAULT 0,
    risk_category    TEXT NOT NULL DEFAULT '',
    account_number   TEXT NOT NULL DEFAULT '',
    score            INTEGER NOT NULL DEFAULT 0,
    language         TEXT NOT NULL,
    consent_at       BIGINT NOT NULL,
    consent_ip       TEXT NOT NULL,
    terms_version    TEXT NOT NULL,
    identity_hash    BLOB NOT NULL,
    created          BIGINT NOT NULL,
    decided_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX applications_merchant ON applications (merchant_id, id);
CREATE INDEX applications_identity ON applications (identity_hash, created);
CREATE INDEX applications_pending ON applications (status, id);

-- Every bureau inquiry, with the consent it was made under.
CREATE TABLE bureau_inquiries (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    bureau         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    score          INTEGER NOT NULL DEFAULT 0,
    reference      TEXT NOT NULL DEFAULT '',
    consent_at     BIGINT NOT NULL,
    consent_ip     TEXT NOT NULL,
    terms_version  TEXT NOT NULL,
    created        BIGINT NOT NULL
);
CREATE INDEX bureau_inquiries_application ON bureau_inquiries (application_id);

CREATE TABLE verifications (
    id             TEXT PRIMARY KEY,
    account_number TEXT NOT NULL REFERENCES accounts(account_number),
    merchant_id    TEXT NOT NULL,
    channel        TEXT NOT NULL,
    code_hash      BLOB NOT NULL,
    sent_to        TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    created        BIGINT NOT NULL,
    used_at        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX verifications_account ON verifications (account_number, created);

-- What TRAINING would have sent (codes, e-mails): the portal's validation inbox.
CREATE TABLE sent_messages (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created     BIGINT NOT NULL
);
CREATE INDEX sent_messages_merchant ON sent_messages (merchant_id, id);

-- +goose Down
DROP TABLE sent_messages;
DROP TABLE verifications;
DROP TABLE bureau_inquiries;
DROP TABLE applications;
DROP TABLE accounts;
DROP TABLE customers;
