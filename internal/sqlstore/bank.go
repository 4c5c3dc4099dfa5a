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

type bankJSON struct {
	Institution string `json:"institution"`
	Transit     string `json:"transit"`
	Account     string `json:"account"`
	HolderName  string `json:"holder_name"`
}

// SetBankAccount stores where merchantID is paid, sealed (bound to the
// merchant id) with only the masked form in clear.
func (c Control) SetBankAccount(ctx context.Context, merchantID string, b openflex.BankAccount, at time.Time) error {
	plain, _ := json.Marshal(bankJSON(b))
	sealed := c.Vault.Seal(plain, []byte("bank account "+merchantID))
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO merchant_bank_accounts (merchant_id, sealed, masked, updated) VALUES ($1, $2, $3, $4)
			ON CONFLICT (merchant_id) DO UPDATE SET sealed = excluded.sealed, masked = excluded.masked, updated = excluded.updated`,
			merchantID, sealed, b.Masked(), micros(at))
		if err != nil {
			return fmt.Errorf("set bank account: %w", err)
		}
		return nil
	})
}

// BankAccount opens merchantID's bank account (resource_missing when none).
func (c Control) BankAccount(ctx context.Context, merchantID string) (openflex.BankAccount, error) {
	var sealed []byte
	err := c.q(ctx).QueryRowContext(ctx, `SELECT sealed FROM merchant_bank_accounts WHERE merchant_id = $1`, merchantID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return openflex.BankAccount{}, openflex.NotFound("bank account", merchantID)
	}
	if err != nil {
		return openflex.BankAccount{}, fmt.Errorf("read bank account: %w", err)
	}
	plain, err := c.Vault.Open(sealed, []byte("bank account "+merchantID))
	if err != nil {
		return openflex.BankAccount{}, fmt.Errorf("open bank account: %w", err)
	}
	var b bankJSON
	if err := json.Unmarshal(plain, &b); err != nil {
		return openflex.BankAccount{}, err
	}
	return openflex.BankAccount(b), nil
}

// BankAccountMasked is merchantID's bank account as screens show it ("" when none).
func (c Control) BankAccountMasked(ctx context.Context, merchantID string) (string, error) {
	var m string
	err := c.q(ctx).QueryRowContext(ctx, `SELECT masked FROM merchant_bank_accounts WHERE merchant_id = $1`, merchantID).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return m, err
}
