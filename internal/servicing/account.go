package servicing

import (
	"cmp"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// Segment is one balance of an account with its own rate and rules.
type Segment struct {
	ID       string
	Kind     SegmentKind
	Rate     finance.Percent // annual rate
	Opened   Date
	Merchant string // the purchase's merchant id
	// MerchantName is the merchant's name at capture ("" in states
	// recorded before names were).
	MerchantName string
	Description  string

	// Terms, Amount and DeferredRule are the accepted quote's, for plan
	// segments.
	Terms        finance.Terms
	Amount       int64
	DeferredRule DeferredRule
	// Schedule is the equal-payment schedule still to bill: re-amortised
	// over the instalments left when a return or a prepayment lowers the
	// principal below what the schedule expects.
	Schedule []finance.Payment
	// Billed is how many instalments statements have billed, and
	// Unbilled the principal the rest of the schedule bills.
	Billed   int
	Unbilled int64
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
	// Daily is the balance each day of the open cycle accrued on, from
	// the cycle's first day (0 before the segment accrued), so a payment
	// dated back takes off exactly the interest of the days it covers,
	// never more than was owed on each.
	Daily []int64
	// Closed is set when the segment's balance moved elsewhere (a
	// promotion cancelled, a deferred plan expired, a charge-off); MovedTo
	// names where.
	Closed  bool
	MovedTo string
}

// DayBalance is a segment's balance at the end of a day.
type DayBalance struct {
	Day     Date
	Balance int64
}

// close ends the segment, its balance moved to the segment movedTo ("":
// paid; chargedOffID: written off). What only an open segment needs is
// dropped, so a closed one stays small in the account's saved state.
func (s *Segment) close(movedTo string) {
	s.Closed, s.MovedTo = true, movedTo
	s.Schedule, s.Daily = nil, nil
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
	// Purchases maps each purchase id to its segment's id, for returns.
	Purchases map[string]string
	// Statements counts the statements produced.
	Statements int
	// StaffFrozen and StaffClosed record staff's actions, which the system
	// never lifts.
	StaffFrozen bool
	StaffClosed bool
	// Waived is how much of each charge staff waived, by charge id: a
	// charge is never waived beyond what it was (see [Account.Waive]).
	Waived map[string]int64 `json:",omitempty"`
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
	// GraceCounted is what the payment took off GraceOwed of the
	// statement dated GraceStatement.
	GraceCounted   int64
	GraceStatement Date
	// AppliedOn is the open day the payment was applied on (Payment.Date
	// may be earlier).
	AppliedOn Date
	// Backdated is what the payment took off each segment's days before
	// AppliedOn, and Accrual the accrual that took off.
	Backdated map[string][]DayBalance
	Accrual   map[string]int64
	// Schedules are the equal-payment schedules the payment re-amortised,
	// as they were, so a reversal before the next bill restores them.
	Schedules map[string][]finance.Payment
	// Prepaid is the principal paid ahead of an equal-payment schedule,
	// by segment.
	Prepaid  map[string]int64
	Reversed bool
}

// Line is one line of a statement's activity.
type Line struct {
	Date   Date
	Kind   LineKind
	Amount int64 // positive charges, negative credits
	// Description is the purchase's line items, the payment's channel, …
	Description string
	// Merchant and Store are ids; MerchantName and StoreName the names at
	// capture ("" on lines recorded before names were).
	Merchant     string
	Store        string
	MerchantName string
	StoreName    string
	Ref          string
	Segment      string
}

// MerchantLabel is the merchant as a customer reads it: its name, its id
// on lines recorded before names were.
func (l Line) MerchantLabel() string { return cmp.Or(l.MerchantName, l.Merchant) }

// StoreLabel is the store as a customer reads it (see MerchantLabel).
func (l Line) StoreLabel() string { return cmp.Or(l.StoreName, l.Store) }

// MerchantLabel is the plan's merchant as a customer reads it (see
// Line.MerchantLabel).
func (s *Segment) MerchantLabel() string { return cmp.Or(s.MerchantName, s.Merchant) }

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
)
