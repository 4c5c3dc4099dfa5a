-- +goose Up
-- Failed portal log-ins per (user, source address): wrong passwords lock an
-- account only for the address they came from (issue 23), so nobody can
-- lock someone else out by guessing from elsewhere. portal_users'
-- failed_logins and locked_until are no longer used.
CREATE TABLE portal_login_failures (
    user_id      TEXT NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until BIGINT NOT NULL,
    last_failed  BIGINT NOT NULL,
    PRIMARY KEY (user_id, address)
);
CREATE INDEX portal_login_failures_last ON portal_login_failures (last_failed);

-- +goose Down
DROP TABLE portal_login_failures;
