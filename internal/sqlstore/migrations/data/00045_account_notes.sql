-- +goose Up
-- The lender's account desk (issue 27): staff notes on an account, written
-- by agents and administrators, never edited or deleted (a correction is a
-- new note). author is the staff member's user id; reason-bearing actions
-- keep their own records (status changes, payments) and the audit log.
CREATE TABLE account_notes (
    id             TEXT PRIMARY KEY,
    account_number TEXT NOT NULL,
    author         TEXT NOT NULL,
    body           TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created        BIGINT NOT NULL
);
CREATE INDEX account_notes_account ON account_notes (account_number, created);

-- +goose Down
DROP TABLE account_notes;
