package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/openflex/openflex/internal/servicing/engine"
)

var _ engine.MessageOutbox = (*DB)(nil)

// QueueMessage stores a queued customer message unless its fact
// (account, kind, reference) already has one. In a PostgreSQL write
// transaction it rides with the next statement (execLater): the
// statement run pays no round trip for it.
func (db *DB) QueueMessage(ctx context.Context, m *engine.QueuedMessage) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "queue account message", `INSERT INTO account_message_outbox (id, account_number, kind, reference, subject, body, status, attempts, lease_until, error, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, '', $8)
			ON CONFLICT (account_number, kind, reference) DO NOTHING`,
			m.ID, m.AccountNumber, m.Kind, m.Reference, m.Subject, m.Body, m.Status, micros(m.Created))
	})
}

const outboxCols = `id, account_number, kind, reference, subject, body, status, attempts, error, created`

// DueMessages lists the messages of number (all accounts when "") still to
// deliver at now, oldest first.
func (db *DB) DueMessages(ctx context.Context, number string, now time.Time, limit int) ([]*engine.QueuedMessage, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+outboxCols+` FROM account_message_outbox
		WHERE status <> 'done' AND attempts < $1 AND lease_until < $2 AND ($3 = '' OR account_number = $3)
		ORDER BY created, id LIMIT $4`, engine.MaxMessageAttempts, micros(now), number, limit)
	if err != nil {
		return nil, fmt.Errorf("list queued account messages: %w", err)
	}
	defer rows.Close()
	var out []*engine.QueuedMessage
	for rows.Next() {
		m := &engine.QueuedMessage{}
		var created int64
		if err := rows.Scan(&m.ID, &m.AccountNumber, &m.Kind, &m.Reference, &m.Subject, &m.Body, &m.Status, &m.Attempts, &m.Error, &created); err != nil {
			return nil, err
		}
		m.Created = fromMicros(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// ClaimMessage holds message id until until, counting an attempt, if it is
// undelivered and free at now.
func (db *DB) ClaimMessage(ctx context.Context, id string, now, until time.Time) (bool, error) {
	var claimed bool
	err := db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE account_message_outbox SET lease_until = $3, attempts = attempts + 1
			WHERE id = $1 AND status <> 'done' AND lease_until < $2`, id, micros(now), micros(until))
		if err != nil {
			return fmt.Errorf("claim account message: %w", err)
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	return claimed, err
}

// FinishMessage records a delivery attempt's outcome.
func (db *DB) FinishMessage(ctx context.Context, id, status, errText string, retry time.Time) error {
	return db.Write(ctx, func(ctx context.Context) error {
		if _, err := db.q(ctx).ExecContext(ctx, `UPDATE account_message_outbox SET status = $2, error = $3, lease_until = $4 WHERE id = $1`,
			id, status, errText, micros(retry)); err != nil {
			return fmt.Errorf("finish account message: %w", err)
		}
		return nil
	})
}
