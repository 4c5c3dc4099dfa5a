package servicing

import (
	"errors"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

var errNotImplemented = errors.New("servicing: not implemented")

// Segment is one balance of an account with its own rate and rules.
type Segment struct {
	ID          string
	Kind        SegmentKind
	Rate        finance.Percent // annual rate
	Opened      Date
	Merchant    string
	Description string

	// Terms, Amount and DeferredRule are the accepted quote's, for plan
	// segments.
	Terms        finance.Terms
	Amount       int64
	DeferredRule DeferredRule
	// Schedule is the equal-payment schedule still to bill: re-amortised
	// over the instalments left when a return or a prepayment lowers the
	// principal below what the schedule expects.
	Schedule []finance.Payment
	// Billed is how many instalments statements have billed.
	Billed int
	// Expiry is a deferred plan's expiry day: the balance must be paid by
	// the end of it. For an equal-payment plan, the day its last
	// instalment is due to be billed.
	Expiry Date

	Principal int64
	Interest  int64 // billed, unpaid
	Fees      int64 // billed, unpaid

	// Due is what the statements asked of this segment and is still
	// unpaid (past due included).
	Due int64
	// Missed counts the instalments not paid by their due date.
	Missed int
	// Accrued is the interest accrued and not yet charged or waived, as an
	// exact sum of balance × rate (cents × thousandths of a percent) per
	// day; interest = Accrued / 36,500,000 rounded half up.
	Accrued int64
	// Closed is set when the segment's balance moved elsewhere (a
	// promotion cancelled, a deferred plan expired, a charge-off); MovedTo
	// names where.
	Closed  bool
	MovedTo string
}

// Balance is what the segment owes: principal, interest and fees.
func (s *Segment) Balance() int64 { return s.Principal + s.Interest + s.Fees }

// Account is one credit account's servicing state. The engine keeps it
// between steps (its exported fields marshal to JSON) and hands each step
// its day in order: the operations of a day, then [Account.EndDay].
type Account struct {
	Config  Config
	Opening Opening
	Status  openflex.AccountStatus
	// Day is the last day EndDay completed; operations are dated on the
	// day after (the open day).
	Day Date

	CreditLimit int64
	// Held is the open authorizations, set by the engine before EndDay so
	// statements show the right available credit.
	Held int64

	Segments []*Segment
	// Credit is the credit balance the lender owes the customer (≥ 0).
	Credit int64
	// ChargedOff is the balance written off and not yet recovered.
	ChargedOff int64

	// Cycle is the open billing cycle.
	Cycle Cycle
	// Last is the last statement's summary, for the grace and due-date
	// rules; nil before the first.
	Last *LastStatement
	// Dues are the statements' minimums still unpaid, oldest first.
	Dues []Due
	// Payments remembers each payment's allocation, so a reversal undoes
	// it exactly.
	Payments map[string]*PaymentRecord
	// Statements counts the statements produced.
	Statements int
	// StaffFrozen and StaffClosed record staff's actions, which the system
	// never lifts.
	StaffFrozen bool
	StaffClosed bool
}

// Cycle is the open billing cycle's running figures.
type Cycle struct {
	Start, End Date
	Opening    int64 // balance owed at the start (net of credit)
	Lines      []Line
	// RevolvingCharged is the interest and fees charged to the revolving
	// segment in this cycle, for its minimum payment.
	RevolvingCharged int64
	// Pending is the revolving accrual of earlier cycles still in grace,
	// decided at the last statement's due date; Chargeable is accrual to
	// charge at this cycle's statement.
	Pending, Chargeable int64
	// GraceLost reports whether this cycle's own revolving accrual is
	// charged at its statement (the previous statement was not paid in
	// full by its due date, or a promotion's balance moved in).
	GraceLost bool
}

// LastStatement is what later days need of the last statement.
type LastStatement struct {
	Date    Date
	DueDate Date
	Minimum int64
	// GraceOwed is the amount that keeps the grace period, less the
	// payments and credits since; the grace is kept when it is at most 0
	// at the end of the due date.
	GraceOwed int64
	// Decided, GraceKept and Waived are set at the due date: whether the
	// grace was kept, and the revolving accrual it waived (charged after
	// all if a payment that kept it is reversed).
	Decided   bool
	GraceKept bool
	Waived    int64
}

// Due is a statement's minimum payment, what of it is unpaid, and by when.
type Due struct {
	Statement Date
	DueDate   Date
	Amount    int64
	Remaining int64
}

// PaymentRecord is a payment and how it was allocated.
type PaymentRecord struct {
	Payment  Payment
	Postings []Posting
	// DueParts is how much of each segment's Due the payment paid, and
	// MinimumParts of each statement's minimum (by statement date), so a
	// reversal restores them.
	DueParts     map[string]int64
	MinimumParts map[Date]int64
	// GraceCounted is what the payment took off the last statement's
	// GraceOwed.
	GraceCounted int64
	Reversed     bool
}

// Line is one line of a statement's activity.
type Line struct {
	Date   Date
	Kind   LineKind
	Amount int64 // positive charges, negative credits
	// Description is the purchase's line items, the payment's channel, …
	Description string
	Merchant    string
	Store       string
	Ref         string
	Segment     string
}

// LineKind is what a statement line records.
type LineKind string

// The statement line kinds.
const (
	LinePurchase        LineKind = "purchase"
	LineReturn          LineKind = "return"
	LinePayment         LineKind = "payment"
	LinePaymentReversed LineKind = "payment_reversed"
	LineInterest        LineKind = "interest"
	LineFee             LineKind = "fee"
	LineChargeOff       LineKind = "charge_off"
)

// Open starts servicing an account on o.Opened, with status normal.
//
// It returns an error when cfg or o is not valid.
func Open(cfg Config, o Opening) (*Account, error) {
	return nil, errNotImplemented
}

// OpenDay is the day operations are dated on: the day after Day.
func (a *Account) OpenDay() Date { return a.Day.AddDays(1) }

// Balance is what the customer owes: every segment's balance, less the
// credit balance; the charged-off balance is not counted.
func (a *Account) Balance() int64 {
	var b int64
	for _, s := range a.Segments {
		b += s.Balance()
	}
	return b - a.Credit
}

// Segment returns the segment with id, or nil.
func (a *Account) Segment(id string) *Segment {
	for _, s := range a.Segments {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Purchase posts a captured purchase to its segment: the revolving one for
// a Regular plan, a new one otherwise, with a FeeTotal admin fee posted
// with it.
//
// Errors (*openflex.Error): parameter_invalid for a bad amount, terms the
// finance rules cannot quote, a date other than the open day, or an id
// already used; account_not_in_good_standing when the account is charged
// off or closed.
func (a *Account) Purchase(p Purchase) (Result, error) {
	return Result{}, errNotImplemented
}

// Return reduces the purchase's own segment by r.Amount; what exceeds that
// segment's balance becomes a credit balance.
//
// Errors: parameter_invalid for a bad amount or date; resource_missing for
// an unknown purchase.
func (a *Account) Return(r Return) (Result, error) {
	return Result{}, errNotImplemented
}

// Pay allocates a payment: fees, then interest (each highest rate first),
// then what is due on each segment, then the highest-rate balance; what is
// left becomes a credit balance. On a charged-off account it recovers the
// charged-off balance first. A payment dated before the open day (but in
// the open cycle) redoes the accrual since.
//
// Errors: parameter_invalid for a bad amount, a date after the open day or
// before the open cycle, or an id already used.
func (a *Account) Pay(p Payment) (Result, error) {
	return Result{}, errNotImplemented
}

// Reverse undoes a payment's allocation exactly (restoring what it paid,
// what was due and the grace it counted toward), re-accrues the interest
// the payment had avoided since its date, charges the NSF fee when the
// payment was returned and the lender has one, and moves the standing back.
//
// Errors: resource_missing for an unknown payment; parameter_invalid when
// it was already reversed or the date is not the open day.
func (a *Account) Reverse(r Reversal) (Result, error) {
	return Result{}, errNotImplemented
}

// SetStatus applies a staff action with its reason: freeze (a normal or
// auth_prohibited account), unfreeze (back to what the payments say),
// close (any account but a closed one; it cannot be reopened).
//
// Errors: parameter_missing without a reason; account_status_invalid for
// a transition the rules do not allow.
func (a *Account) SetStatus(action StaffAction, reason string, d Date) (Result, error) {
	return Result{}, errNotImplemented
}

// EndDay closes day d, which must be the open day: it accrues the day's
// interest, applies a credit balance to what became owed, expires deferred
// plans, applies the last statement's due date (grace, missed
// instalments, promotions cancelled), closes the cycle and produces the
// statement on the statement day, and moves the standing (auth_prohibited,
// back to normal, charged_off).
func (a *Account) EndDay(d Date) (Result, error) {
	return Result{}, errNotImplemented
}
