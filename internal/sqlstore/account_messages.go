package sqlstore

import (
	"context"
	"fmt"

	"github.com/openflex/openflex/internal/customer"
)

// RecordAccountMessage keeps a message sent to a customer; a message with
// the same id (a delivery tried again) is updated: its channel,
// recipient, status and error are the last attempt's.
func (db *DB) RecordAccountMessage(ctx context.Context, m *customer.Message) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO account_messages (id, account_number, kind, channel, recipient, subject, body, status, error, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, recipient = excluded.recipient, status = excluded.status, error = excluded.error`,
			m.ID, m.AccountNumber, m.Kind, m.Channel, m.Recipient, m.Subject, m.Body, m.Status, m.Error, micros(m.Created))
		if err != nil {
			return fmt.Errorf("insert account message: %w", err)
		}
		return nil
	})
}

// AccountMessages lists an account's messages, newest first.
func (db *DB) AccountMessages(ctx context.Context, number string, limit int) ([]*customer.Message, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, kind, channel, recipient, subject, body, status, error, created
		FROM account_messages WHERE account_number = $1 ORDER BY created DESC, id DESC LIMIT $2`, number, limit)
	if err != nil {
		return nil, fmt.Errorf("list account messages: %w", err)
	}
	defer rows.Close()
	var out []*customer.Message
	for rows.Next() {
		m := &customer.Message{AccountNumber: number}
		var created int64
		if err := rows.Scan(&m.ID, &m.Kind, &m.Channel, &m.Recipient, &m.Subject, &m.Body, &m.Status, &m.Error, &created); err != nil {
			return nil, err
		}
		m.Created = fromMicros(created)
		out = append(out, m)
	}
	return out, rows.Err()
}
