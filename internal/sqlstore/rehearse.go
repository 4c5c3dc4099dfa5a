package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A rehearsal runs a write function outside any transaction and records
// the statements it would run, to be run later inside one
// (Rehearse, Rehearsed). The servicing job uses it on SQLite to work an
// account's day out (decoding its state, the rules, rendering its
// statement and events) on another core while the one writer runs the
// statements of the accounts worked out before it: the writer's time per
// account is then little more than its statements.
//
// A rehearsal reads nothing: a read inside one fails with
// ErrNotRehearsable, and the caller does the work inside the transaction
// instead. Its statements report one row affected; run for real, a
// statement whose caller looked at its rows affected must affect one row
// again, or the running fails (ErrRehearsalStale) and the caller's
// transaction with it.

// ErrNotRehearsable is returned by a read made during a rehearsal.
var ErrNotRehearsable = errors.New("sqlstore: a rehearsal cannot read")

// ErrRehearsalStale is returned when a rehearsed statement does not do,
// run for real, what it did in the rehearsal: the data it was worked out
// from changed.
var ErrRehearsalStale = errors.New("sqlstore: the rehearsed writes no longer apply")

type rehearsal struct{ steps []step }

// step is one recorded statement; checked when its caller read its rows
// affected (ExecContext rather than execLater).
type step struct {
	what, query string
	args        []any
	checked     bool
}

func (r *rehearsal) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	r.steps = append(r.steps, step{what: "rehearsed statement", query: query, args: args, checked: true})
	return rehearsedResult{}, nil
}

func (r *rehearsal) QueryContext(context.Context, string, ...any) (rows, error) {
	return nil, ErrNotRehearsable
}

func (r *rehearsal) QueryRowContext(context.Context, string, ...any) row {
	return errRow{ErrNotRehearsable}
}

type rehearsedResult struct{}

func (rehearsedResult) LastInsertId() (int64, error) {
	return 0, fmt.Errorf("sqlstore: no insert id in a rehearsal")
}
func (rehearsedResult) RowsAffected() (int64, error) { return 1, nil }

// Rehearse runs fn as if in a write transaction, recording its statements
// instead of running them, and returns what runs them in the caller's
// write transaction. Nothing is written until then.
func (db *DB) Rehearse(ctx context.Context, fn func(ctx context.Context) error) (func(ctx context.Context) error, error) {
	if db.InTx(ctx) {
		return nil, fmt.Errorf("sqlstore: a rehearsal inside a write transaction")
	}
	r := &rehearsal{}
	if err := fn(context.WithValue(ctx, txKey{db}, r)); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		if !db.InTx(ctx) {
			return fmt.Errorf("sqlstore: rehearsed writes run outside a write transaction")
		}
		for _, s := range r.steps {
			if !s.checked {
				if err := db.execLater(ctx, s.what, s.query, s.args...); err != nil {
					return err
				}
				continue
			}
			res, err := db.q(ctx).ExecContext(ctx, s.query, s.args...)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return ErrRehearsalStale
			}
		}
		return nil
	}, nil
}
