-- +goose Up
-- The customer messages servicing owes (statement ready, payment due,
-- payment received or reversed, status changed), written in the same
-- transaction as the fact they report and delivered after it commits (see
-- docs/decisions.md, "Customer messages: an outbox"). One row per fact:
-- (account_number, kind, reference) is unique, so a day applied again, a
-- retry, a second node or a test clock advanced again never queues a
-- message twice. status: pending until delivered, done once the messenger
-- kept it (sent, or training), failed after a failed delivery (tried again
-- by the next run while attempts < 5). lease_until keeps two nodes from
-- delivering one row at once. The delivered message is account_messages'
-- row with the same id.
CREATE TABLE account_message_outbox (
    id              TEXT PRIMARY KEY,
    account_number  TEXT NOT NULL,
    kind            TEXT NOT NULL,
    reference       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    created         BIGINT NOT NULL
);
CREATE UNIQUE INDEX account_message_outbox_fact ON account_message_outbox (account_number, kind, reference);
CREATE INDEX account_message_outbox_due ON account_message_outbox (created) WHERE status <> 'done';

-- +goose Down
DROP TABLE account_message_outbox;
