package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing/engine"
)

// The lender's account desk (internal/console): staff notes, an account's
// applications and its audit entries, each read through an index.

// AddAccountNote stores a staff note on an account.
func (db *DB) AddAccountNote(ctx context.Context, n *openflex.AccountNote) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "add account note", `INSERT INTO account_notes (id, account_number, author, body, created) VALUES ($1, $2, $3, $4, $5)`,
			n.ID, n.AccountNumber, n.Author, n.Body, micros(n.Created))
	})
}

// AccountNotes lists an account's staff notes, newest first.
func (db *DB) AccountNotes(ctx context.Context, number string) ([]*openflex.AccountNote, error) {
	return queryAll(ctx, db, `SELECT id, account_number, author, body, created FROM account_notes WHERE account_number = $1
		ORDER BY created DESC, id DESC LIMIT 200`, func(sc interface{ Scan(...any) error }) (*openflex.AccountNote, error) {
		var n openflex.AccountNote
		var created int64
		if err := sc.Scan(&n.ID, &n.AccountNumber, &n.Author, &n.Body, &created); err != nil {
			return nil, err
		}
		n.Created = fromMicros(created)
		return &n, nil
	}, number)
}

// AccountApplications lists the applications that opened or were joined
// to an account, newest first.
func (db *DB) AccountApplications(ctx context.Context, number string) ([]*openflex.Application, error) {
	return queryAll(ctx, db, `SELECT `+applicationCols+` FROM applications WHERE account_number = $1 AND account_number <> ''
		ORDER BY created DESC, id DESC LIMIT 50`, scanApplication, number)
}

// AuditOf lists the audit entries about one object (an account number),
// newest first.
func (c Control) AuditOf(ctx context.Context, objectID string, limit int) ([]openflex.AuditEntry, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT id, at, actor, action, merchant_id, object_id, detail, remote_addr
		FROM audit_log WHERE object_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, objectID, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []openflex.AuditEntry
	for rows.Next() {
		var e openflex.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.MerchantID, &e.ObjectID, &e.Detail, &e.RemoteAddr); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetCreditLimit sets an account's credit limit. The condition sits in
// the UPDATE, as AdjustBalances' does: a lower limit never leaves the
// account drawing more than it (posted balance, charges and holds), even
// if an authorization committed since the caller read the account.
func (db *DB) SetCreditLimit(ctx context.Context, number string, limit int64) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE accounts SET credit_limit = $2
			WHERE account_number = $1 AND ($2 >= credit_limit OR $2 >= posted_balance + charges + held)`, number, limit)
		if err != nil {
			return fmt.Errorf("set credit limit: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if _, err := db.Account(ctx, number); err != nil {
				return err
			}
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "credit_limit",
				Message: "the limit cannot go below what the account draws (balance, interest and fees, and holds)"}
		}
		return nil
	})
}

// Transaction returns one of an account's ledger transactions.
func (db *DB) Transaction(ctx context.Context, number, id string) (*openflex.Transaction, error) {
	t, err := scanTxn(db.q(ctx).QueryRowContext(ctx, `SELECT `+txnCols+` FROM transactions WHERE id = $1 AND account_number = $2`, id, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("transaction", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read transaction: %w", err)
	}
	return t, nil
}

const waiverCols = `id, account_number, charge_id, kind, charged, segment_id, amount, reason, staff, idem_key, transaction_id, posted_on, created`

func scanWaiver(sc interface{ Scan(...any) error }) (*engine.Waiver, error) {
	var w engine.Waiver
	var created int64
	if err := sc.Scan(&w.ID, &w.AccountNumber, &w.ChargeID, &w.Kind, &w.Charged, &w.Segment, &w.Amount, &w.Reason, &w.Staff, &w.Key,
		&w.TransactionID, &w.PostedOn, &created); err != nil {
		return nil, err
	}
	w.Created = fromMicros(created)
	return &w, nil
}

// CreateWaiver stores a waiver.
func (db *DB) CreateWaiver(ctx context.Context, w *engine.Waiver) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert waiver", `INSERT INTO account_waivers (`+waiverCols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, w.ID, w.AccountNumber, w.ChargeID, w.Kind, w.Charged, w.Segment,
			w.Amount, w.Reason, w.Staff, w.Key, w.TransactionID, w.PostedOn, micros(w.Created))
	})
}

// WaiverByKey returns the account's waiver recorded with key, nil when
// there is none.
func (db *DB) WaiverByKey(ctx context.Context, number, key string) (*engine.Waiver, error) {
	w, err := scanWaiver(db.q(ctx).QueryRowContext(ctx, `SELECT `+waiverCols+` FROM account_waivers WHERE account_number = $1 AND idem_key = $2`, number, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read waiver: %w", err)
	}
	return w, nil
}

// Waivers lists an account's waivers, oldest first.
func (db *DB) Waivers(ctx context.Context, number string) ([]*engine.Waiver, error) {
	return queryAll(ctx, db, `SELECT `+waiverCols+` FROM account_waivers WHERE account_number = $1 ORDER BY transaction_id`, scanWaiver, number)
}
