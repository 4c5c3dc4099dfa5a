// Package sqlstore implements OpenFlex's storage ports on SQLite (the
// embedded default, modernc.org/sqlite) and PostgreSQL (pgx). One DB value
// is one plane: the control plane or the data plane of one environment.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/dberr"
	"github.com/openflex/openflex/internal/pii"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect is the SQL engine behind a DB.
type Dialect string

// The two engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is one plane's database. On SQLite all writes go through one writer
// connection (BEGIN IMMEDIATE) and reads through a separate pool, so writers
// never deadlock on lock upgrades and readers never wait for writers (WAL).
// On PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	w, r    *sql.DB
	// Now is the clock used for every timestamp the store writes.
	Now func() time.Time
	// Vault seals and indexes personal data (data planes only).
	Vault *pii.Vault

	// RetryFor bounds how long a PostgreSQL write is retried while the
	// database is unreachable or read-only (default 5 s).
	RetryFor time.Duration

	queue   chan *writeReq // group commit, when on
	stopped chan struct{}
	stmts   stmtCache // SQLite only
}

// SQLiteOptions tunes an embedded database.
type SQLiteOptions struct {
	// Synchronous is the SQLite synchronous pragma: "FULL" where a power loss
	// must not lose an acknowledged write, "NORMAL" otherwise.
	Synchronous string
	// Readers is the size of the read pool (default 4).
	Readers int
	// GroupCommit batches concurrent write transactions into one commit
	// (see group.go).
	GroupCommit bool
}

// OpenSQLite opens (creating if needed) the SQLite database at path.
func OpenSQLite(path string, opt SQLiteOptions) (*DB, error) {
	if opt.Synchronous == "" {
		opt.Synchronous = "FULL"
	}
	if opt.Readers <= 0 {
		opt.Readers = 4
	}
	dsn := func(extra ...string) string {
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "synchronous("+opt.Synchronous+")")
		// Savepoint sub-journals (every write under group commit has
		// one) in memory, not in a temp file written page by page: they
		// only roll a savepoint back, and play no part in durability,
		// which the WAL gives.
		q.Add("_pragma", "temp_store(MEMORY)")
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		return "file:" + path + "?" + q.Encode()
	}
	// SQLite creates the -wal and -shm files with the database file's mode:
	// making that file 0600 first (whatever the umask) keeps all of them
	// unreadable to other users of the machine, as the secret key is.
	if err := privateFiles(path, ""); err != nil {
		return nil, err
	}
	// Page caches: SQLite's default (2 MiB a connection) holds the inner
	// pages of a few thousand accounts' tables. At a million accounts
	// every B-tree descent then read its inner pages again from the file,
	// a system call each (half the CPU of a statement day was the
	// kernel's). The writer's cache holds every table's inner pages at that
	// size; each reader's a quarter of it. Pages are only cached as read,
	// so a small database costs what it holds.
	w, err := sql.Open("sqlite", dsn("_txlock", "immediate", "_pragma", "cache_size(-65536)"))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// The writer creates the file and switches it to WAL before readers open.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := privateFiles(path, "-wal", "-shm"); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn("_pragma", "query_only(1)", "_pragma", "cache_size(-16384)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(opt.Readers)
	r.SetMaxIdleConns(opt.Readers)
	db := &DB{Dialect: SQLite, w: w, r: r, Now: time.Now}
	if opt.GroupCommit {
		db.startGroupCommit()
	}
	return db, nil
}

// privateFiles creates path (when missing) and sets it and its siblings
// path+suffix that exist to mode 0600 explicitly, whatever the umask; an
// older install's 0644 files are tightened too.
func privateFiles(path string, suffixes ...string) error {
	for _, sfx := range suffixes {
		p := path + sfx
		if sfx == "" {
			f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
			if err != nil {
				return fmt.Errorf("create sqlite %s: %w", p, err)
			}
			f.Close()
		}
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restrict %s: %w", p, err)
		}
	}
	return nil
}

// PrivateDir creates dir (and its parents) and sets dir itself to 0700
// explicitly, whatever the umask or the mode it already had.
func PrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restrict data dir: %w", err)
	}
	return nil
}

// OpenPostgres opens a pool on databaseURL whose connections all use schema
// (created if missing), so one PostgreSQL database can hold every plane.
func OpenPostgres(ctx context.Context, databaseURL, schema string) (*DB, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if schema != "" {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connect postgres: %w", err)
		}
		_, err = conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
		conn.Close(ctx)
		if err != nil && !isUniqueViolation(err) { // concurrent creators race on the catalog
			return nil, fmt.Errorf("create schema %s: %w", schema, err)
		}
		cfg.RuntimeParams["search_path"] = schema
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	return &DB{Dialect: Postgres, w: db, r: db, Now: time.Now}, nil
}

// Close closes the pools (after the group writer drains its queue).
func (db *DB) Close() error {
	if db.queue != nil {
		close(db.queue)
		<-db.stopped
		db.queue = nil
	}
	db.stmts.close()
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return domainErr(err)
	}
	var one int
	return domainErr(db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

type txKey struct{ db *DB }

// querier is what a store method runs its statements on: the read pool or
// a write transaction (database/sql's on SQLite, pgTx's on PostgreSQL).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) row
}

// rows and row are what *sql.Rows and *sql.Row offer that the store uses,
// so pgTx can hand out pgx's.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

type row interface{ Scan(dest ...any) error }

// column reads a result of one text column, and closes it.
func column(rs rows) ([]string, error) {
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rs.Err()
}

// sqlQuerier is what *sql.DB, *sql.Tx and the SQLite statement caches share.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stdQ adapts a sqlQuerier to querier. It is generic, not an interface
// field, so wrapping costs no allocation beyond the wrapped value's own.
type stdQ[Q sqlQuerier] struct{ q Q }

func (s stdQ[Q]) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r, err := s.q.ExecContext(ctx, query, args...)
	return r, domainErr(err)
}

func (s stdQ[Q]) QueryContext(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, domainErr(err)
	}
	return stdRows{r}, nil
}

func (s stdQ[Q]) QueryRowContext(ctx context.Context, query string, args ...any) row {
	return stdRow{s.q.QueryRowContext(ctx, query, args...)}
}

// q returns the write transaction carried by ctx, or the read pool.
func (db *DB) q(ctx context.Context) querier {
	switch tx := ctx.Value(txKey{db}).(type) {
	case *pgTx:
		return tx
	case *sql.Tx:
		return stdQ[txQuerier]{txQuerier{db, tx}}
	case *rehearsal:
		return tx
	}
	if db.Dialect != SQLite {
		return stdQ[*sql.DB]{db.r}
	}
	return stdQ[readQuerier]{readQuerier{db}}
}

// execLater runs a statement whose caller needs nothing of it but the
// absence of an error (what names it in that error). In a PostgreSQL write
// transaction it is queued and sent with the transaction's next statement
// or its COMMIT (pgpipe.go), in a rehearsal recorded (rehearse.go);
// anywhere else it runs at once.
func (db *DB) execLater(ctx context.Context, what, query string, args ...any) error {
	switch tx := ctx.Value(txKey{db}).(type) {
	case *pgTx:
		tx.later(what, query, args)
		return nil
	case *rehearsal:
		tx.steps = append(tx.steps, step{what: what, query: query, args: args})
		return nil
	}
	if _, err := db.q(ctx).ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// queryLater is execLater for a read of one row: scan gets the row when the
// read is sent, which is with the transaction's next statement (so that
// statement must follow at once), or at once outside a PostgreSQL write
// transaction. A failure of the read other than a missing row fails that
// next statement too.
func (db *DB) queryLater(ctx context.Context, what, query string, args []any, scan func(row)) {
	if tx, ok := ctx.Value(txKey{db}).(*pgTx); ok {
		tx.queue = append(tx.queue, queued{what: what, query: query, args: args, scan: scan})
		return
	}
	scan(db.q(ctx).QueryRowContext(ctx, query, args...))
}

// InTx reports whether ctx carries a write transaction of db.
func (db *DB) InTx(ctx context.Context) bool {
	return ctx.Value(txKey{db}) != nil
}

// Write runs fn in a write transaction carried by the context fn receives;
// every store method called with that context joins it. If ctx already
// carries one, fn joins it, so a domain call made inside the idempotency
// runner commits together with the idempotency record.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.InTx(ctx) {
		return fn(ctx)
	}
	if db.queue != nil {
		return domainErr(db.groupWrite(ctx, fn))
	}
	if db.Dialect != Postgres {
		_, err := db.writeOnce(ctx, fn)
		return domainErr(err)
	}
	// A failover shows here as a lost connection, a server refusing
	// connections or (in the moment a standby is promoted) a read-only
	// transaction. Until COMMIT was sent nothing can have been written, so
	// the transaction is run again on a fresh connection for a few seconds;
	// past that the caller answers 503 and the client retries, with its
	// Idempotency-Key, here or on another node.
	deadline := time.Now().Add(db.retryFor())
	wait := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		committing, err := db.writeOnce(ctx, fn)
		if err == nil {
			return nil
		}
		if committing && !isRetryable(err) && dberr.Unavailable(err) {
			// The connection died during COMMIT: the write may or may not
			// have happened. Never guess: the Idempotency-Key tells.
			return &openflex.Error{Code: openflex.CodeUnavailable, Cause: err,
				Message: "the database connection was lost while committing: the outcome is unknown; retry with the same Idempotency-Key to learn it"}
		}
		if isRetryable(err) && attempt < 4 {
			continue
		}
		if !dberr.Unavailable(err) {
			return err
		}
		if ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return &openflex.Error{Code: openflex.CodeUnavailable, Cause: err, Message: errUnavailable}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

// retryFor is how long Write keeps retrying a write the database could not
// take (default 5 s: a Patroni failover takes about 6 s, so a good share of
// the writes caught in one succeed without the client noticing).
func (db *DB) retryFor() time.Duration {
	if db.RetryFor > 0 {
		return db.RetryFor
	}
	return 5 * time.Second
}

// writeOnce runs fn in one transaction; committing tells whether a failure
// came from COMMIT itself, after which the outcome is unknown.
func (db *DB) writeOnce(ctx context.Context, fn func(ctx context.Context) error) (committing bool, err error) {
	if db.Dialect == Postgres {
		return db.pgWriteOnce(ctx, fn)
	}
	db.prepareWaiting(ctx)
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(db.txContext(ctx, tx)); err != nil {
		tx.Rollback()
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return true, fmt.Errorf("commit: %w", err)
	}
	return false, nil
}

// txContext is the context a SQLite write function runs with: it carries
// the transaction and is never cancelled. For a cancellable context,
// modernc's driver starts a goroutine per statement to interrupt it, and
// under load those goroutines cost the single writer more than the
// statements. A write transaction's statements are short and it commits or
// rolls back whole, so nothing is lost by letting a running write finish;
// a request given up before its turn still never starts (BeginTx, and the
// group writer, check its context first).
func (db *DB) txContext(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), txKey{db}, tx)
}

func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// micros stores times as UTC microseconds since the epoch in both engines:
// exact, sortable, and free of driver time-zone conversions.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }
