-- +goose Up
-- Servicing (issue 26): what the daily step and payments keep per account.

-- Interest and fees owed, apart from posted_balance (purchases less
-- returns less principal paid): accounts' CHECK keeps purchases within the
-- limit, and a charge must post even on an account at its limit.
ALTER TABLE accounts ADD COLUMN charges BIGINT NOT NULL DEFAULT 0;

-- TRAINING test clocks: an account attached to one lives at its frozen
-- time, moved forward only by a test helper.
CREATE TABLE test_clocks (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    frozen_time BIGINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('ready', 'advancing')),
    created     BIGINT NOT NULL
);
CREATE INDEX test_clocks_merchant ON test_clocks (merchant_id, id);

-- One row per account: its statement day (1–28, or 0 for the month's last
-- day), the zone its days are counted in, its clock, and the first day the
-- daily step has not applied yet (YYYY-MM-DD). Advancing next_day commits
-- with the day's effects, so a day is applied at most once.
CREATE TABLE account_servicing (
    account_number TEXT PRIMARY KEY REFERENCES accounts(account_number),
    statement_day  INTEGER NOT NULL DEFAULT 0 CHECK (statement_day BETWEEN 0 AND 28),
    time_zone      TEXT NOT NULL,
    test_clock_id  TEXT NOT NULL DEFAULT '',
    opened_on      TEXT NOT NULL,
    next_day       TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX account_servicing_due ON account_servicing (test_clock_id, time_zone, next_day, account_number);

INSERT INTO account_servicing (account_number, time_zone, opened_on, next_day)
SELECT account_number,
    CASE province WHEN 'AB' THEN 'America/Edmonton' WHEN 'BC' THEN 'America/Vancouver' WHEN 'MB' THEN 'America/Winnipeg'
        WHEN 'NB' THEN 'America/Moncton' WHEN 'NL' THEN 'America/St_Johns' WHEN 'NS' THEN 'America/Halifax'
        WHEN 'NT' THEN 'America/Yellowknife' WHEN 'NU' THEN 'America/Iqaluit' WHEN 'PE' THEN 'America/Halifax'
        WHEN 'SK' THEN 'America/Regina' WHEN 'YT' THEN 'America/Whitehorse' ELSE 'America/Toronto' END,
    '', ''
FROM accounts;

-- Every (account, day) the daily step applied: the primary key refuses a
-- second application, whichever node tries it.
CREATE TABLE servicing_days (
    account_number TEXT NOT NULL,
    day            TEXT NOT NULL,
    applied        BIGINT NOT NULL,
    PRIMARY KEY (account_number, day)
);

-- Standing changes, with who made them and why.
CREATE TABLE account_status_changes (
    id             TEXT PRIMARY KEY,
    account_number TEXT NOT NULL,
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    actor          TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    created        BIGINT NOT NULL
);
CREATE INDEX account_status_changes_account ON account_status_changes (account_number, id);

-- +goose Down
DROP TABLE account_status_changes;
DROP TABLE servicing_days;
DROP TABLE account_servicing;
DROP TABLE test_clocks;
ALTER TABLE accounts DROP COLUMN charges;
