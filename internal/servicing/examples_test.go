package servicing_test

import (
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// The worked figures of the servicing notes (§6), to the cent. Daily rate
// r = 29.99 % / 365 unless said.

func open(t testing.TB, opened servicing.Date, province openflex.Province) *servicing.Account {
	t.Helper()
	a, err := servicing.Open(servicing.DefaultConfig(), servicing.Opening{Number: "30000000000017", Province: province,
		Language: "en", Opened: opened, CreditLimit: 5_000_00, Rate: 29_990})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// run ends every day through last and returns the statements produced.
func run(t testing.TB, a *servicing.Account, last servicing.Date) []*servicing.Statement {
	t.Helper()
	var out []*servicing.Statement
	for a.Day.Before(last) {
		r, err := a.EndDay(a.OpenDay())
		if err != nil {
			t.Fatal(err)
		}
		if r.Statement != nil {
			out = append(out, r.Statement)
		}
	}
	return out
}

// must fails the test on a step's error: must(t)(a.Pay(…)).
func must(t testing.TB) func(servicing.Result, error) servicing.Result {
	return func(r servicing.Result, err error) servicing.Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

var (
	regular = finance.Terms{Category: finance.Regular, AnnualRate: 29_990}
	d       = servicing.D
)

// Example 2: $500 at 29.99 % posted 2025-03-01, $100 paid 2025-03-25.
func TestExampleRevolving(t *testing.T) {
	start := func(t *testing.T) *servicing.Account {
		a := open(t, d(2025, 3, 1), "ON")
		must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular, Merchant: "Maple Furniture", Store: "Toronto", Description: "Armchair"}))
		run(t, a, d(2025, 3, 24))
		must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: d(2025, 3, 25), Amount: 100_00, Channel: "bill_payment"}))
		st := run(t, a, d(2025, 3, 31))
		if len(st) != 1 {
			t.Fatalf("statements through March = %d, want 1", len(st))
		}
		s := st[0]
		if s.ClosingBalance != 400_00 || s.InterestCharged != 0 || s.DueDate != d(2025, 4, 21) || s.MinimumPayment != 20_00 {
			t.Fatalf("March statement: balance %d, interest %d, due %s, minimum %d; want 40000, 0, 2025-04-21, 2000",
				s.ClosingBalance, s.InterestCharged, s.DueDate, s.MinimumPayment)
		}
		if s.GraceAmount != 400_00 {
			t.Errorf("March statement: amount that keeps the grace = %d, want 40000", s.GraceAmount)
		}
		return a
	}
	tests := []struct {
		name         string
		pay          int64
		wantInterest int64
		wantBalance  int64
		wantMinimum  int64
	}{
		{"(a) $400 paid by the due date: grace kept", 400_00, 0, 0, 0},
		{"(b) only $20 paid: interest from the posting date", 20_00, 21_86, 401_86, 21_86},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := start(t)
			run(t, a, d(2025, 4, 20))
			must(t)(a.Pay(servicing.Payment{ID: "pay_2", Date: d(2025, 4, 21), Amount: tt.pay, Channel: "bill_payment"}))
			st := run(t, a, d(2025, 4, 30))
			if len(st) != 1 {
				t.Fatalf("statements in April = %d, want 1", len(st))
			}
			s := st[0]
			if s.InterestCharged != tt.wantInterest || s.ClosingBalance != tt.wantBalance || s.MinimumPayment != tt.wantMinimum {
				t.Errorf("April statement: interest %d, balance %d, minimum %d; want %d, %d, %d",
					s.InterestCharged, s.ClosingBalance, s.MinimumPayment, tt.wantInterest, tt.wantBalance, tt.wantMinimum)
			}
			if a.Status != openflex.AccountNormal {
				t.Errorf("status = %s, want normal (the minimum was paid)", a.Status)
			}
		})
	}
}

// Example 1: $1,200 at 0 % over 12 months with a $45 admin fee posted with
// the purchase.
func TestExampleEqualPayments(t *testing.T) {
	terms := finance.Terms{Category: finance.EqualPayments, Months: 12, AdminFee: 45_00}
	a := open(t, d(2025, 3, 1), "ON")
	run(t, a, d(2025, 3, 9))
	r := must(t)(a.Purchase(servicing.Purchase{ID: "cap_eq", Date: d(2025, 3, 10), Amount: 1_200_00, Terms: terms, Merchant: "Sofa King", Description: "Sofa"}))
	if servicing.Sum(r.Postings) != 1_245_00 {
		t.Fatalf("purchase postings sum to %d, want 124500 (purchase and fee)", servicing.Sum(r.Postings))
	}
	seg := a.Segment("cap_eq")
	var sum int64
	for _, p := range seg.Schedule {
		sum += p.Principal
	}
	if sum != 1_200_00 || seg.Schedule[0].Principal != 100_00 {
		t.Fatalf("instalments sum to %d, first %d; want 120000 and 10000", sum, seg.Schedule[0].Principal)
	}
	var mins []int64
	for i, end := range []servicing.Date{d(2025, 3, 31), d(2025, 4, 30), d(2025, 5, 31), d(2025, 6, 30)} {
		st := run(t, a, end)
		if len(st) != 1 {
			t.Fatalf("statements through %s = %d, want 1", end, len(st))
		}
		s := st[0]
		mins = append(mins, s.MinimumPayment)
		if s.InterestCharged != 0 {
			t.Errorf("statement %d charged interest %d on a 0 %% plan paid on time", i+1, s.InterestCharged)
		}
		if i < 3 { // instalment 4 is missed
			run(t, a, s.DueDate.AddDays(-1))
			must(t)(a.Pay(servicing.Payment{ID: "pay_" + s.DueDate.String(), Date: s.DueDate, Amount: s.MinimumPayment}))
		}
	}
	if want := []int64{145_00, 100_00, 100_00, 100_00}; !equal(mins, want) {
		t.Fatalf("minimums = %v, want %v", mins, want)
	}
	// Instalment 4 missed: at its due date the promotion is cancelled and
	// the remaining $900 moves to the regular balance, at its rate.
	run(t, a, a.Last.DueDate)
	if rev := a.Segment(servicing.RevolvingID); !seg.Closed || rev.Principal != 900_00 || rev.Rate != 29_990 {
		t.Fatalf("after the missed instalment: plan closed %v, revolving principal %d at %s; want true, 90000 at 29.99", seg.Closed, rev.Principal, rev.Rate)
	}
	if a.Status != openflex.AccountAuthProhibited {
		t.Errorf("status after the missed instalment = %s, want auth_prohibited", a.Status)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// paid is a payment of amount on a day.
type paid struct {
	on     servicing.Date
	amount int64
}

// Example 3: $1,500 bought 2025-01-15 on a 12-month deferred plan at
// 29.99 %, $1,200 paid 2025-12-01, expiry 2026-01-15.
func TestExampleDeferred(t *testing.T) {
	tests := []struct {
		name         string
		rule         servicing.DeferredRule
		pays         []paid // after the purchase
		wantInterest int64  // charged at expiry
		wantRevolve  int64  // new regular balance at expiry
		wantWaived   bool
	}{
		{name: "retroactive: $300 left at expiry", rule: servicing.DeferredRetroactive,
			pays:         []paid{{d(2025, 12, 1), 1_200_00}},
			wantInterest: 405_48, wantRevolve: 705_48},
		{name: "forward: $300 becomes regular balance", rule: servicing.DeferredForward,
			pays:         []paid{{d(2025, 12, 1), 1_200_00}},
			wantInterest: 0, wantRevolve: 300_00},
		{name: "retroactive: paid in full on 2026-01-14", rule: servicing.DeferredRetroactive,
			pays:       []paid{{d(2025, 12, 1), 1_200_00}, {d(2026, 1, 14), 300_00}},
			wantWaived: true},
		{name: "forward: paid in full on 2026-01-14", rule: servicing.DeferredForward,
			pays:       []paid{{d(2025, 12, 1), 1_200_00}, {d(2026, 1, 14), 300_00}},
			wantWaived: true},
		{name: "retroactive: paid in full on the expiry day itself", rule: servicing.DeferredRetroactive,
			pays:       []paid{{d(2025, 12, 1), 1_200_00}, {d(2026, 1, 15), 300_00}},
			wantWaived: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := open(t, d(2025, 1, 1), "ON")
			run(t, a, d(2025, 1, 14))
			must(t)(a.Purchase(servicing.Purchase{ID: "cap_def", Date: d(2025, 1, 15), Amount: 1_500_00, DeferredRule: tt.rule,
				Terms: finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990}, Description: "Television"}))
			for _, p := range tt.pays {
				run(t, a, p.on.AddDays(-1))
				must(t)(a.Pay(servicing.Payment{ID: "pay_" + p.on.String(), Date: p.on, Amount: p.amount}))
			}
			run(t, a, d(2026, 1, 14))
			seg := a.Segment("cap_def")
			if seg.Expiry != d(2026, 1, 15) {
				t.Fatalf("expiry = %s, want 2026-01-15", seg.Expiry)
			}
			r := must(t)(a.EndDay(d(2026, 1, 15)))
			var change *servicing.Change
			for i, c := range r.Changes {
				if c.Segment == "cap_def" {
					change = &r.Changes[i]
				}
			}
			if change == nil {
				t.Fatalf("no change reported for the plan at expiry: %+v", r.Changes)
			}
			if tt.wantWaived {
				if change.Kind != servicing.ChangeDeferredWaived || a.Balance() != 0 {
					t.Fatalf("paid in time: change %s, balance %d; want waived and 0", change.Kind, a.Balance())
				}
				return
			}
			if change.Kind != servicing.ChangeDeferredExpired {
				t.Fatalf("change = %s, want deferred_expired", change.Kind)
			}
			rev := a.Segment(servicing.RevolvingID)
			if got := rev.Balance(); got != tt.wantRevolve {
				t.Errorf("regular balance at expiry = %d, want %d", got, tt.wantRevolve)
			}
			if rev.Interest != tt.wantInterest {
				t.Errorf("interest charged at expiry = %d, want %d", rev.Interest, tt.wantInterest)
			}
		})
	}
}

// Example 3 without backdated interest: the $300 becomes regular balance
// on the expiry day and its first 31-day cycle (statement day 14: January
// 15 to February 14) charges 300 × 31 × r = $7.64, with no grace period
// for a balance that moved in.
func TestExampleDeferredForwardFirstCycle(t *testing.T) {
	a, err := servicing.Open(servicing.DefaultConfig(), servicing.Opening{Number: "30000000000017", Province: "ON", Language: "en",
		Opened: d(2025, 1, 15), StatementDay: 14, CreditLimit: 5_000_00, Rate: 29_990})
	if err != nil {
		t.Fatal(err)
	}
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_def", Date: d(2025, 1, 15), Amount: 1_500_00, DeferredRule: servicing.DeferredForward,
		Terms: finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990}}))
	run(t, a, d(2025, 11, 30))
	must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: d(2025, 12, 1), Amount: 1_200_00}))
	st := run(t, a, d(2026, 2, 14))
	last := st[len(st)-1]
	if last.PeriodStart != d(2026, 1, 15) || last.PeriodEnd != d(2026, 2, 14) {
		t.Fatalf("last cycle = %s to %s, want 2026-01-15 to 2026-02-14", last.PeriodStart, last.PeriodEnd)
	}
	if last.InterestCharged != 7_64 || last.ClosingBalance != 307_64 {
		t.Errorf("first cycle of the moved $300: interest %d, balance %d; want 764, 30764", last.InterestCharged, last.ClosingBalance)
	}
}

// Example 4: $1,000 at 29.99 %, minimum max(5 %, interest, $10), monthly
// interest balance × rate / 12.
func TestExampleRepaymentEstimate(t *testing.T) {
	got := servicing.EstimateRepayment(1_000_00, 29_990, 5_000, 10_00)
	if got.Months != 89 || got.Never {
		t.Fatalf("EstimateRepayment($1,000) = %+v, want 89 months", got)
	}
	// The notes say ≈ $841.83, computed in binary floating point; exact
	// cents, with the minimum's 5 % rounded up (never below 5 %, the Quebec
	// rule), give $841.65.
	if got.Interest != 841_65 {
		t.Errorf("EstimateRepayment($1,000).Interest = %d, want 84165", got.Interest)
	}
	if never := servicing.EstimateRepayment(1_000_00, 29_990, 1_000, 0); !never.Never {
		t.Errorf("a 1 %% minimum with no floor never repays at 29.99 %%, got %+v", never)
	}
}
