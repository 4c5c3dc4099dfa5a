package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL write transactions, pipelined. Through database/sql every
// statement is one network round trip, BEGIN and COMMIT included, and on
// PostgreSQL an authorization's transaction is mostly statements whose
// result nobody reads: inserts of the authorization, the transaction, its
// entries, the outbox event. So a write transaction runs on pgx's own
// connection (borrowed from the database/sql pool, which keeps its limits),
// and a statement the store sends with execLater is queued, not sent: the
// queue goes out in one batch with the next statement whose result is
// needed, or with COMMIT. BEGIN is queued too. The server runs a batch's
// statements in order, one after the other, exactly as if sent one by one,
// so a read sees every earlier write; the first error aborts the
// transaction (the server skips the rest of the batch, COMMIT included) and
// is returned by the store call that sent the batch, named after the queued
// statement that failed.
//
// A read of one row can be queued too (queryLater), when the caller needs
// its result only with the next one's: the account and the consent of an
// authorization. An authorization is then 4 round trips instead of 11:
// [BEGIN, claim the key], [the account FOR UPDATE, the consent], [INSERT
// the authorization, UPDATE the balances], [INSERT the transaction, its
// entries, the event, complete the key, COMMIT].

// pgTx is one PostgreSQL write transaction on a pgx connection.
type pgTx struct {
	conn  *pgx.Conn
	begun bool // BEGIN has been sent
	queue []queued
	open  pgx.BatchResults // a batch whose last result the caller is still reading
	// err is the failure of a batch before its last statement: every later
	// statement fails with it, as on a server whose transaction aborted
	// (which it may not have: BEGIN itself may be what failed, and nothing
	// may then run outside the transaction).
	err error
}

type queued struct {
	what, query string
	args        []any
	scan        func(row) // a queued read (queryLater)
}

func (t *pgTx) later(what, query string, args []any) {
	t.queue = append(t.queue, queued{what: what, query: query, args: args})
}

// send sends BEGIN (first time), the queue and query in one round trip,
// reads the queued statements' results, and returns the batch positioned
// at query's.
func (t *pgTx) send(ctx context.Context, query string, args []any) (br pgx.BatchResults, err error) {
	if t.err != nil {
		return nil, t.err
	}
	defer func() { t.err = err }()
	t.settle()
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(t.queue)+2)}
	begin := !t.begun
	if begin {
		b.Queue("BEGIN")
	}
	for _, q := range t.queue {
		b.Queue(q.query, q.args...)
	}
	b.Queue(query, args...)
	queue := t.queue
	t.queue = nil
	br = t.conn.SendBatch(ctx, b)
	if begin {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, fmt.Errorf("begin: %w", err)
		}
		t.begun = true
	}
	for _, q := range queue {
		if q.scan != nil {
			r := &scannedRow{row: br.QueryRow()}
			q.scan(r)
			if r.err != nil && !errors.Is(r.err, pgx.ErrNoRows) {
				br.Close()
				return nil, fmt.Errorf("%s: %w", q.what, r.err)
			}
			continue
		}
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, fmt.Errorf("%s: %w", q.what, err)
		}
	}
	t.open = br
	return br, nil
}

// settle finishes a batch whose rows were left unread, so the connection
// is free for the next one.
func (t *pgTx) settle() {
	if t.open != nil {
		t.open.Close()
		t.open = nil
	}
}

func (t *pgTx) done(br pgx.BatchResults, err error) error {
	cerr := br.Close()
	if t.open == br {
		t.open = nil
	}
	if err != nil {
		return err
	}
	return cerr
}

func (t *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	br, err := t.send(ctx, query, args)
	if err != nil {
		return nil, err
	}
	tag, err := br.Exec()
	if err := t.done(br, err); err != nil {
		return nil, err
	}
	return pgResult(tag.RowsAffected()), nil
}

func (t *pgTx) QueryContext(ctx context.Context, query string, args ...any) (rows, error) {
	br, err := t.send(ctx, query, args)
	if err != nil {
		return nil, err
	}
	r, err := br.Query()
	if err != nil {
		r.Close()
		return nil, t.done(br, err)
	}
	return &pgRows{Rows: r, tx: t, br: br}, nil
}

func (t *pgTx) QueryRowContext(ctx context.Context, query string, args ...any) row {
	br, err := t.send(ctx, query, args)
	if err != nil {
		return errRow{err}
	}
	return &pgRow{tx: t, br: br}
}

type pgResult int64

func (r pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("LastInsertId is not supported by PostgreSQL")
}
func (r pgResult) RowsAffected() (int64, error) { return int64(r), nil }

type pgRows struct {
	pgx.Rows
	tx *pgTx
	br pgx.BatchResults
}

func (r *pgRows) Close() error {
	r.Rows.Close()
	return r.tx.done(r.br, r.Rows.Err())
}

type pgRow struct {
	tx *pgTx
	br pgx.BatchResults
}

func (r *pgRow) Scan(dest ...any) error {
	return r.tx.done(r.br, r.br.QueryRow().Scan(dest...))
}

// scannedRow keeps a queued read's error: a missing row is the reader's
// answer, any other error the batch's failure.
type scannedRow struct {
	row
	err error
}

func (r *scannedRow) Scan(dest ...any) error {
	r.err = r.row.Scan(dest...)
	return r.err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// commit sends what is queued and COMMIT in one round trip. committing
// tells whether the outcome is unknown: COMMIT went out and no answer
// says whether it was applied.
func (t *pgTx) commit(ctx context.Context) (committing bool, err error) {
	if t.err != nil {
		return false, t.err // fn went on after a failure: nothing commits
	}
	if !t.begun && len(t.queue) == 0 {
		return false, nil // nothing was ever sent
	}
	br, err := t.send(ctx, "COMMIT", nil)
	if err != nil {
		// An error answered by the server for a queued statement means it
		// skipped the rest of the batch: COMMIT never ran. Anything else
		// (the connection failing) leaves COMMIT's fate unknown, unless
		// nothing at all was sent.
		var pe *pgconn.PgError
		return !errors.As(err, &pe) && !pgconn.SafeToRetry(err), err
	}
	tag, err := br.Exec()
	if err := t.done(br, err); err != nil {
		return true, fmt.Errorf("commit: %w", err)
	}
	if tag.String() != "COMMIT" {
		// PostgreSQL answers ROLLBACK to the COMMIT of a failed
		// transaction; every failure is returned before this, so this is
		// a bug, and certainly not a commit.
		return false, fmt.Errorf("commit: the transaction was rolled back (%s)", tag)
	}
	return false, nil
}

// rollback ends the transaction if the server has one open; a connection
// it cannot bring back to idle is closed, so the pool discards it.
func (t *pgTx) rollback() {
	t.settle()
	t.queue = nil
	pc := t.conn.PgConn()
	if pc.IsClosed() || pc.TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := t.conn.Exec(ctx, "ROLLBACK"); err != nil || pc.TxStatus() != 'I' {
		t.conn.Close(ctx)
	}
}

// pgWriteOnce is writeOnce on PostgreSQL: fn runs in a pgTx on a connection
// of the pool (database/sql's, so its limits hold for every statement).
func (db *DB) pgWriteOnce(ctx context.Context, fn func(ctx context.Context) error) (committing bool, err error) {
	c, err := db.w.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		t := &pgTx{conn: dc.(*stdlib.Conn).Conn()}
		defer func() {
			if p := recover(); p != nil {
				t.rollback()
				panic(p)
			}
		}()
		if err := fn(context.WithValue(ctx, txKey{db}, t)); err != nil {
			t.rollback()
			return err
		}
		committing, err = t.commit(ctx)
		if err != nil {
			t.rollback()
		}
		return err
	})
	return committing, err
}
