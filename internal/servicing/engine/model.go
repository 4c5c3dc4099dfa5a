package engine

import "time"

// StoredStatement is a statement as kept: the figures a list shows, the
// whole servicing.Statement as JSON, and its text in the account's
// language.
type StoredStatement struct {
	ID            string
	AccountNumber string
	PeriodStart   string // YYYY-MM-DD
	PeriodEnd     string
	Opening       int64
	Closing       int64
	Minimum       int64
	DueDate       string
	Language      string
	Lines         []StatementLine
	Body          []byte
	Text          string
	Created       time.Time
}

// StatementLine is one line of a statement.
type StatementLine struct {
	PostedOn    string
	Kind        string
	Description string
	Amount      int64
}

// Payment channels.
const (
	ChannelInStore    = "in_store"    // a merchant took the payment at its till
	ChannelBank       = "bank"        // online or telephone bill payment
	ChannelCheque     = "cheque"      // a cheque received by the lender
	ChannelDebit      = "debit"       // a pre-authorized debit
	ChannelTestHelper = "test_helper" // TRAINING's test helper
)

// Payment statuses.
const (
	PaymentSucceeded = "succeeded"
	PaymentReversed  = "reversed"
)

// Payment is a customer's payment towards an account and how it was
// allocated.
type Payment struct {
	ID             string
	AccountNumber  string
	Amount         int64
	Channel        string
	MerchantID     string
	StoreID        string
	RegisterID     string
	EmployeeID     string
	VerificationID string
	Reference      string
	Status         string
	PostedOn       string // the account's day it was applied
	TransactionID  string
	Allocation     []AllocationLine
	NSFFee         int64
	ReversalID     string // the reversal's transaction
	ReversalReason string
	ReversedAt     time.Time
	Created        time.Time
}

// AllocationLine is the part of a payment applied to one bucket (fees,
// interest, principal, credit) of one segment.
type AllocationLine struct {
	SegmentID string
	Bucket    string
	Amount    int64
}
