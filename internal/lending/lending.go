// Package lending moves money: authorizations hold credit on an account,
// captures post it, releases and expiry free it, returns give it back, and
// customer payments pay it down. Every movement writes one transaction with
// balanced ledger entries, the balance change, and its outbox event in one
// database transaction.
//
// Each account has three ledgers: acct:N:available, acct:N:held and
// acct:N:posted. A movement debits one and credits another, so the entries
// always balance, held and posted balances are the held and posted ledgers,
// and available credit is the limit plus the available ledger.
//
// Captures and returns also move the merchant's side in the same
// transaction: merch:M:payable (what the lender owes merchant M),
// lender:funding (what the lender advanced for purchases) and
// lender:fee_income (merchant fees), and insert one settlement line. They
// only insert rows: no per-merchant or per-store balance row is updated
// on the purchase path, so one busy merchant does not serialise its
// purchases on a lock. The payable is the sum of its entries.
package lending

import (
	"context"
	"time"

	"github.com/openflex/openflex"
)

// Store is the data-plane storage lending needs. Methods called with a
// context carrying a write transaction join it; reads of accounts,
// authorizations and captures inside one lock the row.
type Store interface {
	Reader
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	Account(ctx context.Context, number string) (*openflex.Account, error)
	// AccountWithConsent is Account with merchantID's active consent on the
	// account (nil when none), read once the account is locked; with
	// merchantID "", Account alone.
	AccountWithConsent(ctx context.Context, number, merchantID string) (*openflex.Account, *openflex.AccountConsent, error)
	AdjustBalances(ctx context.Context, number string, dHeld, dPosted int64) error
	CreateAuthorization(ctx context.Context, a *openflex.Authorization) error
	Authorization(ctx context.Context, merchantID, id string) (*openflex.Authorization, error)
	UpdateAuthorization(ctx context.Context, a *openflex.Authorization) error
	CreateCapture(ctx context.Context, c *openflex.Capture) error
	Capture(ctx context.Context, merchantID, id string) (*openflex.Capture, error)
	CapturesOf(ctx context.Context, authorizationID string) ([]*openflex.Capture, error)
	AddCaptureReturned(ctx context.Context, id string, amount int64) error
	CreateReturn(ctx context.Context, r *openflex.Return) error
	PostTransaction(ctx context.Context, t *openflex.Transaction, entries []openflex.Entry) error
	AddSettlementLine(ctx context.Context, l *openflex.SettlementLine) error
	AppendEvent(ctx context.Context, e *openflex.Event) error
	OpenAuthorizationsExpiring(ctx context.Context, t time.Time, limit int) ([]*openflex.Authorization, error)
	ConsentStore
}

// ConsentStore keeps customers' consents (see openflex.AccountConsent).
type ConsentStore interface {
	// ActiveConsent returns nil when the merchant holds no active consent.
	ActiveConsent(ctx context.Context, merchantID, accountNumber string) (*openflex.AccountConsent, error)
	// GrantConsent stores c unless the merchant already holds an active
	// consent on the account, and reports whether it stored c.
	GrantConsent(ctx context.Context, c *openflex.AccountConsent) (bool, error)
	RevokeConsent(ctx context.Context, merchantID, accountNumber string, at time.Time, by, reason string) (*openflex.AccountConsent, error)
	Consents(ctx context.Context, accountNumber string) ([]*openflex.AccountConsent, error)
}

// Verifier consumes a customer's passed verification for one purchase.
type Verifier interface {
	ConsumeVerification(ctx context.Context, merchantID, id, accountNumber string) error
}

// Servicing keeps accounts' segments (package servicing/engine): it is told
// of every captured purchase and every return inside the movement's
// transaction, before lending stores it, and answers the time on the
// account's clock (a TRAINING test clock, else the wall clock), which
// dates the movement.
type Servicing interface {
	AccountTime(ctx context.Context, accountNumber string) (time.Time, error)
	Captured(ctx context.Context, a *openflex.Authorization, c *openflex.Capture) (time.Time, error)
	Returned(ctx context.Context, a *openflex.Authorization, r *openflex.Return) (time.Time, error)
}

// DefaultHoldTTL is how long an uncaptured authorization holds credit.
const DefaultHoldTTL = 30 * 24 * time.Hour

// Service moves money in one environment's data plane.
type Service struct {
	Store    Store
	Verifier Verifier
	// Render turns an event's object (*openflex.Authorization with its
	// captures as AuthorizationView, *openflex.Return) into its API JSON.
	Render func(v any) ([]byte, error)
	// HoldTTL is the authorization lifetime (default 30 days).
	HoldTTL time.Duration
	// Servicing, when set, lands captures and returns in the account's
	// segments and dates movements by the account's clock.
	Servicing Servicing
	Now       func() time.Time
}

// AuthorizationView is an authorization with its captures, as events and
// responses show it.
type AuthorizationView struct {
	*openflex.Authorization
	Captures []*openflex.Capture
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// accountTime is the time on number's clock: what its movements are dated.
func (s *Service) accountTime(ctx context.Context, number string) (time.Time, error) {
	if s.Servicing == nil {
		return s.now(), nil
	}
	t, err := s.Servicing.AccountTime(ctx, number)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// timeOf is acct's time as its read gave it: its test clock's, else now.
func (s *Service) timeOf(acct *openflex.Account) time.Time {
	if acct.ClockTime.IsZero() {
		return s.now()
	}
	return acct.ClockTime.UTC().Truncate(time.Microsecond)
}

func ledger(number, which string) string { return "acct:" + number + ":" + which }

// move returns the two entries of a movement of amount from one of an
// account's ledgers to another.
func move(txnID, number, debit, credit string, amount int64) []openflex.Entry {
	return []openflex.Entry{
		{TransactionID: txnID, Ledger: ledger(number, debit), Debit: amount},
		{TransactionID: txnID, Ledger: ledger(number, credit), Credit: amount},
	}
}

// Ledgers of the merchant side.
const (
	LedgerFunding   = "lender:funding"
	LedgerFeeIncome = "lender:fee_income"
	LedgerPayouts   = "lender:payouts"
)

// PayableLedger is merchant merchantID's payable: credits are what the
// lender owes it.
func PayableLedger(merchantID string) string { return "merch:" + merchantID + ":payable" }

// merchantEntries are a capture's or return's entries on the merchant
// side: a capture credits the payable with the amount and moves the fee to
// fee income; a return debits the payable and gives the fee refund back.
func merchantEntries(txnID, merchantID string, typ openflex.TransactionType, amount, fee int64) []openflex.Entry {
	pay := PayableLedger(merchantID)
	var out []openflex.Entry
	if typ == openflex.TxnCapture {
		out = append(out, openflex.Entry{TransactionID: txnID, Ledger: LedgerFunding, Debit: amount},
			openflex.Entry{TransactionID: txnID, Ledger: pay, Credit: amount})
		if fee > 0 {
			out = append(out, openflex.Entry{TransactionID: txnID, Ledger: pay, Debit: fee},
				openflex.Entry{TransactionID: txnID, Ledger: LedgerFeeIncome, Credit: fee})
		}
		return out
	}
	out = append(out, openflex.Entry{TransactionID: txnID, Ledger: pay, Debit: amount},
		openflex.Entry{TransactionID: txnID, Ledger: LedgerFunding, Credit: amount})
	if fee > 0 {
		out = append(out, openflex.Entry{TransactionID: txnID, Ledger: LedgerFeeIncome, Debit: fee},
			openflex.Entry{TransactionID: txnID, Ledger: pay, Credit: fee})
	}
	return out
}

// post writes the transaction, dated at, its entries and the balance
// change.
func (s *Service) post(ctx context.Context, t *openflex.Transaction, at time.Time, dHeld, dPosted int64, debit, credit string) error {
	return s.postMerchant(ctx, t, at, dHeld, dPosted, debit, credit, -1)
}

// postMerchant is post for a capture or return (fee ≥ 0): the merchant's
// entries join the customer's in the one transaction, and its settlement
// line is inserted.
func (s *Service) postMerchant(ctx context.Context, t *openflex.Transaction, at time.Time, dHeld, dPosted int64, debit, credit string, fee int64) error {
	t.ID, t.Created = openflex.NewID(openflex.PrefixTransaction), at
	if err := s.Store.AdjustBalances(ctx, t.AccountNumber, dHeld, dPosted); err != nil {
		return err
	}
	entries := move(t.ID, t.AccountNumber, debit, credit, t.Amount)
	if fee < 0 {
		return s.Store.PostTransaction(ctx, t, entries)
	}
	entries = append(entries, merchantEntries(t.ID, t.MerchantID, t.Type, t.Amount, fee)...)
	if err := s.Store.PostTransaction(ctx, t, entries); err != nil {
		return err
	}
	return s.Store.AddSettlementLine(ctx, &openflex.SettlementLine{ID: t.ID, MerchantID: t.MerchantID, StoreID: t.StoreID,
		Type: t.Type, Amount: t.Amount, Fee: fee, AuthorizationID: t.AuthorizationID, CaptureID: t.CaptureID, ReturnID: t.ReturnID,
		// Merchants settle on the wall clock, whatever clock the account
		// lives on.
		Created: s.now()})
}

// feeOf is the merchant fee agreed for a's purchase.
func feeOf(a *openflex.Authorization) openflex.MerchantFee {
	if a.Financing == nil {
		return openflex.MerchantFee{}
	}
	return a.Financing.MerchantFee
}

func (s *Service) emit(ctx context.Context, merchantID, typ string, obj any) error {
	if merchantID == "" || s.Render == nil {
		return nil
	}
	b, err := s.Render(obj)
	if err != nil {
		return err
	}
	return s.Store.AppendEvent(ctx, &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: merchantID, Type: typ, Object: b, Created: s.now()})
}

func (s *Service) view(ctx context.Context, a *openflex.Authorization) (*AuthorizationView, error) {
	caps, err := s.Store.CapturesOf(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return &AuthorizationView{Authorization: a, Captures: caps}, nil
}
