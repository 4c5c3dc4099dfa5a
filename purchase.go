package openflex

import (
	"fmt"
	"time"
)

// AuthorizationStatus is where a purchase authorization stands.
type AuthorizationStatus string

// Authorization statuses of API.md. pending and partially_captured are
// open: they still hold credit that captures may post.
const (
	AuthPending           AuthorizationStatus = "pending"
	AuthPartiallyCaptured AuthorizationStatus = "partially_captured"
	AuthCaptured          AuthorizationStatus = "captured"
	AuthReleased          AuthorizationStatus = "released"
	AuthExpired           AuthorizationStatus = "expired"
)

// Open reports whether the authorization still holds credit.
func (s AuthorizationStatus) Open() bool { return s == AuthPending || s == AuthPartiallyCaptured }

// Financing is the plan a purchase is financed on.
type Financing struct {
	PlanID     string
	TermMonths int
	// Disclosure is the cost-of-borrowing text shown for this purchase.
	Disclosure string
	// MerchantFee is the plan's fee as agreed when the purchase was
	// authorized: later changes to the plan do not reprice it.
	MerchantFee MerchantFee
}

// LineItem is one item of a purchase, for the merchant's records.
type LineItem struct {
	SKU         string
	Description string
	Quantity    int64
	UnitPrice   int64
}

// CheckLineItems reports the problems of a purchase's lines: each needs a
// SKU, a description, a positive quantity and a unit price, and when there
// are lines, they and taxes together must come to amount exactly — the
// shopper and the customer's statement show both, so they may never tell
// two different prices. Shipping and fees are lines of their
// own (a discount is a lower unit price). taxes is 0 where the request takes none (a checkout). The sum is
// judged only when amount and taxes are themselves valid (their own
// problems are the caller's to report).
func CheckLineItems(items []LineItem, taxes, amount int64) Problems {
	var p Problems
	total, overflow := taxes, false
	for i, it := range items {
		param := fmt.Sprintf("items[%d]", i)
		if it.SKU == "" {
			p.Invalid(param+".sku", "%s.sku must not be empty", param)
		}
		if it.Description == "" {
			p.Invalid(param+".description", "%s.description must not be empty", param)
		}
		if it.Quantity <= 0 {
			p.Invalid(param+".quantity", "quantity must be a positive whole number")
		}
		if fe := CheckAmount(param+".unit_price", it.UnitPrice, true); fe != nil {
			p = append(p, *fe)
		}
		if it.Quantity > 0 && it.UnitPrice > 0 {
			if it.UnitPrice > (MaxAmount-total)/it.Quantity {
				overflow = true
			} else {
				total += it.Quantity * it.UnitPrice
			}
		}
	}
	judged := len(items) > 0 && len(p) == 0 && amount > 0 && amount <= MaxAmount && taxes >= 0 && taxes <= MaxAmount
	if judged && (overflow || total != amount) {
		got := "more than " + FormatCAD(MaxAmount, "en")
		if !overflow {
			got = FormatCAD(total, "en")
		}
		p.Invalid("items", "the items (quantity × unit_price) with taxes come to %s but amount is %s: they must match", got, FormatCAD(amount, "en"))
	}
	return p
}

// Authorization holds credit on an account for a purchase; captures post
// all or part of it, release or expiry frees the rest.
type Authorization struct {
	ID             string
	MerchantID     string
	StoreID        string
	AccountNumber  string
	Amount         int64
	Currency       Currency
	CapturedAmount int64
	ReleasedAmount int64
	ReturnedAmount int64
	Status         AuthorizationStatus
	Channel        string // in_store or online
	Reference      string
	Financing      *Financing
	VerificationID string
	EmployeeID     string
	RegisterID     string
	Items          []LineItem
	TaxGSTHST      int64
	TaxPST         int64
	Metadata       map[string]string
	ExpiresAt      time.Time
	Created        time.Time
}

// Remaining is what captures may still post.
func (a *Authorization) Remaining() int64 { return a.Amount - a.CapturedAmount - a.ReleasedAmount }

// Capture posts part or all of an authorization to the account.
type Capture struct {
	ID              string
	MerchantID      string
	AuthorizationID string
	StoreID         string
	AccountNumber   string
	Amount          int64
	ReturnedAmount  int64
	Reference       string
	// Fee is the merchant fee this capture carries.
	Fee     int64
	Created time.Time
}

// Return gives back part or all of a capture.
type Return struct {
	ID              string
	MerchantID      string
	CaptureID       string
	AuthorizationID string
	StoreID         string
	AccountNumber   string
	Amount          int64
	Reference       string
	Reason          string
	// FeeRefund is the part of the capture's merchant fee given back.
	FeeRefund int64
	Created   time.Time
}

// TransactionType names a money movement.
type TransactionType string

// Money movements. Each is one transaction row with balanced entries.
const (
	TxnAuthorization TransactionType = "authorization"
	TxnCapture       TransactionType = "capture"
	TxnRelease       TransactionType = "release"
	TxnExpiry        TransactionType = "expiry"
	TxnReturn        TransactionType = "return"
	TxnPayment       TransactionType = "payment"
	TxnPayout        TransactionType = "payout" // the lender pays a merchant's settlement

	// Servicing's movements (issue 26): interest and fees charged, a
	// payment reversed, balances moved between an account's segments (a
	// deferred plan expired, an equal-payment promotion cancelled) and a
	// balance charged off.
	TxnInterest           TransactionType = "interest"
	TxnFee                TransactionType = "fee"
	TxnPaymentReversal    TransactionType = "payment_reversal"
	TxnPlanExpired        TransactionType = "plan_expired"
	TxnPromotionCancelled TransactionType = "promotion_cancelled"
	TxnChargeOff          TransactionType = "charge_off"
	// A fee or interest charge waived by lender staff (a credit).
	TxnFeeWaived      TransactionType = "fee_waived"
	TxnInterestWaived TransactionType = "interest_waived"
)

// Transaction is one money movement of the history.
type Transaction struct {
	ID              string
	MerchantID      string // empty for a customer's payment
	StoreID         string
	AccountNumber   string
	Type            TransactionType
	Amount          int64
	AuthorizationID string
	CaptureID       string
	ReturnID        string
	Reference       string
	Created         time.Time
}

// Entry is one side of a double-entry posting. Every transaction's entries
// balance: the debits equal the credits.
type Entry struct {
	TransactionID string
	Ledger        string // e.g. "acct:12345678901234:held"
	Debit         int64
	Credit        int64
}

// Event is a state change recorded in the outbox with the change itself.
type Event struct {
	ID         string
	MerchantID string
	Type       string
	Object     []byte // the API object, JSON
	Created    time.Time
}
