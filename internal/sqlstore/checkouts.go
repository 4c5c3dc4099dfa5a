package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

const checkoutCols = `id, merchant_id, key_set_id, store_id, amount, currency, reference, items, customer, flow, auto_capture,
	success_url, cancel_url, language, status, token_hash, account_number, application_id, verification_id, verified,
	plan_id, term_months, authorization_id, expires_at, created, completed_at`

// CreateCheckout stores c, sealing the shopper's prefill data.
func (db *DB) CreateCheckout(ctx context.Context, c *openflex.Checkout) error {
	its := make([]itemJSON, 0, len(c.Items))
	for _, it := range c.Items {
		its = append(its, itemJSON(it))
	}
	items, _ := json.Marshal(its)
	cust, _ := json.Marshal(c.Customer)
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO checkouts (`+checkoutCols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
			c.ID, c.MerchantID, c.KeySetID, c.StoreID, c.Amount, string(c.Currency), c.Reference, string(items),
			db.Vault.Seal(cust, []byte(c.ID)), c.Flow, boolInt(c.AutoCapture), c.SuccessURL, c.CancelURL, c.Language,
			string(c.Status), c.TokenHash, c.AccountNumber, c.ApplicationID, c.VerificationID, boolInt(c.Verified),
			c.PlanID, c.TermMonths, c.AuthorizationID, micros(c.ExpiresAt), micros(c.Created), micros(c.CompletedAt))
		if err != nil {
			return fmt.Errorf("insert checkout: %w", err)
		}
		return nil
	})
}

func (db *DB) scanCheckout(sc interface{ Scan(...any) error }) (*openflex.Checkout, error) {
	var c openflex.Checkout
	var cur, items, status string
	var cust []byte
	var auto, verified int
	var exp, created, completed int64
	err := sc.Scan(&c.ID, &c.MerchantID, &c.KeySetID, &c.StoreID, &c.Amount, &cur, &c.Reference, &items, &cust, &c.Flow, &auto,
		&c.SuccessURL, &c.CancelURL, &c.Language, &status, &c.TokenHash, &c.AccountNumber, &c.ApplicationID, &c.VerificationID,
		&verified, &c.PlanID, &c.TermMonths, &c.AuthorizationID, &exp, &created, &completed)
	if err != nil {
		return nil, err
	}
	c.Currency, c.Status, c.AutoCapture, c.Verified = openflex.Currency(cur), openflex.CheckoutStatus(status), auto == 1, verified == 1
	c.ExpiresAt, c.Created, c.CompletedAt = fromMicros(exp), fromMicros(created), fromMicros(completed)
	var its []itemJSON
	if err := json.Unmarshal([]byte(items), &its); err != nil {
		return nil, err
	}
	for _, it := range its {
		c.Items = append(c.Items, openflex.LineItem(it))
	}
	if len(cust) > 0 {
		plain, err := db.Vault.Open(cust, []byte(c.ID))
		if err != nil {
			return nil, fmt.Errorf("open checkout customer: %w", err)
		}
		if err := json.Unmarshal(plain, &c.Customer); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// checkoutWhere reads one checkout; missing answers notFound, which names
// the id asked for (never a URL token, which is a secret).
func (db *DB) checkoutWhere(ctx context.Context, notFound *openflex.Error, cond string, args ...any) (*openflex.Checkout, error) {
	lock := ""
	if db.InTx(ctx) {
		lock = db.forUpdate()
	}
	c, err := db.scanCheckout(db.q(ctx).QueryRowContext(ctx, `SELECT `+checkoutCols+` FROM checkouts WHERE `+cond+lock, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("read checkout: %w", err)
	}
	return c, nil
}

// Checkout returns merchantID's checkout id (locked inside a write transaction).
func (db *DB) Checkout(ctx context.Context, merchantID, id string) (*openflex.Checkout, error) {
	return db.checkoutWhere(ctx, openflex.NotFound("checkout", id), `id = $1 AND merchant_id = $2`, id, merchantID)
}

// CheckoutByToken returns the checkout whose URL token hashes to hash.
func (db *DB) CheckoutByToken(ctx context.Context, hash []byte) (*openflex.Checkout, error) {
	return db.checkoutWhere(ctx, openflex.Errorf(openflex.CodeResourceMissing, "no such checkout"), `token_hash = $1`, hash)
}

// UpdateCheckout saves a checkout's progress and status.
func (db *DB) UpdateCheckout(ctx context.Context, c *openflex.Checkout) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE checkouts SET status = $2, account_number = $3, application_id = $4,
			verification_id = $5, verified = $6, plan_id = $7, term_months = $8, authorization_id = $9, completed_at = $10 WHERE id = $1`,
			c.ID, string(c.Status), c.AccountNumber, c.ApplicationID, c.VerificationID, boolInt(c.Verified), c.PlanID, c.TermMonths,
			c.AuthorizationID, micros(c.CompletedAt))
		return err
	})
}

// OpenCheckoutsExpiring returns open checkouts past their expiry.
func (db *DB) OpenCheckoutsExpiring(ctx context.Context, t time.Time, limit int) ([]*openflex.Checkout, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+checkoutCols+` FROM checkouts WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`, micros(t), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*openflex.Checkout
	for rows.Next() {
		c, err := db.scanCheckout(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
