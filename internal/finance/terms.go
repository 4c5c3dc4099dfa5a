package finance

import "fmt"

// Category is the kind of plan an option belongs to; its values are the API's
// "category" strings.
type Category string

// The plan categories OpenFlex offers.
const (
	// Regular is a purchase on the revolving account at the account's
	// annual rate: no fixed term, a minimum payment each month.
	Regular Category = "regular"
	// EqualPayments is an instalment plan repaid in equal monthly payments
	// of interest and principal over a fixed number of months.
	EqualPayments Category = "equal_payments"
	// Deferred is "no interest if paid in full within N months": interest
	// accrues from the purchase date and is waived only if the balance is
	// cleared in time.
	Deferred Category = "deferred"
)

// FeeKind says how an administration fee is charged.
type FeeKind string

// The ways an administration fee can be charged.
const (
	// FeeTotal is charged once, with the first payment.
	FeeTotal FeeKind = "total"
	// FeeMonthly is charged with every monthly payment of the term.
	FeeMonthly FeeKind = "monthly"
)

// Limits on what [NewQuote] accepts.
const (
	// MaxAmount is the largest amount, and the largest administration fee,
	// in cents: $99,999,999.99, the same ceiling as every money field of
	// the API.
	MaxAmount int64 = 9_999_999_999
	// MaxMonths is the longest term of an equal-payment or deferred plan.
	MaxMonths = 120
)

// Terms describes one plan option a customer may choose.
type Terms struct {
	Category Category
	// Months is the term: 1..MaxMonths for EqualPayments and Deferred, and
	// 0 for Regular, which revolves.
	Months int
	// AnnualRate is the plan's annual interest rate. For Deferred it is the
	// rate charged, from the purchase date, when the balance is not paid in
	// full in time.
	AnnualRate Percent
	// AdminFee is the administration fee in cents, charged as FeeKind says.
	AdminFee int64
	// FeeKind defaults to FeeTotal when empty.
	FeeKind FeeKind
}

// InputError reports an amount or terms that [NewQuote] cannot quote. Param
// names the offending input as the quotes API spells it, so a caller can map
// it to a parameter error without parsing Message.
type InputError struct {
	Param   string // "amount", "category", "term_months", "annual_interest_rate", "admin_fee" or "fee_kind"
	Message string // user-safe, English
}

// Error reports the offending parameter and why it was rejected.
func (e *InputError) Error() string {
	return "finance: " + e.Param + ": " + e.Message
}

func inputErr(param, format string, args ...any) error {
	return &InputError{Param: param, Message: fmt.Sprintf(format, args...)}
}

// normalize validates amount and t and returns t with its defaults filled in.
func normalize(amount int64, t Terms) (Terms, error) {
	if amount <= 0 || amount > MaxAmount {
		return t, inputErr("amount", "must be between 1 and %d cents, got %d", MaxAmount, amount)
	}
	switch t.Category {
	case Regular:
		if t.Months != 0 {
			return t, inputErr("term_months", "must be 0 for a regular (revolving) plan, got %d", t.Months)
		}
	case EqualPayments, Deferred:
		if t.Months < 1 || t.Months > MaxMonths {
			return t, inputErr("term_months", "must be between 1 and %d for a %s plan, got %d", MaxMonths, t.Category, t.Months)
		}
	default:
		return t, inputErr("category", "must be %q, %q or %q, got %q", Regular, EqualPayments, Deferred, t.Category)
	}
	if t.AnnualRate < 0 || t.AnnualRate > MaxPercent {
		return t, inputErr("annual_interest_rate", "must be between 0 and 100 percent, got %s", t.AnnualRate)
	}
	if t.AdminFee < 0 || t.AdminFee > MaxAmount {
		return t, inputErr("admin_fee", "must be between 0 and %d cents, got %d", MaxAmount, t.AdminFee)
	}
	switch t.FeeKind {
	case "":
		t.FeeKind = FeeTotal
	case FeeTotal, FeeMonthly:
	default:
		return t, inputErr("fee_kind", "must be %q or %q, got %q", FeeTotal, FeeMonthly, t.FeeKind)
	}
	if t.Category == Regular && t.FeeKind == FeeMonthly && t.AdminFee > 0 {
		// A monthly fee on a revolving purchase runs for as long as a balance
		// remains, which no quote can know; refusing it beats disclosing a
		// total cost of borrowing that is too low.
		return t, inputErr("fee_kind", "a regular (revolving) plan cannot have a monthly admin fee")
	}
	return t, nil
}

// feeTotal is the sum of administration fees over the plan's term.
func (t Terms) feeTotal() int64 {
	if t.FeeKind == FeeMonthly {
		return t.AdminFee * int64(t.Months)
	}
	return t.AdminFee
}
