-- +goose Up
-- Every message sent to a customer about their account (statement ready,
-- payment due, payment received, debit returned, status changed, the PAD
-- agreement's confirmation and notices), as the account desk shows it and
-- as Rule H1 asks the lender to be able to prove. In TRAINING nothing is
-- sent: status 'training' marks the message kept for the test inbox only.
CREATE TABLE account_messages (
    id              TEXT PRIMARY KEY,
    account_number  TEXT NOT NULL,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'training')),
    error           TEXT NOT NULL DEFAULT '',
    created         BIGINT NOT NULL
);
CREATE INDEX account_messages_account ON account_messages (account_number, created);

-- +goose Down
DROP TABLE account_messages;
