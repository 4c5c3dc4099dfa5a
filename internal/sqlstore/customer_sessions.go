package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
)

var _ customer.SessionStore = (*DB)(nil)

const customerSessionCols = `hash, account_number, state, verification_id, csrf_secret, language, created, last_seen, expires_at`

// CreateCustomerSession stores a customer's session.
func (db *DB) CreateCustomerSession(ctx context.Context, s *customer.Session) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO customer_sessions (`+customerSessionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			s.Hash, s.AccountNumber, s.State, s.VerificationID, s.CSRFSecret, s.Language, micros(s.Created), micros(s.LastSeen), micros(s.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert customer session: %w", err)
		}
		return nil
	})
}

// CustomerSession returns the session stored under hash.
func (db *DB) CustomerSession(ctx context.Context, hash []byte) (*customer.Session, error) {
	var s customer.Session
	var created, seen, expires int64
	err := db.q(ctx).QueryRowContext(ctx, `SELECT `+customerSessionCols+` FROM customer_sessions WHERE hash = $1`, hash).
		Scan(&s.Hash, &s.AccountNumber, &s.State, &s.VerificationID, &s.CSRFSecret, &s.Language, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("session", "")
	}
	if err != nil {
		return nil, fmt.Errorf("read customer session: %w", err)
	}
	s.Created, s.LastSeen, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return &s, nil
}

// UpdateCustomerSession saves a session's state, language and times.
func (db *DB) UpdateCustomerSession(ctx context.Context, s *customer.Session) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE customer_sessions SET state = $2, language = $3, last_seen = $4, expires_at = $5 WHERE hash = $1`,
			s.Hash, s.State, s.Language, micros(s.LastSeen), micros(s.ExpiresAt))
		if err != nil {
			return fmt.Errorf("update customer session: %w", err)
		}
		return nil
	})
}

// DeleteCustomerSession ends a session.
func (db *DB) DeleteCustomerSession(ctx context.Context, hash []byte) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `DELETE FROM customer_sessions WHERE hash = $1`, hash)
		return err
	})
}

// AccountTransactions lists an account's latest money movements, newest
// first: purchases, returns, payments and their reversals, interest, fees.
func (db *DB) AccountTransactions(ctx context.Context, number string, limit int) ([]*openflex.Transaction, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+txnCols+` FROM transactions WHERE account_number = $1 ORDER BY created DESC, id DESC LIMIT $2`, number, limit)
	if err != nil {
		return nil, fmt.Errorf("account transactions: %w", err)
	}
	defer rows.Close()
	var out []*openflex.Transaction
	for rows.Next() {
		t, err := scanTxn(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
