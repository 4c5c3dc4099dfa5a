-- +goose Up
-- A repeat application (same person, another merchant, while the first is
-- pending or within the dedupe window, or while the person holds an open
-- account) names the application it repeats: it follows that decision and
-- opens nothing itself. Staff's review queue shows it.
ALTER TABLE applications ADD COLUMN repeat_of TEXT NOT NULL DEFAULT '';
CREATE INDEX applications_repeat ON applications (repeat_of) WHERE repeat_of <> '';
-- The application that opened an account, for a repeat that finds the
-- person's open account past the window.
CREATE INDEX applications_account ON applications (account_number) WHERE account_number <> '';

-- +goose Down
DROP INDEX applications_account;
DROP INDEX applications_repeat;
ALTER TABLE applications DROP COLUMN repeat_of;
