package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

// RecentVerifications lists the verifications of an account created at or
// after since, oldest first, with what the limits count: who asked, when,
// and how many wrong codes each took. The limits bound how many there are.
func (db *DB) RecentVerifications(ctx context.Context, accountNumber string, since time.Time) ([]openflex.Verification, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, merchant_id, budget_key, attempts, created FROM verifications
		WHERE account_number = $1 AND created >= $2 ORDER BY created, id`, accountNumber, micros(since))
	if err != nil {
		return nil, fmt.Errorf("recent verifications: %w", err)
	}
	defer rows.Close()
	var out []openflex.Verification
	for rows.Next() {
		v := openflex.Verification{AccountNumber: accountNumber}
		var created int64
		if err := rows.Scan(&v.ID, &v.MerchantID, &v.BudgetKey, &v.Attempts, &created); err != nil {
			return nil, err
		}
		v.Created = fromMicros(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// BudgetVerifications returns when each verification counted against
// budgetKey at or after since was created, oldest first.
func (db *DB) BudgetVerifications(ctx context.Context, budgetKey string, since time.Time) ([]time.Time, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT created FROM verifications WHERE budget_key = $1 AND created >= $2 ORDER BY created`,
		budgetKey, micros(since))
	if err != nil {
		return nil, fmt.Errorf("budget verifications: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var created int64
		if err := rows.Scan(&created); err != nil {
			return nil, err
		}
		out = append(out, fromMicros(created))
	}
	return out, rows.Err()
}

// LockVerificationBudget serialises, until the transaction ends, the
// verifications counted against budgetKey, so concurrent requests on
// different accounts cannot together overshoot it. On PostgreSQL it is a
// transaction-scoped advisory lock (there is no key set row in the data
// plane to lock); SQLite's single writer already serialises every write.
// Callers take it before any account row, always in that order.
func (db *DB) LockVerificationBudget(ctx context.Context, budgetKey string) error {
	if db.Dialect != Postgres || !db.InTx(ctx) {
		return nil
	}
	_, err := db.q(ctx).ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('openflex verification budget ' || $1::text, 0))`, budgetKey)
	if err != nil {
		return fmt.Errorf("lock verification budget: %w", err)
	}
	return nil
}
