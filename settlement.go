package openflex

import (
	"strings"
	"time"
)

// PrefixSettlement and PrefixPayout name settlement identifiers.
const (
	PrefixSettlement = "stl"
	PrefixPayout     = "po"
)

// MerchantFee is what a plan costs the merchant per purchase: a rate in
// basis points of the amount captured plus a fixed amount per purchase.
// The fee is a function of the purchase's captured total (Total), so how
// the captures are split never changes it. Returns give the fee back pro
// rata unless NoRefund says otherwise. The zero value is free.
type MerchantFee struct {
	Bps      int64 // 600 = 6.00 %
	Fixed    int64 // cents per purchase
	NoRefund bool
}

// MaxMerchantFeeBps caps the rate: a fee above the purchase makes no sense.
const MaxMerchantFeeBps = 10000

// Total is the fee on a purchase of which captured cents are captured: the
// rate part rounded half up to the cent, plus the fixed part once anything
// is captured, never above captured (a settlement line's net is never
// negative).
func (f MerchantFee) Total(captured int64) int64 {
	if captured <= 0 {
		return 0
	}
	return min(max(roundHalfUp(captured*f.Bps, 10000)+f.Fixed, 0), captured)
}

// OnCapture is the fee on a capture of amount when capturedBefore cents of
// the same purchase were captured before it: the fee of the new total less
// the fee already charged. Any split of a total into captures therefore
// pays exactly Total of it, to the cent; a one-cent first capture cannot
// carry one cent of the fixed part and leave the rest unpaid, nor can many
// small captures each round the rate down to nothing. The fee is never
// negative and never above amount, because Total grows by at most a cent
// for each cent captured.
func (f MerchantFee) OnCapture(capturedBefore, amount int64) int64 {
	return f.Total(capturedBefore+amount) - f.Total(capturedBefore)
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
	// Reference is the authorization's reference (the merchant's order or
	// receipt number), read with the line so a payout reconciles against
	// the merchant's orders without a join through authorizations.
	Reference    string
	CaptureID    string
	ReturnID     string
	SettlementID string // "" while unsettled
	Created      time.Time
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
	if !ValidHolderName(b.HolderName) {
		p.Invalid("holder_name", "holder_name must be 1 to %d characters: %s", HolderNameMax, HolderNameChars)
	}
	return p.Err()
}

// FoldHolderName is name as a CPA-005 field carries it: accented letters
// as their base letter, anything outside HolderNameChars as a space, runs
// of spaces as one, upper case, trimmed. A name ValidHolderName accepts
// keeps every character.
func FoldHolderName(name string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(name) {
		if base, ok := latinBase[r]; ok {
			r = base
		}
		if r == ' ' || !holderRune(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// HolderNameMax is the length of a CPA-005 payee name field, in characters.
const HolderNameMax = 30

// HolderNameChars is what a bank account holder's name may contain: what a
// CPA-005 alphanumeric field carries. The file is written in upper case
// without accents, so an accented Latin letter is taken and written as its
// base letter.
const HolderNameChars = "letters A-Z (accented letters such as é or Ç are written without their accent), digits 0-9, spaces and . , - ' & / ( ) #"

// ValidHolderName reports whether name, without its leading and trailing
// spaces, is 1 to HolderNameMax characters (not bytes) of HolderNameChars.
// Control characters, other scripts and symbols are refused rather than
// silently dropped from the payment file.
func ValidHolderName(name string) bool {
	name = strings.TrimSpace(name)
	n := 0
	for _, r := range name {
		n++
		if !holderRune(r) {
			return false
		}
	}
	return n >= 1 && n <= HolderNameMax && strings.ContainsFunc(name, func(r rune) bool { return r != ' ' && !strings.ContainsRune(holderPunct, r) })
}

const holderPunct = ".,-'&/()#"

func holderRune(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == ' ', strings.ContainsRune(holderPunct, r):
		return true
	}
	_, ok := latinBase[r]
	return ok
}

// latinBase maps the accented Latin letters of French and the other
// languages of Canada's payees to their base letter (what the file carries).
var latinBase = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'A': "ÀÁÂÃÄÅàáâãäå", 'C': "Çç", 'E': "ÈÉÊËèéêë", 'I': "ÌÍÎÏìíîï", 'N': "Ññ",
		'O': "ÒÓÔÕÖòóôõö", 'U': "ÙÚÛÜùúûü", 'Y': "Ýÿý",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
