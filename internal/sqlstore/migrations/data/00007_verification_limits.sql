-- +goose Up
-- Verification limits (docs/decisions.md, "Verification limits") are counted
-- from these rows: per account over its (account_number, created) index,
-- and per caller budget (a key set, or a merchant's clerk screens) here.
ALTER TABLE verifications ADD COLUMN budget_key TEXT NOT NULL DEFAULT '';
CREATE INDEX verifications_budget ON verifications (budget_key, created);

-- +goose Down
DROP INDEX verifications_budget;
ALTER TABLE verifications DROP COLUMN budget_key;
