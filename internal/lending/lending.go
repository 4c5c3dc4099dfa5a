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
	Now     func() time.Time
}

// AuthorizationView is an authorization with its captures, as events and
// responses show it.
type AuthorizationView struct {
	*openflex.Authorization
	Captures []*openflex.Capture
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func ledger(number, which string) string { return "acct:" + number + ":" + which }

// move returns the two entries of a movement of amount from one of an
// account's ledgers to another.
func move(txnID, number, debit, credit string, amount int64) []openflex.Entry {
	return []openflex.Entry{
		{TransactionID: txnID, Ledger: ledger(number, debit), Debit: amount},
		{TransactionID: txnID, Ledger: ledger(number, credit), Credit: amount},
	}
}

// post writes the transaction, its entries and the balance change.
func (s *Service) post(ctx context.Context, t *openflex.Transaction, dHeld, dPosted int64, debit, credit string) error {
	t.ID, t.Created = openflex.NewID(openflex.PrefixTransaction), s.now()
	if err := s.Store.AdjustBalances(ctx, t.AccountNumber, dHeld, dPosted); err != nil {
		return err
	}
	return s.Store.PostTransaction(ctx, t, move(t.ID, t.AccountNumber, debit, credit, t.Amount))
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
