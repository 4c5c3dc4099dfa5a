-- The statement day writes, per account, a statement's body and text, a
-- statement.created event and the servicing state: 5 KB that PostgreSQL
-- compresses into TOAST. pglz, its default, cost the server more per
-- account than any of those inserts' other work; lz4 compresses about as
-- well in a fraction of the time. Values already stored keep their
-- compression. A server built without lz4 keeps pglz.
-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE statements ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN text SET COMPRESSION lz4;
    ALTER TABLE events ALTER COLUMN object SET COMPRESSION lz4;
    ALTER TABLE account_servicing ALTER COLUMN state SET COMPRESSION lz4;
    ALTER TABLE account_message_outbox ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE statements ALTER COLUMN body SET COMPRESSION default, ALTER COLUMN text SET COMPRESSION default;
ALTER TABLE events ALTER COLUMN object SET COMPRESSION default;
ALTER TABLE account_servicing ALTER COLUMN state SET COMPRESSION default;
ALTER TABLE account_message_outbox ALTER COLUMN body SET COMPRESSION default;
