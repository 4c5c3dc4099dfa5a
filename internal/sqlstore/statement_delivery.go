package sqlstore

import (
	"context"
	"fmt"

	"github.com/openflex/openflex/internal/servicing/engine"
)

// AddStatementDelivery records an account's statement delivery choice.
func (db *DB) AddStatementDelivery(ctx context.Context, d *engine.StatementDelivery) error {
	electronic := 0
	if d.Electronic {
		electronic = 1
	}
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO statement_delivery (id, account_number, electronic, wording, language, chosen_by, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, d.AccountNumber, electronic, d.Wording, d.Language, d.ChosenBy, micros(d.Created))
		if err != nil {
			return fmt.Errorf("insert statement delivery: %w", err)
		}
		return nil
	})
}

// StatementDeliveries lists an account's statement delivery choices,
// newest first.
func (db *DB) StatementDeliveries(ctx context.Context, number string) ([]*engine.StatementDelivery, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, account_number, electronic, wording, language, chosen_by, created
		FROM statement_delivery WHERE account_number = $1 ORDER BY created DESC, id DESC`, number)
	if err != nil {
		return nil, fmt.Errorf("list statement delivery: %w", err)
	}
	defer rows.Close()
	var out []*engine.StatementDelivery
	for rows.Next() {
		var d engine.StatementDelivery
		var electronic int
		var created int64
		if err := rows.Scan(&d.ID, &d.AccountNumber, &electronic, &d.Wording, &d.Language, &d.ChosenBy, &created); err != nil {
			return nil, fmt.Errorf("scan statement delivery: %w", err)
		}
		d.Electronic, d.Created = electronic == 1, fromMicros(created)
		out = append(out, &d)
	}
	return out, rows.Err()
}
