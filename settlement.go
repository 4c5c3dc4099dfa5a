package openflex

import "time"

// PrefixSettlement and PrefixPayout name settlement identifiers.
const (
	PrefixSettlement = "stl"
	PrefixPayout     = "po"
)

// MerchantFee is what a plan costs the merchant per purchase: a rate in
// basis points of each capture plus a fixed amount per purchase (charged
// with its first capture). Returns give the fee back pro rata unless
// NoRefund says otherwise. The zero value is free.
type MerchantFee struct {
	Bps      int64 // 600 = 6.00 %
	Fixed    int64 // cents per purchase
	NoRefund bool
}

// MaxMerchantFeeBps caps the rate: a fee above the purchase makes no sense.
const MaxMerchantFeeBps = 10000

// OnCapture is the fee on a capture of amount; first reports whether it is
// the purchase's first capture (which carries the fixed part). The rate
// part is rounded half up to the cent; the fee never exceeds the capture,
// so a line's net is never negative.
func (f MerchantFee) OnCapture(amount int64, first bool) int64 {
	fee := roundHalfUp(amount*f.Bps, 10000)
	if first {
		fee += f.Fixed
	}
	return min(max(fee, 0), amount)
}

// Refund is the fee given back by a return of amount from a capture of
// captured cents that carried fee, of which returnedBefore cents were
// already returned. It is cumulative: the refunds of any sequence of
// returns sum to round(fee × returned / captured), so a capture returned
// in full gives back exactly its whole fee, whatever the pieces.
func (f MerchantFee) Refund(captured, fee, returnedBefore, amount int64) int64 {
	if f.NoRefund || captured <= 0 || fee <= 0 {
		return 0
	}
	return roundHalfUp(fee*(returnedBefore+amount), captured) - roundHalfUp(fee*returnedBefore, captured)
}

// roundHalfUp divides n ≥ 0 by d > 0, rounding halves up.
func roundHalfUp(n, d int64) int64 { return (2*n + d) / (2 * d) }

// SettlementStatus is where a merchant's day stands.
type SettlementStatus string

// Settlement statuses: open while the day fills, then pending (closed, to
// be paid), paid, or carried_forward (the day's net was negative: it is
// subtracted from the next settlement instead of being paid).
const (
	SettlementOpen           SettlementStatus = "open"
	SettlementPending        SettlementStatus = "pending"
	SettlementPaid           SettlementStatus = "paid"
	SettlementCarriedForward SettlementStatus = "carried_forward"
)

// SettlementTotals are the sums of a set of settlement lines.
type SettlementTotals struct {
	Gross      int64 // captures
	Returns    int64
	Fees       int64
	FeeRefunds int64
	// Payments is the customers' cash the merchant took in store for the
	// lender, netted from what the lender owes it.
	Payments int64
	Lines    int64
}

// Net is what the lines owe the merchant: gross − returns − fees + fee
// refunds − payments collected.
func (t SettlementTotals) Net() int64 {
	return t.Gross - t.Returns - t.Fees + t.FeeRefunds - t.Payments
}

// Add adds one line.
func (t *SettlementTotals) Add(l *SettlementLine) {
	t.Lines++
	switch l.Type {
	case TxnCapture:
		t.Gross += l.Amount
		t.Fees += l.Fee
	case TxnReturn:
		t.Returns += l.Amount
		t.FeeRefunds += l.Fee
	case TxnPayment:
		t.Payments += l.Amount
	}
}

// StoreTotals are one store's part of a settlement.
type StoreTotals struct {
	StoreID string
	SettlementTotals
}

// Settlement is what the lender owes a merchant for one business day, cut
// at midnight in each store's time zone.
type Settlement struct {
	ID           string
	MerchantID   string
	BusinessDate string // YYYY-MM-DD
	Status       SettlementStatus
	SettlementTotals
	// CarriedIn is the negative amount a previous settlement carried
	// forward into this one (≤ 0).
	CarriedIn int64
	Stores    []StoreTotals
	ClosedAt  time.Time
	PaidAt    time.Time
	PayoutID  string
	Created   time.Time
}

// Amount is what the settlement pays: its net plus what was carried in.
// Negative means it carries forward.
func (s *Settlement) Amount() int64 { return s.Net() + s.CarriedIn }

// SettlementLine is one capture, return or in-store payment as the
// merchant's payable saw it: written with the movement, rolled into a
// settlement at the cut.
type SettlementLine struct {
	ID              string // the movement's transaction id
	MerchantID      string
	StoreID         string
	Type            TransactionType // capture, return or payment
	Amount          int64
	Fee             int64 // the fee (capture) or fee refund (return)
	AuthorizationID string
	CaptureID       string
	ReturnID        string
	SettlementID    string // "" while unsettled
	Created         time.Time
}

// Net is the line's effect on the merchant's payable.
func (l *SettlementLine) Net() int64 {
	if l.Type == TxnReturn || l.Type == TxnPayment {
		return -(l.Amount - l.Fee)
	}
	return l.Amount - l.Fee
}

// BankAccount is where a merchant is paid: a Canadian institution (3
// digits), transit (5 digits) and account number (up to 12 digits).
type BankAccount struct {
	Institution string
	Transit     string
	Account     string
	HolderName  string
}

// Masked shows the account without revealing it: institution and transit,
// and the last 3 digits of the account.
func (b BankAccount) Masked() string {
	if b.Account == "" {
		return ""
	}
	last := b.Account
	if len(last) > 3 {
		last = last[len(last)-3:]
	}
	return b.Institution + "-" + b.Transit + "-•••" + last
}

// Validate reports every problem of b at once.
func (b BankAccount) Validate() error {
	var p Problems
	digits := func(s string, lo, hi int) bool {
		if len(s) < lo || len(s) > hi {
			return false
		}
		for _, c := range s {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	if !digits(b.Institution, 3, 3) {
		p.Invalid("institution", "institution must be 3 digits")
	}
	if !digits(b.Transit, 5, 5) {
		p.Invalid("transit", "transit must be 5 digits")
	}
	if !digits(b.Account, 5, 12) {
		p.Invalid("account", "account must be 5 to 12 digits")
	}
	if n := len(b.HolderName); n == 0 || n > 30 {
		p.Invalid("holder_name", "holder_name must be 1 to 30 characters")
	}
	return p.Err()
}
