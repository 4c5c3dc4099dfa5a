-- +goose Up
-- In-store payments (issue 26): the cash a merchant took for the lender is
-- a settlement line of its own (type payment), netted from its next
-- settlement.
ALTER TABLE settlement_lines DROP CONSTRAINT settlement_lines_type_check;
ALTER TABLE settlement_lines ADD CONSTRAINT settlement_lines_type_check CHECK (type IN ('capture', 'return', 'payment'));
ALTER TABLE settlements ADD COLUMN payments BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE settlements DROP COLUMN payments;
DELETE FROM settlement_lines WHERE type = 'payment';
ALTER TABLE settlement_lines DROP CONSTRAINT settlement_lines_type_check;
ALTER TABLE settlement_lines ADD CONSTRAINT settlement_lines_type_check CHECK (type IN ('capture', 'return'));
