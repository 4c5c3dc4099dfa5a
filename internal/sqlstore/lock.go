package sqlstore

import (
	"context"
	"fmt"
)

// TryLock takes the named lock if no other process holds it, so that of
// several nodes sharing a PostgreSQL database one runs a scheduled job at a
// time. It is a session advisory lock on a connection of its own, held
// until unlock: if the node dies, or the connection does in a failover,
// PostgreSQL drops the lock and another node takes the next turn (the jobs
// are idempotent, so a turn cut short and run again does no harm). The
// name is qualified by the schema, so deployments sharing a database do not
// exclude each other. On SQLite, whose file belongs to one process, the
// lock is always granted.
func (db *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if db.Dialect != Postgres {
		return func() {}, true, nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	const key = `hashtextextended(current_schema() || ':' || $1, 0)`
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, name).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("lock %s: %w", name, err)
		}
		return nil, false, nil
	}
	return func() {
		// If this fails the connection is gone, and the lock with it.
		conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`, name)
		conn.Close()
	}, true, nil
}
