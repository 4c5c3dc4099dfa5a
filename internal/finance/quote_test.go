package finance

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// call renders a NewQuote call for failure messages.
func call(amount int64, t Terms, lang string) string {
	return fmt.Sprintf("NewQuote(%d, %+v, %q)", amount, t, lang)
}

// amounts lists the Amount of each payment.
func amounts(pays []Payment) []int64 {
	out := make([]int64, len(pays))
	for i, p := range pays {
		out[i] = p.Amount
	}
	return out
}

// level returns n payments of each, then last.
func level(n int, each, last int64) []int64 {
	out := slices.Repeat([]int64{each}, n-1)
	return append(out, last)
}

// TestNewQuoteWorkedExamples checks figures derived by hand. Amounts are in
// cents; the arithmetic in each comment is in dollars.
func TestNewQuoteWorkedExamples(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		terms    Terms
		monthly  int64
		payments []int64 // nil for Regular
		interest int64
		cost     int64
		toPay    int64
		apr      Percent
		deferred int64 // DeferredInterest
		defAPR   Percent
	}{
		{
			// 1,200.00 / 12 = 100.00 exactly; nothing to borrow at: C = 0, APR 0.
			name:   "12 equal payments at 0%, no fee",
			amount: 120000, terms: Terms{Category: EqualPayments, Months: 12},
			monthly: 10000, payments: level(12, 10000, 10000),
			interest: 0, cost: 0, toPay: 120000, apr: 0,
		},
		{
			// The fee rides on payment 1: 100.00 + 49.99 = 149.99. C = 49.99.
			// Opening balances 1,200, 1,100, …, 100 sum to 100 × (12·13/2) =
			// 7,800, so P = 7,800/12 = 650.00; T = 12/12 = 1.
			// APR = 49.99 / (1 × 650) × 100 = 7.6907…%. The neighbouring
			// eighths are 7.625 (0.0657 away) and 7.750 (0.0593 away), so the
			// nearest is 7.75%, not 7.625%.
			name:   "12 equal payments at 0%, $49.99 total fee",
			amount: 120000, terms: Terms{Category: EqualPayments, Months: 12, AdminFee: 4999},
			monthly: 10000, payments: append([]int64{14999}, level(11, 10000, 10000)...),
			interest: 0, cost: 4999, toPay: 124999, apr: 7750,
		},
		{
			// i = 0.2999/12 = 0.0249916…; (1+i)^24 = 1.8083730…, so
			// (1+i)^−24 = 0.5529832… and the annuity payment is
			// 2,000 × 0.0249916… / (1 − 0.5529832…) = 49.98333… / 0.4470167…
			// = 111.8153… → 111.82 (half-up).
			// Month 1 interest: 2,000 × i = 49.9833 → 49.98; principal 61.84.
			// Amortising on, 23 payments leave 108.93; the last payment is
			// 108.93 + round(108.93 × i = 2.7223) = 108.93 + 2.72 = 111.65.
			// Σ payments = 23 × 111.82 + 111.65 = 2,571.86 + 111.65 = 2,683.51,
			// so interest = 2,683.51 − 2,000.00 = 683.51.
			// Opening balances sum to 27,350.09, P = 27,350.09/24 = 1,139.587…;
			// T = 2; APR = 683.51 / (2 × 1,139.587…) × 100 = 29.989…% → 30%
			// (29.875 is 0.114 away, 30.000 is 0.011 away).
			name:   "$2,000 at 29.99% over 24 months",
			amount: 200000, terms: Terms{Category: EqualPayments, Months: 24, AnnualRate: 29990},
			monthly: 11182, payments: level(24, 11182, 11165),
			interest: 68351, cost: 68351, toPay: 268351, apr: 30000,
		},
		{
			// 1,000.00 / 3 = 333.333… → 333.33 rounded down; the last payment
			// takes the remainder: 1,000.00 − 2 × 333.33 = 333.34.
			name:   "$1,000 over 3 months at 0%",
			amount: 100000, terms: Terms{Category: EqualPayments, Months: 3},
			monthly: 33333, payments: []int64{33333, 33333, 33334},
			interest: 0, cost: 0, toPay: 100000, apr: 0,
		},
		{
			// i = 0.0999/12 = 0.008325; annuity = 1,200 × i / (1 − (1+i)^−12)
			// = 9.99 / 0.09469… = 105.4934… → 105.49, plus the 5.00 monthly fee
			// = 110.49. Interest runs 9.99, 9.19, 8.39, …, 0.87 and totals
			// 65.90; the last payment is 104.64 + 0.87 + 5.00 = 110.51.
			// C = 65.90 + 12 × 5.00 = 125.90. Opening balances sum to
			// 7,918.64, P = 659.886…; APR = 125.90 / (1 × 659.886…) × 100 =
			// 19.079…% → 19.125% (19.000 is 0.079 away, 19.125 is 0.046).
			name:   "$1,200 at 9.99% over 12 months, $5.00 monthly fee",
			amount: 120000, terms: Terms{Category: EqualPayments, Months: 12, AnnualRate: 9990, AdminFee: 500, FeeKind: FeeMonthly},
			monthly: 11049, payments: level(12, 11049, 11051),
			interest: 6590, cost: 12590, toPay: 132590, apr: 19125,
		},
		{
			// i = 0.01/12: the annuity on 5.89 over 60 months is 0.1007 →
			// 0.10, but interest on any balance under 6.00 rounds to 0.00,
			// so 0.10 a month would clear 5.89 in month 59 with nothing left
			// for month 60. The largest payment that keeps a balance until
			// the end is 0.09: 59 × 0.09 = 5.31, last payment 0.58.
			name:   "tiny amount: level payment lowered to keep a balance",
			amount: 589, terms: Terms{Category: EqualPayments, Months: 60, AnnualRate: 1000},
			monthly: 9, payments: level(60, 9, 58),
			interest: 0, cost: 0, toPay: 589, apr: 0,
		},
		{
			// Pay-in-time instalment 600.00 / 6 = 100.00. Paid in time, no
			// interest and no fee: C = 0, APR 0. Unpaid, simple interest
			// 600 × 0.2999 × 6/12 = 89.97 exactly; its APR, with the whole
			// 600 outstanding for T = 0.5, is 89.97 / (0.5 × 600) × 100 =
			// 29.99% → 30%.
			name:   "deferred 6 months at 29.99%",
			amount: 60000, terms: Terms{Category: Deferred, Months: 6, AnnualRate: 29990},
			monthly: 10000, payments: level(6, 10000, 10000),
			cost: 0, toPay: 60000, apr: 0, deferred: 8997, defAPR: 30000,
		},
		{
			// 1,000.00 / 3 = 333.333… rounded up = 333.34; payments 333.34 +
			// 49.99 = 383.33, 333.34, and the remaining 333.32. Opening
			// balances 1,000.00 + 666.66 + 333.32 = 1,999.98, P = 666.66;
			// APR = 49.99 / (0.25 × 666.66) × 100 = 29.994…% → 30%.
			// Unpaid: 1,000 × 0.2999 × 3/12 = 74.975 → 74.98 (half-up), APR
			// (74.98 + 49.99) / (0.25 × 1,000) × 100 = 49.988% → 50%.
			name:   "deferred 3 months at 29.99%, $49.99 fee",
			amount: 100000, terms: Terms{Category: Deferred, Months: 3, AnnualRate: 29990, AdminFee: 4999},
			monthly: 33334, payments: []int64{38333, 33334, 33332},
			cost: 4999, toPay: 104999, apr: 30000, deferred: 7498, defAPR: 50000,
		},
		{
			// 3% of 250.00 = 7.50 < 10.00, so the minimum is 10.00.
			name:   "regular $250 at 29.99%",
			amount: 25000, terms: Terms{Category: Regular, AnnualRate: 29990},
			monthly: 1000, cost: 0, toPay: 25000, apr: 29990,
		},
		{
			// 3% of 1,000.00 = 30.00.
			name:   "regular $1,000 at 29.99%",
			amount: 100000, terms: Terms{Category: Regular, AnnualRate: 29990},
			monthly: 3000, cost: 0, toPay: 100000, apr: 29990,
		},
		{
			// 3% of 1,000.01 = 30.0003 → 30.01 rounded up.
			name:   "regular $1,000.01 rounds 3% up",
			amount: 100001, terms: Terms{Category: Regular, AnnualRate: 29990},
			monthly: 3001, cost: 0, toPay: 100001, apr: 29990,
		},
		{
			// The $10.00 floor would exceed the $5.00 purchase: capped at 5.00.
			name:   "regular $5 capped at the amount",
			amount: 500, terms: Terms{Category: Regular, AnnualRate: 29990},
			monthly: 500, cost: 0, toPay: 500, apr: 29990,
		},
		{
			// A one-time fee on a revolving purchase is a non-interest charge
			// certain to be paid, so it is the cost of borrowing if the
			// purchase is paid by the due date; the APR stays the account's rate.
			name:   "regular with a one-time fee",
			amount: 100000, terms: Terms{Category: Regular, AnnualRate: 29990, AdminFee: 2500},
			monthly: 3000, cost: 2500, toPay: 102500, apr: 29990,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := NewQuote(tt.amount, tt.terms, "en")
			c := call(tt.amount, tt.terms, "en")
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			if q.MonthlyPayment != tt.monthly {
				t.Errorf("%s.MonthlyPayment = %d, want %d", c, q.MonthlyPayment, tt.monthly)
			}
			if got := amounts(q.Payments); !slices.Equal(got, tt.payments) && (len(got) != 0 || len(tt.payments) != 0) {
				t.Errorf("%s payments = %v, want %v", c, got, tt.payments)
			}
			if q.TotalInterest != tt.interest {
				t.Errorf("%s.TotalInterest = %d, want %d", c, q.TotalInterest, tt.interest)
			}
			if q.TotalCostOfBorrowing != tt.cost {
				t.Errorf("%s.TotalCostOfBorrowing = %d, want %d", c, q.TotalCostOfBorrowing, tt.cost)
			}
			if q.TotalToPay != tt.toPay {
				t.Errorf("%s.TotalToPay = %d, want %d", c, q.TotalToPay, tt.toPay)
			}
			if q.APR != tt.apr {
				t.Errorf("%s.APR = %s, want %s", c, q.APR, tt.apr)
			}
			if q.DeferredInterest != tt.deferred || q.DeferredAPR != tt.defAPR {
				t.Errorf("%s deferred interest, APR = %d, %s, want %d, %s", c, q.DeferredInterest, q.DeferredAPR, tt.deferred, tt.defAPR)
			}
		})
	}
}

// TestNewQuoteFirstPaymentSplit pins the interest/principal split of the
// 29.99 % example's first payment: 2,000 × 0.2999/12 = 49.9833 → 49.98,
// principal 111.82 − 49.98 = 61.84, balance 1,938.16.
func TestNewQuoteFirstPaymentSplit(t *testing.T) {
	terms := Terms{Category: EqualPayments, Months: 24, AnnualRate: 29990}
	q, err := NewQuote(200000, terms, "en")
	if err != nil {
		t.Fatal(err)
	}
	want := Payment{Number: 1, Amount: 11182, Interest: 4998, Principal: 6184, Balance: 193816}
	if got := q.Payments[0]; got != want {
		t.Errorf("%s.Payments[0] = %+v, want %+v", call(200000, terms, "en"), got, want)
	}
}

func TestNewQuoteRejects(t *testing.T) {
	equal := Terms{Category: EqualPayments, Months: 12}
	tests := []struct {
		name   string
		amount int64
		terms  Terms
		param  string
	}{
		{"zero amount", 0, equal, "amount"},
		{"negative amount", -100, equal, "amount"},
		{"amount over the ceiling", MaxAmount + 1, equal, "amount"},
		{"unknown category", 1000, Terms{Category: "layaway", Months: 3}, "category"},
		{"empty category", 1000, Terms{Months: 3}, "category"},
		{"zero months", 1000, Terms{Category: EqualPayments}, "term_months"},
		{"too many months", 1000, Terms{Category: Deferred, Months: 121}, "term_months"},
		{"negative months", 1000, Terms{Category: Deferred, Months: -1}, "term_months"},
		{"regular with a term", 1000, Terms{Category: Regular, Months: 12}, "term_months"},
		{"negative rate", 1000, Terms{Category: EqualPayments, Months: 3, AnnualRate: -1}, "annual_interest_rate"},
		{"rate over 100%", 1000, Terms{Category: EqualPayments, Months: 3, AnnualRate: MaxPercent + 1}, "annual_interest_rate"},
		{"negative fee", 1000, Terms{Category: EqualPayments, Months: 3, AdminFee: -1}, "admin_fee"},
		{"fee over the ceiling", 1000, Terms{Category: EqualPayments, Months: 3, AdminFee: MaxAmount + 1}, "admin_fee"},
		{"unknown fee kind", 1000, Terms{Category: EqualPayments, Months: 3, FeeKind: "weekly"}, "fee_kind"},
		{"monthly fee on regular", 1000, Terms{Category: Regular, AdminFee: 100, FeeKind: FeeMonthly}, "fee_kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := NewQuote(tt.amount, tt.terms, "en")
			var ie *InputError
			if !errors.As(err, &ie) || ie.Param != tt.param {
				t.Fatalf("%s = %+v, %v, want an InputError for %q", call(tt.amount, tt.terms, "en"), q, err, tt.param)
			}
		})
	}
}

func TestNewQuoteDefaultsFeeKind(t *testing.T) {
	terms := Terms{Category: EqualPayments, Months: 3, AdminFee: 100}
	q, err := NewQuote(30000, terms, "en")
	if err != nil || q.Terms.FeeKind != FeeTotal || q.TotalFees != 100 {
		t.Errorf("%s = FeeKind %q, TotalFees %d, %v, want %q, 100, nil", call(30000, terms, "en"), q.Terms.FeeKind, q.TotalFees, err, FeeTotal)
	}
}

func TestAsLowAs(t *testing.T) {
	regular := Terms{Category: Regular, AnnualRate: 29990}
	eq12 := Terms{Category: EqualPayments, Months: 12}                     // 100.00
	eq24 := Terms{Category: EqualPayments, Months: 24, AnnualRate: 29990}  // 67.09
	def6 := Terms{Category: Deferred, Months: 6, AnnualRate: 29990}        // 200.00
	eq24fee := Terms{Category: EqualPayments, Months: 24, AdminFee: 9999}  // 50.00, fee on payment 1 only
	bad := Terms{Category: EqualPayments, Months: 500}                     // rejected
	eq24m := Terms{Category: EqualPayments, Months: 24, AnnualRate: 29990} // ties eq24
	tests := []struct {
		name    string
		terms   []Terms
		monthly int64
		index   int
		ok      bool
	}{
		{"empty", nil, 0, -1, false},
		{"only regular", []Terms{regular}, 0, -1, false},
		{"only invalid", []Terms{bad}, 0, -1, false},
		{"skips regular and invalid", []Terms{regular, bad, eq12, def6}, 10000, 2, true},
		{"longer term wins", []Terms{eq12, eq24, def6}, 6709, 1, true},
		{"first on a tie", []Terms{eq24, eq24m}, 6709, 0, true},
		{"total fee not in the monthly figure", []Terms{eq24, eq24fee}, 5000, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, i, ok := AsLowAs(120000, tt.terms)
			if m != tt.monthly || i != tt.index || ok != tt.ok {
				t.Errorf("AsLowAs(120000, %v) = %d, %d, %v, want %d, %d, %v", tt.terms, m, i, ok, tt.monthly, tt.index, tt.ok)
			}
		})
	}
}

// TestNewQuoteExtremes runs the largest inputs NewQuote accepts through
// every category: nothing may overflow, and the schedule must still add up.
func TestNewQuoteExtremes(t *testing.T) {
	for _, amount := range []int64{1, MaxAmount} {
		for _, terms := range []Terms{
			{Category: EqualPayments, Months: MaxMonths, AnnualRate: MaxPercent, AdminFee: MaxAmount, FeeKind: FeeMonthly},
			{Category: EqualPayments, Months: 1, AnnualRate: MaxPercent, AdminFee: MaxAmount},
			{Category: EqualPayments, Months: MaxMonths, AnnualRate: 1},
			{Category: Deferred, Months: MaxMonths, AnnualRate: MaxPercent, AdminFee: MaxAmount, FeeKind: FeeMonthly},
			{Category: Regular, AnnualRate: MaxPercent, AdminFee: MaxAmount},
		} {
			q, err := NewQuote(amount, terms, "fr")
			c := call(amount, terms, "fr")
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			var principal, paid int64
			for _, p := range q.Payments {
				if p.Amount < 0 || p.Principal < 0 || p.Interest < 0 || p.Balance < 0 {
					t.Fatalf("%s payment %+v has a negative part", c, p)
				}
				principal += p.Principal
				paid += p.Amount
			}
			if len(q.Payments) > 0 && (principal != amount || paid != q.TotalToPay) {
				t.Errorf("%s repays %d of %d and pays %d, want TotalToPay %d", c, principal, amount, paid, q.TotalToPay)
			}
			if q.TotalToPay != amount+q.TotalCostOfBorrowing || q.APR < 0 || q.DeferredAPR < 0 {
				t.Errorf("%s = TotalToPay %d, cost %d, APR %s, DeferredAPR %s", c, q.TotalToPay, q.TotalCostOfBorrowing, q.APR, q.DeferredAPR)
			}
		}
	}
}
