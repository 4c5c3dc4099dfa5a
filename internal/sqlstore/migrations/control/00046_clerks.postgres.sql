-- +goose Up
-- Store clerks (issue 28): a clerk belongs to one merchant and sells at the
-- stores listed in portal_user_stores, and nothing else. The role check
-- admits every role the rooms know (the servicing desk's agent came with
-- 00045), so the two migrations apply in either order.
ALTER TABLE portal_users DROP CONSTRAINT IF EXISTS portal_users_role_check;
ALTER TABLE portal_users ADD CONSTRAINT portal_users_role_check CHECK (role IN ('merchant', 'admin', 'agent', 'clerk'));

CREATE TABLE portal_user_stores (
    user_id  TEXT NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE,
    store_id TEXT NOT NULL,
    PRIMARY KEY (user_id, store_id)
);

-- +goose Down
DROP TABLE portal_user_stores;
DELETE FROM portal_users WHERE role = 'clerk';
