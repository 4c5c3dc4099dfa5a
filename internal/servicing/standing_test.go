package servicing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// openWith opens an account with cfg, $500 of regular purchases on
// 2025-03-01, and ends days through the first statement (due 2025-04-21,
// minimum $25).
func openWith(t *testing.T, cfg servicing.Config, province openflex.Province) *servicing.Account {
	t.Helper()
	a, err := servicing.Open(cfg, servicing.Opening{Number: "30000000000017", Province: province, Language: "en",
		Opened: d(2025, 3, 1), CreditLimit: 2_000_00})
	if err != nil {
		t.Fatal(err)
	}
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
	run(t, a, d(2025, 3, 31))
	return a
}

func statusChanges(r servicing.Result) []string {
	var out []string
	for _, c := range r.Changes {
		if c.Kind == servicing.ChangeStatus {
			out = append(out, string(c.From)+"→"+string(c.To))
		}
	}
	return out
}

// A returned payment after the account was cured: the allocation is
// undone, the NSF fee charged, the delinquency back (notes §4).
func TestReturnedPaymentAfterCure(t *testing.T) {
	cfg := servicing.DefaultConfig()
	cfg.NSFFee = 45_00
	a := openWith(t, cfg, "ON")
	if a.Last.Minimum != 25_00 || a.Last.DueDate != d(2025, 4, 21) {
		t.Fatalf("first statement: minimum %d due %s", a.Last.Minimum, a.Last.DueDate)
	}
	run(t, a, d(2025, 4, 20))
	r := must(t)(a.EndDay(d(2025, 4, 21)))
	if got := statusChanges(r); !slices.Equal(got, []string{"normal→auth_prohibited"}) || a.DaysPastDue(a.OpenDay()) != 1 {
		t.Fatalf("end of the due date unpaid: changes %v, days past due %d", got, a.DaysPastDue(a.OpenDay()))
	}
	run(t, a, d(2025, 4, 22))
	r = must(t)(a.Pay(servicing.Payment{ID: "pad_1", Date: d(2025, 4, 23), Amount: 25_00, Channel: "debit"}))
	if got := statusChanges(r); !slices.Equal(got, []string{"auth_prohibited→normal"}) {
		t.Fatalf("past due paid: changes %v, want back to normal by itself", got)
	}
	before := a.Segment(servicing.RevolvingID).Balance()
	run(t, a, d(2025, 4, 24))
	r = must(t)(a.Reverse(servicing.Reversal{PaymentID: "pad_1", Date: d(2025, 4, 25), Returned: true, Reason: "NSF"}))
	if got := statusChanges(r); !slices.Equal(got, []string{"normal→auth_prohibited"}) {
		t.Errorf("returned payment: changes %v, want auth_prohibited again", got)
	}
	if got := servicing.Sum(r.Postings); got != 25_00+45_00 {
		t.Errorf("reversal postings sum to %d, want 7000 (the payment and the NSF fee)", got)
	}
	rev := a.Segment(servicing.RevolvingID)
	if rev.Balance() != before+25_00+45_00 || rev.Fees != 45_00 || a.DaysPastDue(a.OpenDay()) != 4 {
		t.Errorf("after the reversal: balance %d (want %d), fees %d, days past due %d (want 4)", rev.Balance(), before+70_00, rev.Fees, a.DaysPastDue(a.OpenDay()))
	}
	if _, err := a.Reverse(servicing.Reversal{PaymentID: "pad_1", Date: a.OpenDay()}); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
		t.Errorf("reversing twice: %v, want parameter_invalid", err)
	}
	if _, err := a.Reverse(servicing.Reversal{PaymentID: "pad_9", Date: a.OpenDay()}); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		t.Errorf("reversing an unknown payment: %v, want resource_missing", err)
	}
}

// The lender's grace before auth_prohibited.
func TestAuthGraceDays(t *testing.T) {
	cfg := servicing.DefaultConfig()
	cfg.AuthGraceDays = 5
	a := openWith(t, cfg, "ON")
	run(t, a, d(2025, 4, 25)) // days past due on the open day 04-26: 5
	if a.Status != openflex.AccountNormal {
		t.Fatalf("5 days past due with 5 days of grace: %s", a.Status)
	}
	run(t, a, d(2025, 4, 26))
	if a.Status != openflex.AccountAuthProhibited {
		t.Fatalf("6 days past due: %s, want auth_prohibited", a.Status)
	}
}

// 180 days past due charges the account off: accrual stops, the balance
// moves to the charged-off balance, later payments are recoveries.
func TestChargeOff(t *testing.T) {
	a := openWith(t, servicing.DefaultConfig(), "ON")
	var changes []string
	for a.Day.Before(d(2025, 10, 17)) {
		r := must(t)(a.EndDay(a.OpenDay()))
		changes = append(changes, statusChanges(r)...)
		for _, p := range r.Postings {
			if p.Reason == servicing.ReasonChargeOff && a.Day != d(2025, 10, 17) {
				t.Fatalf("charged off on %s, want at the end of 2025-10-17 (180 days after the 2025-04-21 due date)", a.Day)
			}
		}
	}
	if !slices.Equal(changes, []string{"normal→auth_prohibited", "auth_prohibited→charged_off"}) {
		t.Fatalf("changes = %v", changes)
	}
	owed := a.Balance()
	if a.ChargedOff != owed || a.Segment(servicing.RevolvingID).Balance() != 0 {
		t.Fatalf("charged off %d, balance %d, revolving %d", a.ChargedOff, owed, a.Segment(servicing.RevolvingID).Balance())
	}
	run(t, a, d(2025, 12, 31))
	if a.Balance() != owed {
		t.Errorf("balance %d two months after the charge-off, want %d: accrual stops", a.Balance(), owed)
	}
	r := must(t)(a.Pay(servicing.Payment{ID: "late", Date: a.OpenDay(), Amount: owed + 10_00}))
	want := []servicing.Posting{{Bucket: servicing.BucketChargedOff, Amount: -owed, Reason: servicing.ReasonRecovery, Ref: "late"},
		{Bucket: servicing.BucketCredit, Amount: -10_00, Reason: servicing.ReasonPayment, Ref: "late"}}
	if !slices.Equal(r.Postings, want) {
		t.Errorf("payment after the charge-off: %+v, want %+v", r.Postings, want)
	}
	if a.Status != openflex.AccountChargedOff {
		t.Errorf("status after recovery = %s, want charged_off (it stays)", a.Status)
	}
}

func TestStaffActions(t *testing.T) {
	type step struct {
		action   servicing.StaffAction
		reason   string
		want     openflex.AccountStatus // after
		wantCode openflex.Code
	}
	tests := []struct {
		name    string
		pastDue bool
		steps   []step
	}{
		{"freeze and unfreeze", false, []step{
			{servicing.ActionFreeze, "fraud suspected", openflex.AccountFrozen, ""},
			{servicing.ActionFreeze, "again", openflex.AccountFrozen, openflex.CodeAccountStatusInvalid},
			{servicing.ActionUnfreeze, "cleared", openflex.AccountNormal, ""},
			{servicing.ActionUnfreeze, "again", openflex.AccountNormal, openflex.CodeAccountStatusInvalid},
		}},
		{"unfreezing a past-due account leaves it auth_prohibited", true, []step{
			{servicing.ActionFreeze, "fraud suspected", openflex.AccountFrozen, ""},
			{servicing.ActionUnfreeze, "cleared", openflex.AccountAuthProhibited, ""},
		}},
		{"a reason is required", false, []step{
			{servicing.ActionFreeze, "", openflex.AccountNormal, openflex.CodeParameterMissing},
		}},
		{"closed cannot be reopened", false, []step{
			{servicing.ActionClose, "customer asked", openflex.AccountClosed, ""},
			{servicing.ActionUnfreeze, "oops", openflex.AccountClosed, openflex.CodeAccountStatusInvalid},
			{servicing.ActionFreeze, "oops", openflex.AccountClosed, openflex.CodeAccountStatusInvalid},
			{servicing.ActionClose, "again", openflex.AccountClosed, openflex.CodeAccountStatusInvalid},
		}},
		{"a frozen account can be closed", false, []step{
			{servicing.ActionFreeze, "deceased", openflex.AccountFrozen, ""},
			{servicing.ActionClose, "estate settled", openflex.AccountClosed, ""},
		}},
		{"unknown action", false, []step{{"reopen", "why not", openflex.AccountNormal, openflex.CodeParameterInvalid}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := openWith(t, servicing.DefaultConfig(), "ON")
			if tt.pastDue {
				run(t, a, d(2025, 4, 22))
			}
			for i, s := range tt.steps {
				r, err := a.SetStatus(s.action, s.reason, a.OpenDay())
				if got := openflex.ErrorCode(err); got != s.wantCode {
					t.Fatalf("step %d %s: error %v, want code %q", i, s.action, err, s.wantCode)
				}
				if a.Status != s.want {
					t.Fatalf("step %d %s: status %s, want %s", i, s.action, a.Status, s.want)
				}
				if err == nil && (len(r.Changes) != 1 || r.Changes[0].Reason != s.reason) {
					t.Fatalf("step %d %s: changes %+v, want one with the reason", i, s.action, r.Changes)
				}
			}
		})
	}
	// The system never lifts a freeze: paying the past due leaves it frozen.
	a := openWith(t, servicing.DefaultConfig(), "ON")
	run(t, a, d(2025, 4, 22))
	must(t)(a.SetStatus(servicing.ActionFreeze, "fraud suspected", a.OpenDay()))
	must(t)(a.Pay(servicing.Payment{ID: "p", Date: a.OpenDay(), Amount: 25_00}))
	run(t, a, d(2025, 5, 10))
	if a.Status != openflex.AccountFrozen {
		t.Errorf("a frozen account became %s by itself", a.Status)
	}
}

// Allocation: fees, then interest (highest rate first), then what is due
// on each segment, then the excess to the highest rate; the rest a credit.
func TestAllocationOrder(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "rev", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
	must(t)(a.Purchase(servicing.Purchase{ID: "eq0", Date: d(2025, 3, 1), Amount: 1_200_00, Terms: finance.Terms{Category: finance.EqualPayments, Months: 12, AdminFee: 45_00}}))
	must(t)(a.Purchase(servicing.Purchase{ID: "eq9", Date: d(2025, 3, 1), Amount: 600_00, Terms: finance.Terms{Category: finance.EqualPayments, Months: 6, AnnualRate: 9_990}}))
	must(t)(a.Purchase(servicing.Purchase{ID: "def", Date: d(2025, 3, 1), Amount: 300_00, Terms: finance.Terms{Category: finance.Deferred, Months: 6, AnnualRate: 29_990}}))
	st := run(t, a, d(2025, 3, 31))[0]
	eq9 := a.Segment("eq9")
	i1 := eq9.Schedule[0].Interest // $4.99 of interest with the first instalment
	if st.MinimumPayment != 25_00+145_00+eq9.Schedule[0].Amount {
		t.Fatalf("minimum %d, want 25.00 + 145.00 + %d", st.MinimumPayment, eq9.Schedule[0].Amount)
	}
	owed := a.Balance()
	tests := []struct {
		amount int64
		want   []string // segment:bucket:amount
	}{
		{10_00, []string{"eq0:fee:1000"}},
		{50_00, []string{"eq0:fee:4500", fmt.Sprintf("eq9:interest:%d", i1)}},
		{owed + 7_00, []string{"eq0:fee:4500", fmt.Sprintf("eq9:interest:%d", i1), "revolving:principal:2500",
			fmt.Sprintf("eq9:principal:%d", eq9.Schedule[0].Principal), "eq0:principal:10000",
			"revolving:principal:47500", "def:principal:30000", fmt.Sprintf("eq9:principal:%d", 600_00-eq9.Schedule[0].Principal),
			"eq0:principal:110000", ":credit:700"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.amount), func(t *testing.T) {
			b := open(t, d(2025, 3, 1), "ON")
			must(t)(b.Purchase(servicing.Purchase{ID: "rev", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
			must(t)(b.Purchase(servicing.Purchase{ID: "eq0", Date: d(2025, 3, 1), Amount: 1_200_00, Terms: finance.Terms{Category: finance.EqualPayments, Months: 12, AdminFee: 45_00}}))
			must(t)(b.Purchase(servicing.Purchase{ID: "eq9", Date: d(2025, 3, 1), Amount: 600_00, Terms: finance.Terms{Category: finance.EqualPayments, Months: 6, AnnualRate: 9_990}}))
			must(t)(b.Purchase(servicing.Purchase{ID: "def", Date: d(2025, 3, 1), Amount: 300_00, Terms: finance.Terms{Category: finance.Deferred, Months: 6, AnnualRate: 29_990}}))
			run(t, b, d(2025, 3, 31))
			r := must(t)(b.Pay(servicing.Payment{ID: "p", Date: b.OpenDay(), Amount: tt.amount}))
			var got []string
			for _, p := range r.Postings {
				got = append(got, fmt.Sprintf("%s:%s:%d", p.Segment, p.Bucket, -p.Amount))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("allocation of %d:\n got %v\nwant %v", tt.amount, got, tt.want)
			}
		})
	}
}

// The minimum's share is the lender's, never below 5 % for Quebec.
func TestMinimumPercentQuebec(t *testing.T) {
	cfg := servicing.DefaultConfig()
	cfg.MinimumPercent = 3_000
	for _, tt := range []struct {
		province openflex.Province
		want     int64
	}{{"ON", 15_00}, {"QC", 25_00}} {
		a := openWith(t, cfg, tt.province)
		if a.Last.Minimum != tt.want {
			t.Errorf("%s: minimum on $500 with a 3 %% lender rule = %d, want %d", tt.province, a.Last.Minimum, tt.want)
		}
	}
	// The floor: $10, or the whole balance under it.
	for _, tt := range []struct{ amount, want int64 }{{150_00, 10_00}, {7_50, 7_50}, {10_00, 10_00}, {201_00, 10_05}} {
		a := open(t, d(2025, 3, 1), "ON")
		must(t)(a.Purchase(servicing.Purchase{ID: "c", Date: d(2025, 3, 1), Amount: tt.amount, Terms: regular}))
		st := run(t, a, d(2025, 3, 31))
		if st[0].MinimumPayment != tt.want {
			t.Errorf("minimum on %d = %d, want %d", tt.amount, st[0].MinimumPayment, tt.want)
		}
	}
}

// No statement when the balance is zero and nothing happened.
func TestNoStatementWhenIdle(t *testing.T) {
	a := open(t, d(2025, 1, 1), "ON")
	if st := run(t, a, d(2025, 2, 28)); len(st) != 0 {
		t.Fatalf("an idle account got %d statements", len(st))
	}
	must(t)(a.Purchase(servicing.Purchase{ID: "c", Date: d(2025, 3, 1), Amount: 100_00, Terms: regular}))
	must(t)(a.Pay(servicing.Payment{ID: "p", Date: d(2025, 3, 1), Amount: 100_00}))
	st := run(t, a, d(2025, 5, 31))
	if len(st) != 1 || st[0].ClosingBalance != 0 || len(st[0].Lines) != 2 {
		t.Fatalf("statements = %d, want only March's, with its purchase and payment", len(st))
	}
}

// Renders carry what the provincial lists require, in English and French.
func TestRender(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular, Merchant: "Maple Furniture", Store: "Toronto Eaton Centre", Description: "Armchair ×1"}))
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_2", Date: d(2025, 3, 1), Amount: 1_500_00, Terms: finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990}, Merchant: "Maple Furniture", Description: "Television"}))
	run(t, a, d(2025, 3, 24))
	must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: d(2025, 3, 25), Amount: 100_00, Channel: "bill payment"}))
	st := run(t, a, d(2025, 3, 31))[0]
	en := servicing.Render(st)
	for _, want := range []string{"March 1, 2025 – March 31, 2025", "Previous balance", "$0.00", "Armchair ×1", "Maple Furniture", "Toronto Eaton Centre",
		"Payment, thank you", "-$100.00", "New balance", "$1,900.00", "Credit limit", "$5,000.00", "Available credit", "$3,100.00",
		"Minimum payment", "$20.00", "April 21, 2025", "to pay no interest on your regular purchases: $400.00", "29.99%", "Television",
		"Promotion ends", "March 1, 2026", "charged if the balance is not paid in full", "months to pay your regular balance",
		"Billing error? Tell us within 60 days", "1-800-555-0199"} {
		if !strings.Contains(en, want) {
			t.Errorf("English statement lacks %q:\n%s", want, en)
		}
	}
	st.Language = "fr"
	fr := servicing.Render(st)
	for _, want := range []string{"Relevé de compte", "1er mars 2025 – 31 mars 2025", "Nouveau solde", "1\u00a0900,00\u00a0$", "Paiement minimum", "20,00\u00a0$",
		"21 avril 2025", "29,99\u00a0%", "Une erreur de facturation", "Fin de la promotion"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French statement lacks %q:\n%s", want, fr)
		}
	}
	// The deferred plan's interest if unpaid: 1,500 × 31 days × r = $38.21
	// accrued so far; at expiry, 365 days' worth: $449.85.
	p := st.Plans[0]
	if p.InterestIfUnpaid != 38_21 || p.InterestAtExpiry != 449_85 {
		t.Errorf("deferred plan: interest if unpaid %d, at expiry %d; want 3821, 44985", p.InterestIfUnpaid, p.InterestAtExpiry)
	}
}
