package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

const consentCols = `id, account_number, merchant_id, source, checkout_id, verification_id, application_id, created,
	revoked_at, revoked_by, revoke_reason`

func scanConsent(sc interface{ Scan(...any) error }) (*openflex.AccountConsent, error) {
	var c openflex.AccountConsent
	var created, revoked int64
	err := sc.Scan(&c.ID, &c.AccountNumber, &c.MerchantID, &c.Source, &c.CheckoutID, &c.VerificationID, &c.ApplicationID,
		&created, &revoked, &c.RevokedBy, &c.RevokeReason)
	if err != nil {
		return nil, err
	}
	c.Created, c.RevokedAt = fromMicros(created), fromMicros(revoked)
	return &c, nil
}

// ActiveConsent returns merchantID's active consent on an account, or nil
// when it holds none. It is one lookup on the consents_active index: it
// sits on the authorization's hot path.
func (db *DB) ActiveConsent(ctx context.Context, merchantID, accountNumber string) (*openflex.AccountConsent, error) {
	c, err := scanConsent(db.q(ctx).QueryRowContext(ctx, `SELECT `+consentCols+` FROM consents
		WHERE account_number = $1 AND merchant_id = $2 AND revoked_at = 0`, accountNumber, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read consent: %w", err)
	}
	return c, nil
}

// GrantConsent stores c unless its merchant already holds an active
// consent on the account; it reports whether c was stored.
func (db *DB) GrantConsent(ctx context.Context, c *openflex.AccountConsent) (bool, error) {
	var stored bool
	err := db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO consents (`+consentCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '', '')
			ON CONFLICT (account_number, merchant_id) WHERE revoked_at = 0 DO NOTHING`,
			c.ID, c.AccountNumber, c.MerchantID, c.Source, c.CheckoutID, c.VerificationID, c.ApplicationID, micros(c.Created))
		if err != nil {
			return fmt.Errorf("insert consent: %w", err)
		}
		n, err := res.RowsAffected()
		stored = n == 1
		return err
	})
	return stored, err
}

// RevokeConsent ends merchantID's active consent on an account and returns
// it (resource_missing when there is none).
func (db *DB) RevokeConsent(ctx context.Context, merchantID, accountNumber string, at time.Time, by, reason string) (*openflex.AccountConsent, error) {
	var c *openflex.AccountConsent
	err := db.Write(ctx, func(ctx context.Context) error {
		var err error
		c, err = scanConsent(db.q(ctx).QueryRowContext(ctx, `UPDATE consents SET revoked_at = $3, revoked_by = $4, revoke_reason = $5
			WHERE account_number = $1 AND merchant_id = $2 AND revoked_at = 0 RETURNING `+consentCols,
			accountNumber, merchantID, micros(at), by, reason))
		if errors.Is(err, sql.ErrNoRows) {
			return openflex.Errorf(openflex.CodeResourceMissing, "no active consent of merchant %s on account %s", merchantID, accountNumber)
		}
		if err != nil {
			return fmt.Errorf("revoke consent: %w", err)
		}
		return nil
	})
	return c, err
}

// Consents lists every consent ever given on an account (active and
// revoked, every merchant), oldest first: the lender staff's view.
func (db *DB) Consents(ctx context.Context, accountNumber string) ([]*openflex.AccountConsent, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+consentCols+` FROM consents WHERE account_number = $1 ORDER BY id`, accountNumber)
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	defer rows.Close()
	var out []*openflex.AccountConsent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
