package sqlstore

import (
	"context"
	"fmt"

	"github.com/openflex/openflex"
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
