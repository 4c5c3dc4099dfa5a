package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements (SQLite). database/sql hands every ExecContext and
// QueryContext to modernc's driver as text, which parses and plans it anew
// each time: profiled under load, SQLite's parser was a quarter of the CPU
// of an authorization. The statements here are prepared once per
// connection and reused. (PostgreSQL needs none of this: pgx caches a
// prepared statement per connection and query by itself.)
//
// The writer is a single connection that a write transaction holds from
// BEGIN to COMMIT, so a statement cannot be prepared on it from inside a
// transaction: a statement first seen inside one runs as text and is
// queued, and the next write prepares the queue before it begins.

// maxPrepared bounds each cache: queries built from varying filters beyond
// it simply run as text.
const maxPrepared = 512

type stmtCache struct {
	mu      sync.Mutex
	w, r    map[string]*sql.Stmt
	pending map[string]bool // seen in a write transaction, not yet prepared
}

// prepareWaiting prepares the statements queued by write transactions.
// It runs before a write transaction begins, when the writer is free.
func (db *DB) prepareWaiting(ctx context.Context) {
	c := &db.stmts
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	c.pending = nil
	c.mu.Unlock()
	for _, q := range queries {
		st, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			continue // it keeps running as text
		}
		c.mu.Lock()
		if c.w == nil {
			c.w = map[string]*sql.Stmt{}
		}
		if _, dup := c.w[q]; dup || len(c.w) >= maxPrepared {
			st.Close()
		} else {
			c.w[q] = st
		}
		c.mu.Unlock()
	}
}

// writeStmt returns the writer's prepared statement for query, or nil
// (and queues it) when it has none yet.
func (db *DB) writeStmt(query string) *sql.Stmt {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.w[query]; ok {
		return st
	}
	if len(c.w)+len(c.pending) < maxPrepared {
		if c.pending == nil {
			c.pending = map[string]bool{}
		}
		c.pending[query] = true
	}
	return nil
}

// readStmt returns the read pool's prepared statement for query, preparing
// it on first use (database/sql then prepares it once per connection).
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	c := &db.stmts
	c.mu.Lock()
	st, ok := c.r[query]
	full := len(c.r) >= maxPrepared
	c.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := db.r.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, dup := c.r[query]; dup {
		st.Close()
		return prev
	}
	if c.r == nil {
		c.r = map[string]*sql.Stmt{}
	}
	c.r[query] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range []map[string]*sql.Stmt{c.w, c.r} {
		for _, st := range m {
			st.Close()
		}
	}
	c.w, c.r, c.pending = nil, nil, nil
}

// txQuerier runs a write transaction's statements through the writer's
// prepared statements (with the uncancelled context of txContext).
type txQuerier struct {
	db *DB
	tx *sql.Tx
}

func (q txQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.db.writeStmt(query); st != nil {
		return q.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.db.writeStmt(query); st != nil {
		return q.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.db.writeStmt(query); st != nil {
		return q.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}

// readQuerier runs reads outside a transaction through the read pool's
// prepared statements.
type readQuerier struct{ db *DB }

func (q readQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.db.readStmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.db.r.ExecContext(ctx, query, args...)
}

func (q readQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.db.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.db.r.QueryContext(ctx, query, args...)
}

func (q readQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.db.r.QueryRowContext(ctx, query, args...)
}
