package servicing

import (
	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// SegmentKind is what a segment holds; its values are the plan categories'.
type SegmentKind string

// The kinds of segment.
const (
	SegmentRevolving     SegmentKind = "revolving"
	SegmentEqualPayments SegmentKind = "equal_payments"
	SegmentDeferred      SegmentKind = "deferred"
)

// RevolvingID is the id of every account's revolving segment. A plan
// segment's id is its purchase's id.
const RevolvingID = "revolving"

// DeferredRule is what a deferred plan charges when its balance is not paid
// in full by its expiry; a plan discloses which one it uses.
type DeferredRule string

// The deferred-interest rules.
const (
	// DeferredRetroactive (the default, and what finance's disclosure
	// states): the interest accrued since the purchase date is charged at
	// expiry, and the balance and that interest move to the revolving
	// segment.
	DeferredRetroactive DeferredRule = "retroactive"
	// DeferredForward: nothing accrued is charged; the unpaid balance moves
	// to the revolving segment and bears interest from the expiry day on.
	DeferredForward DeferredRule = "forward"
)

// Bucket is a part of what is owed.
type Bucket string

// The buckets of a segment, and the account's own.
const (
	BucketPrincipal Bucket = "principal"
	BucketInterest  Bucket = "interest"
	BucketFee       Bucket = "fee"
	// BucketCredit is the account's credit balance (Segment ""): its
	// amount is never above zero, since the lender owes it.
	BucketCredit Bucket = "credit"
	// BucketChargedOff is the balance written off (Segment ""), which later
	// payments recover.
	BucketChargedOff Bucket = "charged_off"
)

// Reason says why a posting was made.
type Reason string

// The reasons for postings.
const (
	ReasonPurchase           Reason = "purchase"
	ReasonAdminFee           Reason = "admin_fee"
	ReasonReturn             Reason = "return"
	ReasonInterest           Reason = "interest"
	ReasonPayment            Reason = "payment"
	ReasonCreditApplied      Reason = "credit_applied" // a credit balance paying what became owed
	ReasonPaymentReversed    Reason = "payment_reversed"
	ReasonNSFFee             Reason = "nsf_fee"
	ReasonPromotionCancelled Reason = "promotion_cancelled"
	ReasonDeferredExpired    Reason = "deferred_expired"
	ReasonChargeOff          Reason = "charge_off"
	ReasonRecovery           Reason = "recovery"
)

// Posting is one signed change, in cents, to what the customer owes in one
// bucket of one segment: positive owes more, negative owes less. A
// posting on BucketCredit or BucketChargedOff has Segment "".
type Posting struct {
	Segment string
	Bucket  Bucket
	Amount  int64
	Reason  Reason
	// Ref is the payment, purchase or return the posting belongs to.
	Ref string
}

// Sum is the total of postings' amounts: what the customer owes more (or,
// negative, less) after them.
func Sum(ps []Posting) int64 {
	var s int64
	for _, p := range ps {
		s += p.Amount
	}
	return s
}

// Opening is how an account starts being serviced.
type Opening struct {
	Number   string
	Province openflex.Province
	Language string // "en" or "fr"
	Opened   Date
	// StatementDay is the day of the month cycles end, fixed at opening:
	// 1..28, or 0 for the month's last day (the default). A day the month
	// lacks is its last day.
	StatementDay int
	CreditLimit  int64
	// Rate is the revolving segment's annual rate; 0 takes the
	// configuration's RevolvingRate.
	Rate finance.Percent
}

// Purchase is a capture posted to the account, with the terms of the quote
// the customer accepted.
type Purchase struct {
	ID     string // the capture's id; a plan purchase's segment id
	Date   Date
	Amount int64
	// Terms are the accepted quote's terms; Category Regular lands on the
	// revolving segment.
	Terms finance.Terms
	// DeferredRule is the deferred plan's disclosed rule; "" is
	// DeferredRetroactive.
	DeferredRule DeferredRule
	// Merchant and Store are the ids; MerchantName and StoreName the
	// names the customer knows them by, as they were at capture (a later
	// rename does not rewrite a statement).
	Merchant     string
	Store        string
	MerchantName string
	StoreName    string
	Description  string // the authorization's line items where given
}

// Return is a refund of (part of) a purchase.
type Return struct {
	ID          string
	PurchaseID  string
	Date        Date
	Amount      int64
	Description string
	// Merchant, Store and their names are the purchase's, as for a
	// Purchase: a credit says where it comes from.
	Merchant, Store         string
	MerchantName, StoreName string
}

// Payment is money received from the customer.
type Payment struct {
	ID     string
	Date   Date // the day it is effective; at most the account's open day
	Amount int64
	// Channel is how it came ("in_store", "bill_payment", "cheque",
	// "debit", …), printed on the statement.
	Channel string
	// Segment directs the payment at a plan (paying it off early): what
	// remains after fees, interest and what is due goes to this segment
	// before the highest-rate balance. "" follows the allocation order.
	Segment string `json:",omitempty"`
}

// Reversal undoes a payment: a returned cheque or debit, or a mistake.
type Reversal struct {
	PaymentID string
	Date      Date
	// Returned charges the lender's NSF fee (a payment the bank refused),
	// where a correction does not.
	Returned bool
	Reason   string
}

// StaffAction is what lender staff may do to an account's standing.
type StaffAction string

// The staff actions.
const (
	ActionFreeze   StaffAction = "freeze"
	ActionUnfreeze StaffAction = "unfreeze"
	ActionClose    StaffAction = "close"
)

// ChangeKind names something that happened to an account, for its event.
type ChangeKind string

// The changes a step may report.
const (
	ChangeStatus             ChangeKind = "status_changed"
	ChangePromotionCancelled ChangeKind = "promotion_cancelled"
	ChangeDeferredExpired    ChangeKind = "deferred_expired"
	ChangeDeferredWaived     ChangeKind = "deferred_interest_waived"
	ChangeGraceLost          ChangeKind = "grace_lost"
)

// Change is one thing that happened, for the engine's events.
type Change struct {
	Kind    ChangeKind
	Segment string                 // for promotion and deferred changes
	From    openflex.AccountStatus // for ChangeStatus
	To      openflex.AccountStatus
	Reason  string
	Amount  int64 // interest charged or waived, balance moved
}

// Result is what one step did: the postings for its ledger transaction,
// the statement produced (on a statement day), and the changes for events.
type Result struct {
	Postings  []Posting
	Statement *Statement
	Changes   []Change
}
