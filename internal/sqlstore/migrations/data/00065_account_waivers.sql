-- +goose Up
-- The lender's account desk (issue 27): fees and interest charges waived
-- by staff. Each waiver has its own ledger transaction (transaction_id,
-- fee_waived or interest_waived); charge_id is the charge's transaction.
-- idem_key makes a form sent twice record one waiver; `openflex verify`
-- replays waivers with the rest of the account's history.
CREATE TABLE account_waivers (
    id             TEXT PRIMARY KEY,
    account_number TEXT NOT NULL,
    charge_id      TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('fee', 'interest')),
    charged        BIGINT NOT NULL,
    segment_id     TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    reason         TEXT NOT NULL,
    staff          TEXT NOT NULL,
    idem_key       TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    posted_on      TEXT NOT NULL,
    created        BIGINT NOT NULL,
    UNIQUE (account_number, idem_key)
);
CREATE INDEX account_waivers_charge ON account_waivers (charge_id);

-- +goose Down
DROP TABLE account_waivers;
