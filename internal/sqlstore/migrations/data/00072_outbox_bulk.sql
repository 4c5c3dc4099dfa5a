-- A statement day queues a message per account (statement ready), and the
-- reminders five days before the due date as many again: bulk, sent at the
-- provider's pace over hours. A payment confirmation or a change of
-- standing queued behind them must not wait hours: the delivery pass takes
-- every other message first, then bulk ones, each oldest first.
-- +goose Up
ALTER TABLE account_message_outbox ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
UPDATE account_message_outbox SET bulk = 1 WHERE kind IN ('statement_ready', 'payment_due');
DROP INDEX account_message_outbox_due;
CREATE INDEX account_message_outbox_due ON account_message_outbox (bulk, created, id) WHERE status <> 'done';

-- +goose Down
DROP INDEX account_message_outbox_due;
CREATE INDEX account_message_outbox_due ON account_message_outbox (created, id) WHERE status <> 'done';
ALTER TABLE account_message_outbox DROP COLUMN bulk;
