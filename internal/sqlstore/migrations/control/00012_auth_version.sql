-- +goose Up
-- The authentication version: every change that can make a node's cached
-- authentication answer wrong (a key set created or revoked, a secret
-- added or its expiry brought forward, Trust lists changed) adds one to it
-- in the same transaction. Each node reads this one row a few times a
-- second and drops its cache when it moved (internal/keys/cache.go).
CREATE TABLE auth_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO auth_version (id, version) VALUES (1, 0);

-- +goose Down
DROP TABLE auth_version;
