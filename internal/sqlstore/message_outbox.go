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
		return db.execLater(ctx, "queue account message", `INSERT INTO account_message_outbox (id, account_number, kind, reference, subject, body, status, attempts, lease_until, error, created, bulk)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, '', $8, $9)
			ON CONFLICT (account_number, kind, reference) DO NOTHING`,
			m.ID, m.AccountNumber, m.Kind, m.Reference, m.Subject, m.Body, m.Status, micros(m.Created), boolInt(m.Bulk))
	})
}

const outboxCols = `id, account_number, kind, reference, subject, body, status, attempts, error, created`

// DueMessages lists the messages of number (all accounts when "") still to
// deliver at now: every other message before bulk ones, each oldest
// first (the due index's order).
func (db *DB) DueMessages(ctx context.Context, number string, now time.Time, limit int) ([]*engine.QueuedMessage, error) {
	// Two statements, not one with "$3 = '' OR account_number = $3": a
	// plan made for both could use neither the due index (every account)
	// nor the fact index (one account).
	q, args := `SELECT `+outboxCols+` FROM account_message_outbox
		WHERE status <> 'done' AND attempts < $1 AND lease_until < $2 ORDER BY bulk, created, id LIMIT $3`,
		[]any{engine.MaxMessageAttempts, micros(now), limit}
	if number != "" {
		q, args = `SELECT `+outboxCols+` FROM account_message_outbox
			WHERE account_number = $1 AND status <> 'done' AND attempts < $2 AND lease_until < $3 ORDER BY bulk, created, id LIMIT $4`,
			[]any{number, engine.MaxMessageAttempts, micros(now), limit}
	}
	rows, err := db.q(ctx).QueryContext(ctx, q, args...)
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

// ClaimMessages holds, in one transaction, those of ids still undelivered
// and free at now until until, counting an attempt on each, and returns
// the ids it held.
func (db *DB) ClaimMessages(ctx context.Context, ids []string, now, until time.Time) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, args := inList([]any{micros(until), micros(now)}, ids)
	q := `UPDATE account_message_outbox SET lease_until = $1, attempts = attempts + 1
		WHERE status <> 'done' AND lease_until < $2 AND id IN (` + list + `) RETURNING id`
	var held []string
	err := db.Write(ctx, func(ctx context.Context) error {
		rows, err := db.q(ctx).QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("claim account messages: %w", err)
		}
		held, err = column(rows) // a retried transaction starts again
		return err
	})
	return held, err
}

// FinishMessages records delivery attempts' outcomes, in one transaction.
func (db *DB) FinishMessages(ctx context.Context, outcomes []engine.MessageOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return db.Write(ctx, func(ctx context.Context) error {
		for _, o := range outcomes {
			if err := db.execLater(ctx, "finish account message", `UPDATE account_message_outbox SET status = $2, error = $3, lease_until = $4 WHERE id = $1`,
				o.ID, o.Status, o.Error, micros(o.Retry)); err != nil {
				return err
			}
		}
		return nil
	})
}
