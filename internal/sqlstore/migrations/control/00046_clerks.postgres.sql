-- +goose Up
-- Store clerks (issue 28): a clerk belongs to one merchant and sells at the
-- stores listed in portal_user_stores, and nothing else. The role CHECKs
-- are dropped by any name they may have and recreated exactly as 00045
-- (staff roles: admin and agent have no merchant) recreates them, so the
-- two apply in either order and leave the same schema.
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_role_check;
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_check;
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_role;
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_staff_merchant;
ALTER TABLE portal_users ADD CONSTRAINT portal_users_role CHECK (role IN ('merchant', 'admin', 'agent', 'clerk'));
ALTER TABLE portal_users ADD CONSTRAINT portal_users_staff_merchant CHECK ((role IN ('admin', 'agent')) = (merchant_id IS NULL));

CREATE TABLE portal_user_stores (
    user_id  TEXT NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE,
    store_id TEXT NOT NULL,
    PRIMARY KEY (user_id, store_id)
);

-- +goose Down
DROP TABLE portal_user_stores;
DELETE FROM portal_users WHERE role = 'clerk';
