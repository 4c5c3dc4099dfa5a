package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pad"
)

var _ pad.Store = (*DB)(nil)

const agreementCols = `id, account_number, choice, fixed_amount, bank_sealed, language, body, status, agreed_at, agreed_by,
	confirmed_at, first_debit_on, cancelled_at, cancelled_by, cancel_reason`

func (db *DB) scanAgreement(sc interface{ Scan(...any) error }) (*pad.Agreement, error) {
	var a pad.Agreement
	var sealed []byte
	var agreed, confirmed, cancelled int64
	if err := sc.Scan(&a.ID, &a.AccountNumber, &a.Choice, &a.FixedAmount, &sealed, &a.Language, &a.Text, &a.Status, &agreed, &a.AgreedBy,
		&confirmed, &a.FirstDebitOn, &cancelled, &a.CancelledBy, &a.CancelReason); err != nil {
		return nil, err
	}
	plain, err := db.Vault.Open(sealed, []byte("pad "+a.ID))
	if err != nil {
		return nil, fmt.Errorf("open pad bank account: %w", err)
	}
	var b bankJSON
	if err := json.Unmarshal(plain, &b); err != nil {
		return nil, err
	}
	a.Bank = openflex.BankAccount(b)
	a.AgreedAt, a.ConfirmedAt, a.CancelledAt = fromMicros(agreed), fromMicros(confirmed), fromMicros(cancelled)
	return &a, nil
}

// CreateAgreement stores a PAD agreement, its bank account sealed.
func (db *DB) CreateAgreement(ctx context.Context, a *pad.Agreement) error {
	plain, _ := json.Marshal(bankJSON(a.Bank))
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO pad_agreements (`+agreementCols+`, bank_masked)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			a.ID, a.AccountNumber, string(a.Choice), a.FixedAmount, db.Vault.Seal(plain, []byte("pad "+a.ID)), a.Language, a.Text, a.Status,
			micros(a.AgreedAt), a.AgreedBy, micros(a.ConfirmedAt), a.FirstDebitOn, micros(a.CancelledAt), a.CancelledBy, a.CancelReason, a.Bank.Masked())
		if err != nil {
			return fmt.Errorf("insert pad agreement: %w", err)
		}
		return nil
	})
}

// ActiveAgreement returns an account's active PAD agreement, or nil.
func (db *DB) ActiveAgreement(ctx context.Context, number string) (*pad.Agreement, error) {
	a, err := db.scanAgreement(db.q(ctx).QueryRowContext(ctx, `SELECT `+agreementCols+` FROM pad_agreements
		WHERE account_number = $1 AND status = 'active'`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pad agreement: %w", err)
	}
	return a, nil
}

// Agreement returns PAD agreement id (resource_missing when none).
func (db *DB) Agreement(ctx context.Context, id string) (*pad.Agreement, error) {
	a, err := db.scanAgreement(db.q(ctx).QueryRowContext(ctx, `SELECT `+agreementCols+` FROM pad_agreements WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("pad agreement", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read pad agreement: %w", err)
	}
	return a, nil
}

// UpdateAgreement saves an agreement's status and cancellation.
func (db *DB) UpdateAgreement(ctx context.Context, a *pad.Agreement) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE pad_agreements SET status = $2, cancelled_at = $3, cancelled_by = $4, cancel_reason = $5 WHERE id = $1`,
			a.ID, a.Status, micros(a.CancelledAt), a.CancelledBy, a.CancelReason)
		if err != nil {
			return fmt.Errorf("update pad agreement: %w", err)
		}
		return nil
	})
}

func (db *DB) agreements(ctx context.Context, query string, args ...any) ([]*pad.Agreement, error) {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list pad agreements: %w", err)
	}
	defer rows.Close()
	var out []*pad.Agreement
	for rows.Next() {
		a, err := db.scanAgreement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Agreements lists an account's PAD agreements, newest first.
func (db *DB) Agreements(ctx context.Context, number string) ([]*pad.Agreement, error) {
	return db.agreements(ctx, `SELECT `+agreementCols+` FROM pad_agreements WHERE account_number = $1 ORDER BY agreed_at DESC, id DESC`, number)
}

// ActiveAgreements pages through active agreements by id.
func (db *DB) ActiveAgreements(ctx context.Context, after string, limit int) ([]*pad.Agreement, error) {
	return db.agreements(ctx, `SELECT `+agreementCols+` FROM pad_agreements WHERE status = 'active' AND id > $1 ORDER BY id LIMIT $2`, after, limit)
}

const debitCols = `id, reference, agreement_id, account_number, statement_id, due_on, amount, status, notice_sent_at, file_number,
	payment_id, note, created, updated`

func scanDebit(sc interface{ Scan(...any) error }) (*pad.Debit, error) {
	var d pad.Debit
	var notice, created, updated int64
	if err := sc.Scan(&d.ID, &d.Reference, &d.AgreementID, &d.AccountNumber, &d.StatementID, &d.DueOn, &d.Amount, &d.Status, &notice,
		&d.FileNumber, &d.PaymentID, &d.Note, &created, &updated); err != nil {
		return nil, err
	}
	d.NoticeSentAt, d.Created, d.Updated = fromMicros(notice), fromMicros(created), fromMicros(updated)
	return &d, nil
}

// CreateDebit stores d unless its agreement already has a debit for the
// statement; it reports whether d was stored.
func (db *DB) CreateDebit(ctx context.Context, d *pad.Debit) (bool, error) {
	var stored bool
	err := db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO pad_debits (`+debitCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (agreement_id, statement_id) DO NOTHING`,
			d.ID, d.Reference, d.AgreementID, d.AccountNumber, d.StatementID, d.DueOn, d.Amount, d.Status, micros(d.NoticeSentAt),
			d.FileNumber, d.PaymentID, d.Note, micros(d.Created), micros(d.Updated))
		if err != nil {
			return fmt.Errorf("insert pad debit: %w", err)
		}
		n, err := res.RowsAffected()
		stored = n == 1
		return err
	})
	return stored, err
}

func (db *DB) debit(ctx context.Context, where string, arg any) (*pad.Debit, error) {
	d, err := scanDebit(db.q(ctx).QueryRowContext(ctx, `SELECT `+debitCols+` FROM pad_debits WHERE `+where+` = $1`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("debit", fmt.Sprint(arg))
	}
	if err != nil {
		return nil, fmt.Errorf("read pad debit: %w", err)
	}
	return d, nil
}

// Debit returns debit id (resource_missing when none).
func (db *DB) Debit(ctx context.Context, id string) (*pad.Debit, error) {
	return db.debit(ctx, "id", id)
}

// DebitByReference returns the debit with a CPA-005 cross reference.
func (db *DB) DebitByReference(ctx context.Context, ref string) (*pad.Debit, error) {
	return db.debit(ctx, "reference", ref)
}

func (db *DB) debits(ctx context.Context, query string, args ...any) ([]*pad.Debit, error) {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list pad debits: %w", err)
	}
	defer rows.Close()
	var out []*pad.Debit
	for rows.Next() {
		d, err := scanDebit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ScheduledDebits lists scheduled debits due on or before day, oldest
// first.
func (db *DB) ScheduledDebits(ctx context.Context, day string) ([]*pad.Debit, error) {
	return db.debits(ctx, `SELECT `+debitCols+` FROM pad_debits WHERE status = 'scheduled' AND due_on <= $1 ORDER BY due_on, id`, day)
}

// Debits lists an account's debits, newest first.
func (db *DB) Debits(ctx context.Context, number string) ([]*pad.Debit, error) {
	return db.debits(ctx, `SELECT `+debitCols+` FROM pad_debits WHERE account_number = $1 ORDER BY created DESC, id DESC`, number)
}

// UpdateDebit saves a debit's amount, status, file, payment and note.
func (db *DB) UpdateDebit(ctx context.Context, d *pad.Debit) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE pad_debits SET amount = $2, status = $3, file_number = $4, payment_id = $5, note = $6, updated = $7
			WHERE id = $1`, d.ID, d.Amount, d.Status, d.FileNumber, d.PaymentID, d.Note, micros(d.Updated))
		if err != nil {
			return fmt.Errorf("update pad debit: %w", err)
		}
		return nil
	})
}

// NextFileNumber records a new debit file and returns its creation
// number: the files' sequence modulo 9999, from 1. Taken inside the
// caller's write transaction, two runs never share a number.
func (db *DB) NextFileNumber(ctx context.Context, day string, at time.Time) (int, error) {
	var n int
	err := db.Write(ctx, func(ctx context.Context) error {
		var last int64
		if err := db.q(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM pad_files`).Scan(&last); err != nil {
			return fmt.Errorf("read pad files: %w", err)
		}
		seq := last + 1
		n = int((seq-1)%9999) + 1
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO pad_files (seq, file_number, day, created) VALUES ($1, $2, $3, $4)`, seq, n, day, micros(at))
		if err != nil {
			return fmt.Errorf("insert pad file: %w", err)
		}
		return nil
	})
	return n, err
}
