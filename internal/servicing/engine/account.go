package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/servicing"
)

// Ledgers of servicing, beside lending's (see package lending). An
// account's charges ledger is what it owes in interest and fees; on the
// lender's side lender:funding is what purchases advanced and payments
// repaid, lender:receivable the interest and fees billed, and
// lender:charged_off what was written off.
const (
	LedgerReceivable   = "lender:receivable"
	LedgerInterest     = "lender:interest_income"
	LedgerServicingFee = "lender:servicing_fee_income"
	LedgerChargedOff   = "lender:charged_off"
	LedgerCash         = "lender:cash"
)

func acctLedger(number, which string) string { return "acct:" + number + ":" + which }

// account is one account inside its write transaction: its row locked,
// its servicing state loaded, and its clock read.
type account struct {
	acct  *openflex.Account
	row   *Row
	prev  string // the row's next day as read
	state *servicing.Account
	loc   *time.Location
	now   time.Time // the account's clock
	clock *TestClock
	// merchants receive the account's events besides the lender.
	merchants []string
	// changed reports whether state must be saved.
	changed bool
	// actor is who moves the standing: "system", or "staff:NAME".
	actor string
	// queued reports whether a customer message was queued (messages.go).
	queued bool
}

// today is the account's open day: the day its clock is on.
func (a *account) today() servicing.Date { return servicing.DayOf(a.now, a.loc) }

// AccountTime is the time on the account's clock: its test clock's in
// TRAINING when it has one, else the wall clock. PRODUCTION never reads a
// clock from the database.
func (s *Service) AccountTime(ctx context.Context, number string) (time.Time, error) {
	if s.Env != openflex.Training {
		return s.wall(), nil
	}
	_, _, c, err := s.Store.LoadAccount(ctx, number)
	if err != nil || c == nil {
		return s.wall(), err
	}
	return c.FrozenTime, nil
}

// open reads number's account, row and state inside the caller's write
// transaction (locking them) and applies every day that ended before the
// account's clock's day.
func (s *Service) open(ctx context.Context, number string) (*account, error) {
	acct, row, clock, err := s.Store.LoadAccount(ctx, number)
	if err != nil {
		return nil, err
	}
	return s.opened(ctx, number, acct, row, clock)
}

// opened is open once the account is read (and locked).
func (s *Service) opened(ctx context.Context, number string, acct *openflex.Account, row *Row, clock *TestClock) (*account, error) {
	var err error
	a := &account{acct: acct, row: row, prev: row.NextDay, now: s.wall(), clock: clock}
	if a.loc, err = row.Location(); err != nil {
		return nil, err
	}
	if clock != nil {
		if s.Env != openflex.Training {
			return nil, fmt.Errorf("account %s is on a test clock outside TRAINING", number)
		}
		a.now = clock.FrozenTime
		a.merchants = append(a.merchants, clock.MerchantID)
	}
	if row.State != nil {
		a.state = &servicing.Account{}
		if err := unmarshal(row.State, a.state); err != nil {
			return nil, fmt.Errorf("account %s servicing state: %w", number, err)
		}
		// An account keeps the rules it was opened under, but the lender's
		// contact details are today's: a new phone number reaches every
		// statement written from now on.
		a.state.Config.Lender = s.config().Lender
	} else {
		opened := row.OpenedOn
		if opened == "" {
			opened = servicing.DayOf(acct.Created, a.loc).String()
		}
		d, err := servicing.ParseDate(opened)
		if err != nil {
			return nil, err
		}
		a.state, err = servicing.Open(s.config(), servicing.Opening{Number: number, Province: acct.Province, Language: acct.Language,
			Opened: d, StatementDay: row.StatementDay, CreditLimit: acct.CreditLimit})
		if err != nil {
			return nil, fmt.Errorf("open servicing of %s: %w", number, err)
		}
		row.OpenedOn = opened
		a.changed = true
	}
	return a, s.catchUp(ctx, a, a.today())
}

func unmarshal(b []byte, st *servicing.Account) error {
	if err := json.Unmarshal(b, st); err != nil {
		return fmt.Errorf("servicing state: %w", err)
	}
	return nil
}

// catchUp ends every day of a before today, in order, each once.
func (s *Service) catchUp(ctx context.Context, a *account, today servicing.Date) error {
	for a.state.OpenDay().Before(today) {
		d := a.state.OpenDay()
		if err := s.Store.ClaimDay(ctx, a.acct.Number, d.String(), s.wall()); err != nil {
			return err
		}
		a.state.Held = a.acct.Held
		a.state.CreditLimit = a.acct.CreditLimit
		res, err := a.state.EndDay(d)
		if err != nil {
			return fmt.Errorf("end day %s of %s: %w", d, a.acct.Number, err)
		}
		if err := s.apply(ctx, a, res, d, source{}); err != nil {
			return err
		}
		if err := s.queueDueReminder(ctx, a, d); err != nil {
			return err
		}
		a.changed = true
	}
	return nil
}

// save stores a's state with its next day, unless another node applied a
// day first (then the whole transaction is refused: ErrDayApplied).
func (s *Service) save(ctx context.Context, a *account) error {
	if !a.changed {
		return nil
	}
	b, err := json.Marshal(a.state)
	if err != nil {
		return err
	}
	a.row.State, a.row.NextDay = b, a.state.OpenDay().String()
	return s.Store.SaveServicing(ctx, a.row, a.prev)
}

// source is where a payment's money came from, for the lender's side of
// its ledger transaction and the merchant's settlement.
type source struct {
	Ledger     string // lender:cash, or the merchant's payable
	MerchantID string
	StoreID    string
	Ref        string // the payment id
	// Txn, when set, is the transaction a payment's or reversal's postings
	// are booked as (its record names it); used once.
	Txn  *openflex.Transaction
	used bool
}

// apply writes what a step did: its postings as ledger transactions and
// balance changes, its statement, its status changes and their events.
func (s *Service) apply(ctx context.Context, a *account, res servicing.Result, d servicing.Date, src source) error {
	if err := s.book(ctx, a, res.Postings, d, src); err != nil {
		return err
	}
	if res.Statement != nil {
		if err := s.storeStatement(ctx, a, res.Statement); err != nil {
			return err
		}
		if err := s.queueStatement(ctx, a, res.Statement, d); err != nil {
			return err
		}
	}
	for _, c := range res.Changes {
		if c.Kind != servicing.ChangeStatus || c.From == c.To {
			continue
		}
		if err := s.Store.SetAccountStatus(ctx, a.acct.Number, c.To); err != nil {
			return err
		}
		actor := a.actor
		if actor == "" {
			actor = "system"
		}
		sc := &StatusChange{ID: openflex.NewID(openflex.PrefixStatusChange), AccountNumber: a.acct.Number, From: c.From, To: c.To,
			Actor: actor, Reason: c.Reason, Created: a.now}
		if err := s.Store.AddStatusChange(ctx, sc); err != nil {
			return err
		}
		a.acct.Status = c.To
		if err := s.emit(ctx, "account.status_changed", &StatusEvent{Change: sc, Account: a.acct}, a.merchants...); err != nil {
			return err
		}
		if err := s.queueStatus(ctx, a, sc, d); err != nil {
			return err
		}
	}
	return nil
}

// StatusEvent is an account.status_changed event's object.
type StatusEvent struct {
	Change  *StatusChange
	Account *openflex.Account
}

// txnType is the ledger transaction a posting's reason belongs to; "" for
// the purchases and returns lending already booked.
func txnType(r servicing.Reason) openflex.TransactionType {
	switch r {
	case servicing.ReasonPurchase, servicing.ReasonReturn:
		return ""
	case servicing.ReasonAdminFee, servicing.ReasonNSFFee:
		return openflex.TxnFee
	case servicing.ReasonInterest:
		return openflex.TxnInterest
	case servicing.ReasonPayment, servicing.ReasonRecovery:
		return openflex.TxnPayment
	case servicing.ReasonPaymentReversed:
		return openflex.TxnPaymentReversal
	case servicing.ReasonPromotionCancelled:
		return openflex.TxnPromotionCancelled
	case servicing.ReasonDeferredExpired:
		return openflex.TxnPlanExpired
	case servicing.ReasonChargeOff:
		return openflex.TxnChargeOff
	case servicing.ReasonCreditApplied:
		return openflex.TxnPlanExpired // a move inside the account
	}
	return openflex.TransactionType("servicing_" + string(r))
}

// book turns postings into ledger transactions, one per kind of movement
// in the order they first appear, and changes the account's posted
// balance and charges to match.
func (s *Service) book(ctx context.Context, a *account, ps []servicing.Posting, d servicing.Date, src source) error {
	var order []openflex.TransactionType
	groups := map[openflex.TransactionType][]servicing.Posting{}
	for _, p := range ps {
		t := txnType(p.Reason)
		if t == "" || p.Amount == 0 {
			continue
		}
		if p.Reason == servicing.ReasonCreditApplied {
			t = "credit_applied"
		}
		if _, ok := groups[t]; !ok {
			order = append(order, t)
		}
		groups[t] = append(groups[t], p)
	}
	for _, t := range order {
		if err := s.post(ctx, a, t, groups[t], &src); err != nil {
			return err
		}
	}
	return nil
}

// post writes one ledger transaction of postings of type typ.
//
// The account's side: principal, credit and charged-off amounts move its
// posted ledger, interest and fees its charges ledger, and its available
// ledger takes the opposite of their sum (so the account's ledgers still
// sum to zero and available credit follows). The lender's side mirrors it:
// lender:funding for principal and credit, lender:receivable for interest
// and fees, lender:charged_off for the charged-off balance, against the
// income ledger for new charges or the payment's source for payments.
func (s *Service) post(ctx context.Context, a *account, typ openflex.TransactionType, ps []servicing.Posting, src *source) error {
	var principal, interest, fees, chargedOff, gross int64
	for _, p := range ps {
		switch p.Bucket {
		case servicing.BucketInterest:
			interest += p.Amount
		case servicing.BucketFee:
			fees += p.Amount
		case servicing.BucketChargedOff:
			chargedOff += p.Amount
		default: // principal and the credit balance
			principal += p.Amount
		}
		if p.Amount > 0 {
			gross += p.Amount
		}
	}
	posted, charges := principal+chargedOff, interest+fees
	total := posted + charges
	number := a.acct.Number
	// A payment's or reversal's own postings are booked as the transaction
	// its record names; anything else (a credit balance applied, a fee) is
	// a transaction of its own.
	payment := typ == openflex.TxnPayment || typ == openflex.TxnPaymentReversal
	t := src.Txn
	if t == nil || !payment || src.used {
		t = &openflex.Transaction{ID: openflex.NewID(openflex.PrefixTransaction), AccountNumber: number, Reference: ps[0].Ref}
	}
	if payment && t == src.Txn {
		src.used = true
	}
	// A credit balance paying interest or fees collects them: no income is
	// earned again, the receivable is paid from the funding the credit was.
	fromCredit := typ == "credit_applied"
	if fromCredit {
		typ, t.Reference = openflex.TxnPayment, "credit balance applied"
	}
	t.Type, t.Created = typ, a.now
	t.Amount = max(gross, -total)
	var es entries
	es.add(t.ID, acctLedger(number, "posted"), posted)
	es.add(t.ID, acctLedger(number, "charges"), charges)
	es.add(t.ID, acctLedger(number, "available"), -total)
	es.add(t.ID, lending.LedgerFunding, principal)
	es.add(t.ID, LedgerReceivable, charges)
	es.add(t.ID, LedgerChargedOff, chargedOff)
	if payment && total != 0 {
		led := src.Ledger
		if led == "" {
			led = LedgerCash
		}
		es.add(t.ID, led, -total)
		t.MerchantID, t.StoreID = src.MerchantID, src.StoreID
	} else if !fromCredit {
		es.add(t.ID, LedgerInterest, -interest)
		es.add(t.ID, LedgerServicingFee, -fees)
	}
	if len(es) == 0 {
		// A move between segments nets to zero on every ledger but still
		// leaves its record: the amount moved, out of and into the
		// account's posted ledger.
		es.add(t.ID, acctLedger(number, "posted"), gross)
		es.add(t.ID, acctLedger(number, "posted"), -gross)
	}
	if t.Amount <= 0 {
		return nil
	}
	if err := es.balanced(); err != nil {
		return fmt.Errorf("%s on %s: %w", typ, number, err)
	}
	if posted != 0 || charges != 0 {
		if err := s.Store.AdjustOwed(ctx, number, posted, charges); err != nil {
			return err
		}
	}
	a.acct.PostedBalance += posted
	a.acct.Charges += charges
	return s.Store.PostTransaction(ctx, t, es)
}

// entries accumulates a transaction's entries from signed amounts:
// positive debits, negative credits.
type entries []openflex.Entry

func (es *entries) add(txnID, ledger string, amount int64) {
	switch {
	case amount > 0:
		*es = append(*es, openflex.Entry{TransactionID: txnID, Ledger: ledger, Debit: amount})
	case amount < 0:
		*es = append(*es, openflex.Entry{TransactionID: txnID, Ledger: ledger, Credit: -amount})
	}
}

func (es entries) balanced() error {
	var dr, cr int64
	for _, e := range es {
		dr += e.Debit
		cr += e.Credit
	}
	if dr != cr {
		return fmt.Errorf("entries do not balance: debits %d, credits %d", dr, cr)
	}
	return nil
}

// onAccount runs fn on number's account, its days applied through the
// account's clock, in a write transaction (the caller's when it has one),
// and saves the state.
func (s *Service) onAccount(ctx context.Context, number string, fn func(ctx context.Context, a *account) error) error {
	return s.Store.Write(ctx, func(ctx context.Context) error {
		a, err := s.open(ctx, number)
		if err != nil {
			return err
		}
		if fn != nil {
			if err := fn(ctx, a); err != nil {
				return err
			}
		}
		return s.save(ctx, a)
	})
}

// ServiceThrough applies every day of number's account that ended by its
// clock's time (or by t for an account on a test clock being advanced to
// t). It is what the daily job and a clock's advance call per account; a
// day another node applied first is not applied again.
func (s *Service) ServiceThrough(ctx context.Context, number string, t time.Time) (bool, error) {
	return s.serviceThrough(ctx, number, t, true)
}

// serviceThrough is ServiceThrough; tell delivers the customer messages
// the days queued once they commit (the daily job leaves them to its
// final sweep, so a slow mail provider never holds up the days).
func (s *Service) serviceThrough(ctx context.Context, number string, t time.Time, tell bool) (bool, error) {
	queued := false
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		a, err := s.openAt(ctx, number, t)
		if err != nil {
			return err
		}
		queued = a.queued
		return s.save(ctx, a)
	})
	if errors.Is(err, ErrDayApplied) {
		return false, nil
	}
	if err == nil && queued && tell {
		s.afterCommit(ctx, number)
	}
	return err == nil, err
}

// openAt is open with the account's clock read as t (a clock being
// advanced to t).
func (s *Service) openAt(ctx context.Context, number string, t time.Time) (*account, error) {
	a, err := s.open(ctx, number)
	if err != nil {
		return nil, err
	}
	return a, s.bringTo(ctx, a, t)
}

// bringTo applies a's days through t when t is past its clock.
func (s *Service) bringTo(ctx context.Context, a *account, t time.Time) error {
	if t.After(a.now) {
		a.now = t
		return s.catchUp(ctx, a, a.today())
	}
	return nil
}
