package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Group commit (SQLite): with synchronous=FULL every COMMIT waits for an
// fsync, so one writer tops out at a few hundred commits a second however
// fast the CPU. Under group commit a single writer goroutine takes every
// write waiting in its queue, runs them one after another inside ONE
// transaction, each under its own SAVEPOINT, and commits once: one fsync for
// the batch. A write that fails is rolled back to its savepoint and leaves
// no trace; the others are unaffected. No caller is answered before the
// batch's COMMIT returns, so an acknowledged write is durable exactly as
// before, and because the writes run serially they see each other's
// effects as they would one by one (serialisable, like the single writer).
// If the COMMIT itself fails, every write of the batch fails.

type writeReq struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan error
}

// maxBatch bounds a batch so a long queue cannot delay its first writer
// indefinitely.
const maxBatch = 128

func (db *DB) startGroupCommit() {
	db.queue = make(chan *writeReq, 1024)
	db.stopped = make(chan struct{})
	go db.groupWriter()
}

func (db *DB) groupWriter() {
	defer close(db.stopped)
	for first := range db.queue {
		batch := []*writeReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-db.queue:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.runBatch(batch)
	}
}

func (db *DB) runBatch(batch []*writeReq) {
	results := make([]error, len(batch))
	db.prepareWaiting(context.Background())
	tx, err := db.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err // the caller gave up before its turn
			continue
		}
		results[i] = db.runOne(tx, r)
	}
	if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = fmt.Errorf("commit: %w", err)
			}
		}
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprint("panic in write: ", p.value) }

// runOne runs one write under its own savepoint.
func (db *DB) runOne(tx *sql.Tx, r *writeReq) (err error) {
	q, bg := txQuerier{db, tx}, context.Background() // prepared once, like every statement
	if _, err := q.ExecContext(bg, "SAVEPOINT w"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = panicked{p}
		}
		if err != nil {
			if _, rerr := q.ExecContext(bg, "ROLLBACK TO w"); rerr != nil {
				err = fmt.Errorf("%w (and rollback to savepoint: %v)", err, rerr)
			}
		}
		if _, rerr := q.ExecContext(bg, "RELEASE w"); rerr != nil && err == nil {
			err = fmt.Errorf("release savepoint: %w", rerr)
		}
	}()
	return r.fn(db.txContext(r.ctx, tx))
}

// groupWrite queues fn for the group writer and waits for its batch.
func (db *DB) groupWrite(ctx context.Context, fn func(ctx context.Context) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.queue <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	err := <-r.done
	if p, ok := err.(panicked); ok {
		panic(p.value) // re-raised in the caller, where recovery belongs
	}
	return err
}

// SingleWriter reports whether db runs one write transaction at a time
// (SQLite): the servicing job then serves its accounts from one
// goroutine.
func (db *DB) SingleWriter() bool { return db.Dialect != Postgres }

// WritersWaiting reports whether writes are queued for the group writer:
// the servicing job ends its transaction early to let them in.
func (db *DB) WritersWaiting() bool { return len(db.queue) > 0 }
