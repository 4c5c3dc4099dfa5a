-- The delivery pass lists undelivered customer messages ORDER BY created,
-- id. A statement day queues one message per account all dated the same
-- instant (the end of the day), and an index on created alone left every
-- page of the pass to sort all of them: 84 ms a page at 100,000 pending
-- on PostgreSQL. The index now holds the whole order.
-- +goose Up
DROP INDEX account_message_outbox_due;
CREATE INDEX account_message_outbox_due ON account_message_outbox (created, id) WHERE status <> 'done';

-- +goose Down
DROP INDEX account_message_outbox_due;
CREATE INDEX account_message_outbox_due ON account_message_outbox (created) WHERE status <> 'done';
