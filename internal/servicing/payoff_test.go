package servicing_test

import (
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

var (
	deferred12 = finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990}
	equal12    = finance.Terms{Category: finance.EqualPayments, Months: 12, AdminFee: 45_00}
)

// The payoff quotes, each figure worked by hand (r = 0.2999 / 365 a day,
// balances at the end of each day, the payoff day itself not counted).
func TestPayoff(t *testing.T) {
	// The notes' example 2: $500 on 2025-03-01, $100 paid 03-25; the
	// March statement shows $400.00 due 2025-04-21.
	revolving := func(t *testing.T) *servicing.Account {
		a := open(t, d(2025, 3, 1), "ON")
		must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
		run(t, a, d(2025, 3, 24))
		must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: d(2025, 3, 25), Amount: 100_00}))
		run(t, a, d(2025, 4, 1))
		return a
	}
	// The notes' example 3: $1,500 deferred 12 months from 2025-01-15,
	// $1,200 paid 2025-12-01, expiry 2026-01-15.
	deferredPlan := func(t *testing.T) *servicing.Account {
		a := open(t, d(2025, 1, 1), "ON")
		run(t, a, d(2025, 1, 14))
		must(t)(a.Purchase(servicing.Purchase{ID: "cap_def", Date: d(2025, 1, 15), Amount: 1_500_00, Terms: deferred12}))
		run(t, a, d(2025, 11, 30))
		must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: d(2025, 12, 1), Amount: 1_200_00}))
		return a
	}
	// The notes' example 1: $1,200 over 12 months at 0 % with a $45 fee,
	// bought 2025-03-10; the first statement (03-31) asks $145.00 by
	// 04-21.
	equalPlan := func(t *testing.T) *servicing.Account {
		a := open(t, d(2025, 3, 1), "ON")
		run(t, a, d(2025, 3, 9))
		must(t)(a.Purchase(servicing.Purchase{ID: "cap_eq", Date: d(2025, 3, 10), Amount: 1_200_00, Terms: equal12}))
		return a
	}
	tests := []struct {
		name    string
		account func(*testing.T) *servicing.Account
		// pay, when set, is paid on its day before the quote is asked.
		pay     *paid
		plan    string
		on      servicing.Date
		want    int64 // Amount
		accrued int64
		waived  int64
		ahead   int64
	}{
		// Paid by the due date, the statement's balance keeps its grace:
		// no interest, whatever accrued in March and April.
		{name: "revolving, before the due date: $400.00, no interest", account: revolving, on: d(2025, 4, 10), want: 400_00},
		{name: "revolving, on the due date: still $400.00", account: revolving, on: d(2025, 4, 21), want: 400_00},
		// Unpaid by 04-21, the grace is lost: March (500×24 + 400×7) and
		// April 1–24 (400×24) = 24,400 dollar-days × r = $20.048 → $20.05.
		{name: "revolving, after the due date: $400.00 + $20.05 interest", account: revolving, on: d(2025, 4, 25), want: 420_05, accrued: 20_05},
		// The plan owes $300; accrued 1,500×320 + 300×44 = 493,200
		// dollar-days × r = $405.23, waived when paid by expiry.
		{name: "deferred plan, the day before expiry: $300.00, interest waived", account: deferredPlan, plan: "cap_def", on: d(2026, 1, 14), want: 300_00, waived: 405_23},
		// 1,500×320 + 300×45 = 493,500 × r = $405.48, the notes' figure.
		{name: "deferred plan, on the expiry day: $300.00, $405.48 waived", account: deferredPlan, plan: "cap_def", on: d(2026, 1, 15), want: 300_00, waived: 405_48},
		// Expired on 01-15: $300 + $405.48 moved to the regular balance,
		// which bears interest from that day: 705.48 × r = $0.58.
		{name: "deferred, whole account after expiry: $705.48 + $0.58", account: deferredPlan, on: d(2026, 1, 16), want: 706_06, accrued: 58},
		{name: "equal payments, before the first payment: principal and fee", account: equalPlan, plan: "cap_eq", on: d(2025, 4, 10), want: 1_245_00},
		// $145 paid on 04-21: $1,100 of principal left, no penalty, no
		// instalment's fee or interest ahead.
		{name: "equal payments, after the first instalment: $1,100.00", account: equalPlan, pay: &paid{d(2025, 4, 21), 145_00},
			plan: "cap_eq", on: d(2025, 5, 5), want: 1_100_00},
		{name: "equal payments, whole account: the same $1,100.00", account: equalPlan, pay: &paid{d(2025, 4, 21), 145_00},
			on: d(2025, 5, 5), want: 1_100_00},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.account(t)
			if tt.pay != nil {
				run(t, a, tt.pay.on.AddDays(-1))
				must(t)(a.Pay(servicing.Payment{ID: "pay_" + tt.pay.on.String(), Date: tt.pay.on, Amount: tt.pay.amount}))
			}
			day := a.Day
			p, err := a.Payoff(tt.plan, tt.on)
			if err != nil {
				t.Fatal(err)
			}
			if a.Day != day {
				t.Fatalf("Payoff moved the account's day from %s to %s", day, a.Day)
			}
			if p.Amount != tt.want || p.Accrued != tt.accrued || p.Waived != tt.waived || p.Ahead != tt.ahead {
				t.Fatalf("Payoff(%q, %s) = amount %d, accrued %d, waived %d, ahead %d; want %d, %d, %d, %d",
					tt.plan, tt.on, p.Amount, p.Accrued, p.Waived, p.Ahead, tt.want, tt.accrued, tt.waived, tt.ahead)
			}
			// The quote is right only if paying it leaves nothing owed on
			// what it quotes, through the statements that follow.
			run(t, a, tt.on.AddDays(-1))
			must(t)(a.Pay(servicing.Payment{ID: "payoff", Date: tt.on, Amount: p.Amount, Segment: tt.plan}))
			run(t, a, tt.on.AddDays(70))
			if tt.plan == "" {
				if a.Balance() != 0 {
					t.Errorf("balance after paying the payoff = %d, want 0", a.Balance())
				}
			} else if s := a.Segment(tt.plan); s.Balance() != 0 {
				t.Errorf("plan balance after paying its payoff = %d, want 0", s.Balance())
			}
			if a.Status != openflex.AccountNormal {
				t.Errorf("status = %s, want normal", a.Status)
			}
		})
	}
}

// A plan's payoff counts what a payment directed at it pays first: here
// the revolving balance's $25.00 minimum (5 % of $500).
func TestPayoffPlanAhead(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_r", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_def", Date: d(2025, 3, 1), Amount: 1_000_00, Terms: deferred12}))
	run(t, a, d(2025, 4, 4))
	p, err := a.Payoff("cap_def", d(2025, 4, 5))
	if err != nil {
		t.Fatal(err)
	}
	if p.Principal != 1_000_00 || p.Ahead != 25_00 || p.Amount != 1_025_00 {
		t.Fatalf("plan payoff = principal %d, ahead %d, amount %d; want 100000, 2500, 102500", p.Principal, p.Ahead, p.Amount)
	}
	all, err := a.Payoff("", d(2025, 4, 5))
	if err != nil {
		t.Fatal(err)
	}
	if all.Amount != 1_500_00 || len(all.Plans) != 1 || all.Plans[0].Amount != 1_025_00 {
		t.Fatalf("whole payoff = %d with plans %+v; want 150000 and the plan's 102500", all.Amount, all.Plans)
	}
	must(t)(a.Pay(servicing.Payment{ID: "pay_plan", Date: d(2025, 4, 5), Amount: p.Amount, Segment: "cap_def"}))
	if s := a.Segment("cap_def"); s.Balance() != 0 {
		t.Fatalf("plan balance after its payoff = %d, want 0", s.Balance())
	}
	if rev := a.Segment(servicing.RevolvingID); rev.Balance() != 475_00 || rev.Due != 0 {
		t.Fatalf("revolving after the plan's payoff = %d (due %d), want 47500 (due 0)", rev.Balance(), rev.Due)
	}
}

// A credit balance is taken off the payoff.
func TestPayoffCredit(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_r", Date: d(2025, 3, 1), Amount: 100_00, Terms: regular}))
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_def", Date: d(2025, 3, 1), Amount: 200_00, Terms: deferred12}))
	must(t)(a.Return(servicing.Return{ID: "ret_1", PurchaseID: "cap_def", Date: d(2025, 3, 1), Amount: 250_00}))
	p, err := a.Payoff("", d(2025, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if p.Credit != 50_00 || p.Amount != 50_00 {
		t.Fatalf("payoff with a $50 credit on $100 owed = credit %d, amount %d; want 5000, 5000", p.Credit, p.Amount)
	}
}

func TestPayoffRefused(t *testing.T) {
	a := open(t, d(2025, 1, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_def", Date: d(2025, 1, 1), Amount: 1_500_00, Terms: deferred12}))
	run(t, a, d(2025, 1, 9))
	tests := []struct {
		name, plan string
		on         servicing.Date
		code       openflex.Code
		param      string
	}{
		{"a day already ended", "", d(2025, 1, 9), openflex.CodeParameterInvalid, "date"},
		{"more than a year ahead", "", d(2026, 1, 12), openflex.CodeParameterInvalid, "date"},
		{"an unknown plan", "cap_nope", d(2025, 1, 10), openflex.CodeResourceMissing, "plan"},
		{"the revolving balance", servicing.RevolvingID, d(2025, 1, 10), openflex.CodeParameterInvalid, "plan"},
		{"a plan expired by then", "cap_def", d(2026, 1, 2), openflex.CodeParameterInvalid, "plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Payoff(tt.plan, tt.on)
			if e, ok := err.(*openflex.Error); !ok || e.Code != tt.code || e.Param != tt.param {
				t.Fatalf("Payoff(%q, %s) = %v, want %s on %s", tt.plan, tt.on, err, tt.code, tt.param)
			}
		})
	}
	if err := servicing.CheckPayoffDate(d(2025, 1, 10), d(2025, 3, 12)); err == nil {
		t.Error("CheckPayoffDate accepted 60 days + 1")
	}
	if err := servicing.CheckPayoffDate(d(2025, 1, 10), d(2025, 3, 11)); err != nil {
		t.Errorf("CheckPayoffDate(60 days) = %v", err)
	}
}

// A payment directed at a plan pays fees, interest and what is due first,
// then that plan instead of the highest-rate balance; its reversal undoes
// exactly that.
func TestPayDirected(t *testing.T) {
	tests := []struct {
		name                 string
		segment              string
		statement            bool // after the first statement: $25.00 due on the revolving balance
		wantRevolving, wantP int64
	}{
		{name: "undirected: the revolving balance first (same rate, revolving first)", wantRevolving: 200_00, wantP: 1_000_00},
		{name: "directed at the plan", segment: "cap_def", wantRevolving: 500_00, wantP: 700_00},
		{name: "directed, after a statement: the minimum due first", segment: "cap_def", statement: true, wantRevolving: 475_00, wantP: 725_00},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := open(t, d(2025, 3, 1), "ON")
			must(t)(a.Purchase(servicing.Purchase{ID: "cap_r", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
			must(t)(a.Purchase(servicing.Purchase{ID: "cap_def", Date: d(2025, 3, 1), Amount: 1_000_00, Terms: deferred12}))
			if tt.statement {
				run(t, a, d(2025, 4, 4))
			}
			day := a.OpenDay()
			must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: day, Amount: 300_00, Segment: tt.segment}))
			rev, plan := a.Segment(servicing.RevolvingID), a.Segment("cap_def")
			if rev.Balance() != tt.wantRevolving || plan.Balance() != tt.wantP {
				t.Fatalf("after $300: revolving %d, plan %d; want %d, %d", rev.Balance(), plan.Balance(), tt.wantRevolving, tt.wantP)
			}
			must(t)(a.Reverse(servicing.Reversal{PaymentID: "pay_1", Date: day, Reason: "correction"}))
			if rev.Balance() != 500_00 || plan.Balance() != 1_000_00 {
				t.Fatalf("after the reversal: revolving %d, plan %d; want 50000, 100000", rev.Balance(), plan.Balance())
			}
		})
	}
	a := open(t, d(2025, 3, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_r", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
	if _, err := a.Pay(servicing.Payment{ID: "pay_x", Date: d(2025, 3, 1), Amount: 10_00, Segment: "cap_nope"}); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
		t.Fatalf("payment directed at an unknown plan = %v, want parameter_invalid", err)
	}
}
