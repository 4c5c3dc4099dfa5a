-- PostgreSQL only (its TOAST compression); SQLite stores values as they are.
-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
