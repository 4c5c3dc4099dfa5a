package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pad"
)

const oneTimeCols = `id, reference, account_number, idempotency_key, amount, debit_on, plan_id, agreement_id, bank_sealed, language, body,
	status, authorized_at, authorized_by, file_number, payment_id, note, updated`

func (db *DB) scanOneTime(sc interface{ Scan(...any) error }) (*pad.OneTime, error) {
	var o pad.OneTime
	var sealed []byte
	var authorized, updated int64
	if err := sc.Scan(&o.ID, &o.Reference, &o.AccountNumber, &o.Key, &o.Amount, &o.DebitOn, &o.PlanID, &o.AgreementID, &sealed, &o.Language,
		&o.Text, &o.Status, &authorized, &o.AuthorizedBy, &o.FileNumber, &o.PaymentID, &o.Note, &updated); err != nil {
		return nil, err
	}
	plain, err := db.Vault.Open(sealed, []byte("pad one-time "+o.ID))
	if err != nil {
		return nil, fmt.Errorf("open one-time payment bank account: %w", err)
	}
	var b bankJSON
	if err := json.Unmarshal(plain, &b); err != nil {
		return nil, err
	}
	o.Bank = openflex.BankAccount(b)
	o.AuthorizedAt, o.Updated = fromMicros(authorized), fromMicros(updated)
	return &o, nil
}

// CreateOneTime stores a one-time payment, its bank account sealed,
// unless the account has one with the same idempotency key: then it
// returns that one.
func (db *DB) CreateOneTime(ctx context.Context, o *pad.OneTime) (*pad.OneTime, error) {
	plain, _ := json.Marshal(bankJSON(o.Bank))
	out := o
	err := db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO pad_one_time (`+oneTimeCols+`, bank_masked)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
			ON CONFLICT (account_number, idempotency_key) DO NOTHING`,
			o.ID, o.Reference, o.AccountNumber, o.Key, o.Amount, o.DebitOn, o.PlanID, o.AgreementID, db.Vault.Seal(plain, []byte("pad one-time "+o.ID)),
			o.Language, o.Text, o.Status, micros(o.AuthorizedAt), o.AuthorizedBy, o.FileNumber, o.PaymentID, o.Note, micros(o.Updated), o.Bank.Masked())
		if err != nil {
			return fmt.Errorf("insert one-time payment: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		prev, err := db.OneTimeByKey(ctx, o.AccountNumber, o.Key)
		if err == nil && prev == nil {
			err = fmt.Errorf("one-time payment with key %q vanished", o.Key)
		}
		out = prev
		return err
	})
	return out, err
}

func (db *DB) oneTime(ctx context.Context, where string, args ...any) (*pad.OneTime, error) {
	o, err := db.scanOneTime(db.q(ctx).QueryRowContext(ctx, `SELECT `+oneTimeCols+` FROM pad_one_time WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("one-time payment", fmt.Sprint(args[len(args)-1]))
	}
	if err != nil {
		return nil, fmt.Errorf("read one-time payment: %w", err)
	}
	return o, nil
}

// OneTimeByKey returns an account's one-time payment with an idempotency
// key, or nil.
func (db *DB) OneTimeByKey(ctx context.Context, number, key string) (*pad.OneTime, error) {
	o, err := db.oneTime(ctx, `account_number = $1 AND idempotency_key = $2`, number, key)
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		return nil, nil
	}
	return o, err
}

// OneTimePayment returns one-time payment id (resource_missing when none).
func (db *DB) OneTimePayment(ctx context.Context, id string) (*pad.OneTime, error) {
	return db.oneTime(ctx, `id = $1`, id)
}

// OneTimeByReference returns the one-time payment with a CPA-005 cross
// reference.
func (db *DB) OneTimeByReference(ctx context.Context, ref string) (*pad.OneTime, error) {
	return db.oneTime(ctx, `reference = $1`, ref)
}

func (db *DB) oneTimes(ctx context.Context, query string, args ...any) ([]*pad.OneTime, error) {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list one-time payments: %w", err)
	}
	defer rows.Close()
	var out []*pad.OneTime
	for rows.Next() {
		o, err := db.scanOneTime(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ScheduledOneTime lists scheduled one-time payments due on or before day,
// oldest first.
func (db *DB) ScheduledOneTime(ctx context.Context, day string) ([]*pad.OneTime, error) {
	return db.oneTimes(ctx, `SELECT `+oneTimeCols+` FROM pad_one_time WHERE status = 'scheduled' AND debit_on <= $1 ORDER BY debit_on, id`, day)
}

// OneTimePayments lists an account's one-time payments, newest first.
func (db *DB) OneTimePayments(ctx context.Context, number string) ([]*pad.OneTime, error) {
	return db.oneTimes(ctx, `SELECT `+oneTimeCols+` FROM pad_one_time WHERE account_number = $1 ORDER BY authorized_at DESC, id DESC`, number)
}

// UpdateOneTime saves a one-time payment's status, file, payment and note.
func (db *DB) UpdateOneTime(ctx context.Context, o *pad.OneTime) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE pad_one_time SET status = $2, file_number = $3, payment_id = $4, note = $5, updated = $6
			WHERE id = $1`, o.ID, o.Status, o.FileNumber, o.PaymentID, o.Note, micros(o.Updated))
		if err != nil {
			return fmt.Errorf("update one-time payment: %w", err)
		}
		return nil
	})
}

// MoveOneTime saves a one-time payment's new status, file and note only
// if its status is still from, and reports whether it was: a customer's
// cancellation and the debit file's claim race on PostgreSQL's read
// committed, and only one of them may win.
func (db *DB) MoveOneTime(ctx context.Context, o *pad.OneTime, from string) (bool, error) {
	var moved bool
	err := db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE pad_one_time SET status = $3, file_number = $4, note = $5, updated = $6
			WHERE id = $1 AND status = $2`, o.ID, from, o.Status, o.FileNumber, o.Note, micros(o.Updated))
		if err != nil {
			return fmt.Errorf("move one-time payment: %w", err)
		}
		n, err := res.RowsAffected()
		moved = n == 1
		return err
	})
	return moved, err
}
