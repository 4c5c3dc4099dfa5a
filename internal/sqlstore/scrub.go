package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// Scrub deletes a data plane's customers created before cutoff together
// with everything that hangs off them (applications, inquiries, accounts,
// verifications, consents, authorizations, captures, returns, transactions and their
// ledger entries, servicing records, statements and payments), so what
// remains still balances; test clocks no account lives on; and events, messages
// and idempotency records older than cutoff. A zero cutoff scrubs all.
// It is for TRAINING: the caller must never hand it the PRODUCTION plane.
func (db *DB) Scrub(ctx context.Context, cutoff time.Time) (int64, error) {
	if cutoff.IsZero() {
		cutoff = time.Unix(1<<40, 0) // after everything
	}
	c := micros(cutoff)
	doomed := `SELECT id FROM customers WHERE created < $1`
	accts := `SELECT account_number FROM accounts WHERE customer_id IN (` + doomed + `)`
	// A merchant whose lines are scrubbed loses its settlements and their
	// payouts, and its remaining lines are settled again: what is left still
	// satisfies payable = unsettled lines + unpaid settlements.
	doomedTxns := `SELECT id FROM transactions WHERE account_number IN (` + accts + `)`
	affected := `SELECT merchant_id FROM settlement_lines WHERE id IN (` + doomedTxns + `)`
	payouts := `SELECT payout_id FROM settlements WHERE payout_id <> '' AND merchant_id IN (` + affected + `)`
	steps := []string{
		`DELETE FROM ledger_entries WHERE transaction_id IN (` + payouts + `)`,
		`DELETE FROM transactions WHERE id IN (` + payouts + `)`,
		`UPDATE settlement_lines SET settlement_id = '' WHERE merchant_id IN (` + affected + `)`,
		`DELETE FROM settlements WHERE merchant_id IN (` + affected + `)`,
		`DELETE FROM settlement_lines WHERE id IN (` + doomedTxns + `)`,
		`DELETE FROM ledger_entries WHERE transaction_id IN (SELECT id FROM transactions WHERE account_number IN (` + accts + `))`,
		`DELETE FROM transactions WHERE account_number IN (` + accts + `)`,
		`DELETE FROM returns WHERE account_number IN (` + accts + `)`,
		`DELETE FROM captures WHERE account_number IN (` + accts + `)`,
		`DELETE FROM authorizations WHERE account_number IN (` + accts + `)`,
		`DELETE FROM verifications WHERE account_number IN (` + accts + `)`,
		`DELETE FROM account_messages WHERE account_number IN (` + accts + `)`,
		`DELETE FROM account_message_outbox WHERE account_number IN (` + accts + `)`,
		`DELETE FROM customer_sessions WHERE account_number IN (` + accts + `)`,
		`DELETE FROM pad_one_time WHERE account_number IN (` + accts + `)`,
		`DELETE FROM statement_delivery WHERE account_number IN (` + accts + `)`,
		`DELETE FROM pad_debits WHERE account_number IN (` + accts + `)`,
		`DELETE FROM pad_agreements WHERE account_number IN (` + accts + `)`,
		`DELETE FROM consents WHERE account_number IN (` + accts + `)`,
		`DELETE FROM payment_allocations WHERE payment_id IN (SELECT id FROM payments WHERE account_number IN (` + accts + `))`,
		`DELETE FROM payments WHERE account_number IN (` + accts + `)`,
		`DELETE FROM statement_lines WHERE statement_id IN (SELECT id FROM statements WHERE account_number IN (` + accts + `))`,
		`DELETE FROM statements WHERE account_number IN (` + accts + `)`,
		`DELETE FROM servicing_days WHERE account_number IN (` + accts + `)`,
		`DELETE FROM account_status_changes WHERE account_number IN (` + accts + `)`,
		`DELETE FROM account_waivers WHERE account_number IN (` + accts + `)`,
		`DELETE FROM account_notes WHERE account_number IN (` + accts + `)`,
		`DELETE FROM account_servicing WHERE account_number IN (` + accts + `)`,
		`DELETE FROM bureau_inquiries WHERE customer_id IN (` + doomed + `)`,
		`DELETE FROM applications WHERE customer_id IN (` + doomed + `)`,
		`DELETE FROM accounts WHERE customer_id IN (` + doomed + `)`,
		`DELETE FROM customers WHERE created < $1`,
		`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id IN (SELECT id FROM events WHERE created < $1))`,
		`DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM events WHERE created < $1)`,
		`DELETE FROM events WHERE created < $1`,
		`DELETE FROM checkouts WHERE created < $1`,
		`DELETE FROM test_clocks WHERE created < $1 AND id NOT IN (SELECT test_clock_id FROM account_servicing)`,
		`DELETE FROM sent_messages WHERE created < $1`,
		`DELETE FROM idempotency_keys WHERE created < $1`,
	}
	var total int64
	err := db.Write(ctx, func(ctx context.Context) error {
		for _, q := range steps {
			res, err := db.q(ctx).ExecContext(ctx, q, c)
			if err != nil {
				return fmt.Errorf("scrub: %w", err)
			}
			n, _ := res.RowsAffected()
			total += n
		}
		return nil
	})
	return total, err
}

// PurgeEvents deletes events created before t (the 30-day retention).
func (db *DB) PurgeEvents(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := db.Write(ctx, func(ctx context.Context) error {
		c := micros(t)
		for _, q := range []string{
			`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id IN (SELECT id FROM events WHERE created < $1))`,
			`DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM events WHERE created < $1)`,
		} {
			if _, err := db.q(ctx).ExecContext(ctx, q, c); err != nil {
				return err
			}
		}
		res, err := db.q(ctx).ExecContext(ctx, `DELETE FROM events WHERE created < $1`, c)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}
