package engine

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/servicing"
)

// The account desk's operations on an account (internal/console): a new
// credit limit and a waiver of a fee or interest charge. Each runs in the
// account's write transaction, as payments do.

// DeskStore is the storage the desk's operations need beyond Store.
// *sqlstore.DB provides it.
type DeskStore interface {
	// SetCreditLimit sets the account's limit unless that would leave it
	// drawing more than the limit allows (limit below posted balance,
	// charges and holds, and below the limit it has): parameter_invalid
	// then, whatever ran in between.
	SetCreditLimit(ctx context.Context, number string, limit int64) error
	// Transaction returns one of the account's ledger transactions.
	Transaction(ctx context.Context, number, id string) (*openflex.Transaction, error)
	CreateWaiver(ctx context.Context, w *Waiver) error
	// WaiverByKey returns the account's waiver recorded with key, nil when
	// there is none.
	WaiverByKey(ctx context.Context, number, key string) (*Waiver, error)
	// Waivers lists an account's waivers, oldest first.
	Waivers(ctx context.Context, number string) ([]*Waiver, error)
}

// Waiver is a fee or interest charge forgiven by lender staff.
type Waiver struct {
	ID            string
	AccountNumber string
	// ChargeID is the charge's ledger transaction; Kind "fee" or
	// "interest"; Charged what it was.
	ChargeID string
	Kind     string
	Charged  int64
	Segment  string
	Amount   int64
	Reason   string
	Staff    string
	// Key makes the same request twice (a form sent again) record one
	// waiver.
	Key           string
	TransactionID string // the waiver's own ledger transaction
	PostedOn      string // the account's day
	Created       time.Time
}

// DefaultMaxCreditLimit is the highest limit staff may give when the
// service does not say (the credit policy's own maximum, $15,000).
const DefaultMaxCreditLimit = 15_000_00

func (s *Service) desk() (DeskStore, error) {
	d, ok := s.Store.(DeskStore)
	if !ok {
		return nil, fmt.Errorf("servicing: the store does not keep the desk's records")
	}
	return d, nil
}

// LimitChange is a new credit limit set by lender staff.
type LimitChange struct {
	AccountNumber string
	Limit         int64
	Staff, Reason string
	// CustomerRequested reports whether the customer asked for the new
	// limit: a higher limit is given only at their express request.
	CustomerRequested bool
}

// LimitResult is the account after a limit change and the limit before.
type LimitResult struct {
	Account  *openflex.Account
	Previous int64
}

// LimitEvent is the account.credit_limit_changed event's object.
type LimitEvent struct {
	Account       *openflex.Account
	Previous      int64
	Staff, Reason string
}

// ChangeLimit sets an account's credit limit: never below what the account
// draws (its posted balance, interest and fees, and the holds of open
// authorizations, so available credit never goes below zero), unless it
// is a raise; never above MaxCreditLimit; a raise only at the customer's
// express request (Canadian credit rules want the borrower's consent to a
// higher limit; a lower one is the lender's to set, the customer told). The account row and its
// servicing state change together, with account.credit_limit_changed in
// the lender's outbox (merchants see the account's available credit, not
// its limit) and the customer's message in the messages' outbox.
//
// Errors: parameter_missing without a reason or staff, or for a raise the
// customer did not ask for (customer_requested); parameter_invalid
// for a limit out of range, the same limit, or a limit below what the
// account draws; account_status_invalid on a closed
// or charged-off account.
func (s *Service) ChangeLimit(ctx context.Context, c LimitChange) (*LimitResult, error) {
	ceiling := s.MaxCreditLimit
	if ceiling <= 0 {
		ceiling = DefaultMaxCreditLimit
	}
	var p openflex.Problems
	switch {
	case c.Limit < 0 || c.Limit > ceiling:
		p.Invalid("credit_limit", "the credit limit must be from $0.00 to %s", openflex.FormatCAD(ceiling, "en"))
	case c.Limit%100 != 0:
		p.Invalid("credit_limit", "the credit limit must be in whole dollars")
	}
	reasonProblems(&p, c.Reason, c.Staff)
	if err := p.Err(); err != nil {
		return nil, err
	}
	ds, err := s.desk()
	if err != nil {
		return nil, err
	}
	var out *LimitResult
	err = s.onAccount(ctx, c.AccountNumber, func(ctx context.Context, a *account) error {
		acct := a.acct
		switch {
		case acct.Status == openflex.AccountClosed || acct.Status == openflex.AccountChargedOff:
			return &openflex.Error{Code: openflex.CodeAccountStatusInvalid, Param: "status",
				Message: "a " + string(acct.Status) + " account's credit limit does not change"}
		case c.Limit == acct.CreditLimit:
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "credit_limit",
				Message: "the credit limit is already " + openflex.FormatCAD(c.Limit, "en")}
		}
		if c.Limit > acct.CreditLimit && !c.CustomerRequested {
			return &openflex.Error{Code: openflex.CodeParameterMissing, Param: "customer_requested",
				Message: "a higher credit limit is given only at the customer's express request"}
		}
		if floor := acct.Owed() + acct.Held; c.Limit < acct.CreditLimit && c.Limit < floor {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "credit_limit",
				Message: fmt.Sprintf("the account draws %s (balance, interest and fees, and holds): the limit cannot go below it", openflex.FormatCAD(floor, "en"))}
		}
		if err := ds.SetCreditLimit(ctx, acct.Number, c.Limit); err != nil {
			return err
		}
		out = &LimitResult{Previous: acct.CreditLimit}
		acct.CreditLimit = c.Limit
		a.state.CreditLimit = c.Limit
		a.changed = true
		out.Account = acct
		subject, body := customer.LimitChanged(s.about(a), out.Previous, c.Limit)
		if err := s.queue(ctx, a, customer.MessageLimitChanged, openflex.NewID("lim"), a.now, subject, body); err != nil {
			return err
		}
		return s.emit(ctx, "account.credit_limit_changed", &LimitEvent{Account: acct, Previous: out.Previous, Staff: c.Staff, Reason: c.Reason})
	})
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, c.AccountNumber)
	return out, nil
}

func reasonProblems(p *openflex.Problems, reason, staff string) {
	if strings.TrimSpace(reason) == "" {
		p.Missing("reason")
	} else if utf8.RuneCountInString(reason) > 500 {
		p.Invalid("reason", "reason must be at most 500 characters")
	}
	if strings.TrimSpace(staff) == "" {
		p.Missing("staff")
	}
}

// WaiveRequest asks to waive all or part of one charge.
type WaiveRequest struct {
	AccountNumber string
	// ChargeID is the fee's or the interest's ledger transaction.
	ChargeID      string
	Amount        int64
	Staff, Reason string
	// Key identifies the request: the same key again answers the waiver
	// already recorded.
	Key string
}

// WaiverResult is a waiver with the account after it.
type WaiverResult struct {
	Waiver  *Waiver
	Account *openflex.Account
	// Again reports whether the waiver was recorded before (the same key):
	// nothing changed this time.
	Again bool
}

// Waive forgives all or part of a fee or interest charge, through the
// servicing rules (servicing.Account.Waive): a balanced ledger
// transaction (fee_waived or interest_waived) takes it off what the
// account owes and out of the lender's income, the statement lists it as
// a credit, the customer's message is queued with it, and no charge is
// ever waived beyond what it was. The same Key twice records one waiver.
//
// Errors: parameter_missing without a reason, staff or key; resource_missing
// for a charge that is not one of the account's; parameter_invalid for a
// transaction that is not a fee or interest, an amount out of range or
// more than is left of the charge, or a key already used for another
// waiver.
func (s *Service) Waive(ctx context.Context, r WaiveRequest) (*WaiverResult, error) {
	var p openflex.Problems
	p.Add(openflex.CheckAmount("amount", r.Amount, false))
	if r.ChargeID == "" {
		p.Missing("charge")
	}
	if r.Key == "" {
		p.Missing("key")
	}
	reasonProblems(&p, r.Reason, r.Staff)
	if err := p.Err(); err != nil {
		return nil, err
	}
	ds, err := s.desk()
	if err != nil {
		return nil, err
	}
	var out *WaiverResult
	err = s.onAccount(ctx, r.AccountNumber, func(ctx context.Context, a *account) error {
		prev, err := ds.WaiverByKey(ctx, r.AccountNumber, r.Key)
		if err != nil {
			return err
		}
		if prev != nil {
			if prev.ChargeID != r.ChargeID || prev.Amount != r.Amount {
				return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "key", Message: "this request's key was used for waiver " + prev.ID}
			}
			out = &WaiverResult{Waiver: prev, Account: a.acct, Again: true}
			return nil
		}
		charge, err := ds.Transaction(ctx, r.AccountNumber, r.ChargeID)
		if err != nil {
			return err
		}
		var kind servicing.Bucket
		switch charge.Type {
		case openflex.TxnFee:
			kind = servicing.BucketFee
		case openflex.TxnInterest:
			kind = servicing.BucketInterest
		default:
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "charge", Message: "only a fee or an interest charge can be waived, not a " + string(charge.Type)}
		}
		w := &Waiver{ID: openflex.NewID("wvr"), AccountNumber: r.AccountNumber, ChargeID: charge.ID, Kind: string(kind), Charged: charge.Amount,
			Segment: chargeSegment(a.state, charge.Reference), Amount: r.Amount, Reason: r.Reason, Staff: r.Staff, Key: r.Key,
			PostedOn: a.today().String(), Created: a.now}
		res, err := a.state.Waive(w.rule(a.today()))
		if err != nil {
			return err
		}
		a.changed = true
		txn, err := s.postWaiver(ctx, a, w, res.Postings)
		if err != nil {
			return err
		}
		w.TransactionID = txn
		if err := ds.CreateWaiver(ctx, w); err != nil {
			return err
		}
		if err := s.apply(ctx, a, servicing.Result{Changes: res.Changes}, a.today(), source{}); err != nil {
			return err
		}
		subject, body := customer.ChargeWaived(s.about(a), w.Kind, w.Amount)
		if err := s.queue(ctx, a, customer.MessageChargeWaived, w.ID, a.now, subject, body); err != nil {
			return err
		}
		out = &WaiverResult{Waiver: w, Account: a.acct}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, r.AccountNumber)
	return out, nil
}

// rule is the waiver as the servicing rules take it, on day d.
func (w *Waiver) rule(d servicing.Date) servicing.Waiver {
	return servicing.Waiver{ID: w.ID, Charge: w.ChargeID, Kind: servicing.Bucket(w.Kind), Charged: w.Charged, Segment: w.Segment,
		Date: d, Amount: w.Amount, Reason: w.Reason}
}

// chargeSegment is the segment a charge was billed to, from its
// transaction's reference: an admin fee names its purchase, a plan's
// interest its segment; anything else (NSF fees, revolving interest) is
// the revolving segment's.
func chargeSegment(st *servicing.Account, ref string) string {
	if seg, ok := st.Purchases[ref]; ok {
		return seg
	}
	if ref != "" && st.Segment(ref) != nil {
		return ref
	}
	return servicing.RevolvingID
}

// postWaiver books a waiver's postings as one ledger transaction and
// returns its id. The account's side is as post's (charges, posted and
// charged-off balances down, available up); the lender's gives back the
// income it had booked: interest or servicing-fee income is debited with
// the whole amount, against the receivable still owed, the funding of a
// credit balance, or the charged-off balance.
func (s *Service) postWaiver(ctx context.Context, a *account, w *Waiver, ps []servicing.Posting) (string, error) {
	var posted, charges, chargedOff int64
	for _, p := range ps {
		switch p.Bucket {
		case servicing.BucketInterest, servicing.BucketFee:
			charges += p.Amount
		case servicing.BucketChargedOff:
			chargedOff += p.Amount
		default: // a credit balance
			posted += p.Amount
		}
	}
	total := posted + charges + chargedOff // negative: owed less
	typ, income := openflex.TxnFeeWaived, LedgerServicingFee
	if w.Kind == string(servicing.BucketInterest) {
		typ, income = openflex.TxnInterestWaived, LedgerInterest
	}
	number := a.acct.Number
	t := &openflex.Transaction{ID: openflex.NewID(openflex.PrefixTransaction), AccountNumber: number, Type: typ, Amount: -total,
		Reference: w.ChargeID, Created: a.now}
	var es entries
	es.add(t.ID, acctLedger(number, "posted"), posted+chargedOff)
	es.add(t.ID, acctLedger(number, "charges"), charges)
	es.add(t.ID, acctLedger(number, "available"), -total)
	es.add(t.ID, lending.LedgerFunding, posted)
	es.add(t.ID, LedgerReceivable, charges)
	es.add(t.ID, LedgerChargedOff, chargedOff)
	es.add(t.ID, income, -total)
	if err := es.balanced(); err != nil {
		return "", fmt.Errorf("waiver on %s: %w", number, err)
	}
	if err := s.Store.AdjustOwed(ctx, number, posted+chargedOff, charges); err != nil {
		return "", err
	}
	a.acct.PostedBalance += posted + chargedOff
	a.acct.Charges += charges
	return t.ID, s.Store.PostTransaction(ctx, t, es)
}
