-- +goose Up
-- Staff roles (issue 27): lender staff are administrators (everything) or
-- agents (read, notes, freeze); a store's clerk (another change, 00046)
-- belongs to a merchant. The role CHECKs are dropped by any name they may
-- have and recreated admitting all four, so this and 00046 apply in either
-- order. (SQLite rebuilds the table: 00045_staff_roles.sqlite.sql.)
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_role_check;
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_check;
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_role;
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_staff_merchant;
ALTER TABLE portal_users ADD CONSTRAINT portal_users_role CHECK (role IN ('merchant', 'admin', 'agent', 'clerk'));
ALTER TABLE portal_users ADD CONSTRAINT portal_users_staff_merchant CHECK ((role IN ('admin', 'agent')) = (merchant_id IS NULL));
-- The account desk reads an account's audit entries by object.
CREATE INDEX audit_log_object ON audit_log (object_id, at);

-- +goose Down
DROP INDEX audit_log_object;
DELETE FROM portal_users WHERE role = 'agent';
