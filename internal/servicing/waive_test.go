package servicing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// A waiver takes a fee or interest charge off what is owed, never more
// than the charge was (however often it is tried), and what the customer
// had already paid of it comes back as a credit balance. The statement
// lists it as a credit.
func TestWaive(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	a.Config.NSFFee = 45_00
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
	run(t, a, d(2025, 3, 31))
	// Only $20 paid by the due date: April's statement charges interest.
	run(t, a, d(2025, 4, 20))
	must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: d(2025, 4, 21), Amount: 20_00}))
	run(t, a, d(2025, 4, 30))
	rev := a.Segment(servicing.RevolvingID)
	charged := rev.Interest
	if charged <= 10_00 {
		t.Fatalf("interest owed after April = %d, want more than 1000", charged)
	}
	owed := a.Balance()

	// Part of the interest, then the rest; a cent more is refused.
	interest := servicing.Waiver{ID: "w1", Charge: "txn_interest", Kind: servicing.BucketInterest, Charged: charged, Date: a.OpenDay(),
		Amount: 10_00, Reason: "goodwill"}
	r := must(t)(a.Waive(interest))
	if servicing.Sum(r.Postings) != -10_00 || rev.Interest != charged-10_00 || a.Balance() != owed-10_00 {
		t.Fatalf("after waiving $10 of interest: postings %d, interest %d, balance %d", servicing.Sum(r.Postings), rev.Interest, a.Balance())
	}
	interest.ID, interest.Amount = "w2", charged-10_00+1
	if _, err := a.Waive(interest); openflex.ErrorCode(err) != openflex.CodeParameterInvalid || !strings.Contains(err.Error(), openflex.FormatCAD(charged-10_00, "en")) {
		t.Fatalf("waiving more than is left of the charge: %v", err)
	}
	interest.Amount = charged - 10_00
	must(t)(a.Waive(interest))
	interest.ID, interest.Amount = "w3", 1
	if _, err := a.Waive(interest); openflex.ErrorCode(err) != openflex.CodeParameterInvalid || !strings.Contains(err.Error(), "in full") {
		t.Fatalf("waiving a charge waived in full: %v", err)
	}
	if rev.Interest != 0 || a.WaivedOf("txn_interest") != charged {
		t.Fatalf("interest %d, waived %d; want 0 and %d", rev.Interest, a.WaivedOf("txn_interest"), charged)
	}

	// A returned payment's NSF fee, then paid (fees come first): waiving
	// it gives the customer a credit, applied at the day's end.
	must(t)(a.Pay(servicing.Payment{ID: "pay_2", Date: a.OpenDay(), Amount: 100_00}))
	must(t)(a.Reverse(servicing.Reversal{PaymentID: "pay_2", Date: a.OpenDay(), Returned: true, Reason: "NSF"}))
	if rev.Fees != 45_00 {
		t.Fatalf("fees after the returned payment = %d, want 4500", rev.Fees)
	}
	must(t)(a.Pay(servicing.Payment{ID: "pay_3", Date: a.OpenDay(), Amount: 50_00}))
	principal := rev.Principal
	r = must(t)(a.Waive(servicing.Waiver{ID: "w4", Charge: "txn_nsf", Kind: servicing.BucketFee, Charged: 45_00, Date: a.OpenDay(),
		Amount: 45_00, Reason: "first return forgiven"}))
	if a.Credit != 45_00 || len(r.Postings) != 1 || r.Postings[0].Bucket != servicing.BucketCredit {
		t.Fatalf("waiving a paid fee: credit %d, postings %+v", a.Credit, r.Postings)
	}
	end := must(t)(a.EndDay(a.OpenDay()))
	if a.Credit != 0 || rev.Principal != principal-45_00 || servicing.Sum(end.Postings) != 0 {
		t.Fatalf("the credit applied at the day's end: credit %d, principal %d (was %d)", a.Credit, rev.Principal, principal)
	}

	// The statement shows both as credits, and its figures still add up.
	st := run(t, a, d(2025, 5, 31))[0]
	text := servicing.Render(st)
	for _, want := range []string{"Interest waived — goodwill", "-$10.00", "-" + openflex.FormatCAD(charged-10_00, "en"), "Fee waived — first return forgiven", "-$45.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q:\n%s", want, text)
		}
	}
	if st.OpeningBalance+st.TotalDebits-st.TotalCredits != st.ClosingBalance || st.ClosingBalance != a.Balance() {
		t.Errorf("statement: %d + %d − %d ≠ %d (balance %d)", st.OpeningBalance, st.TotalDebits, st.TotalCredits, st.ClosingBalance, a.Balance())
	}
	st.Language = "fr"
	if text := servicing.Render(st); !strings.Contains(text, "Intérêts annulés") || !strings.Contains(text, "Frais annulés") {
		t.Errorf("the French statement lacks the waivers:\n%s", text)
	}
}

// Every bad waiver is refused with its field, and changes nothing.
func TestWaiveRefused(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
	ok := servicing.Waiver{ID: "w1", Charge: "txn_1", Kind: servicing.BucketFee, Charged: 10_00, Date: d(2025, 3, 1), Amount: 5_00, Reason: "r"}
	for _, c := range []struct {
		name  string
		edit  func(*servicing.Waiver)
		code  openflex.Code
		param string
	}{
		{"no amount", func(w *servicing.Waiver) { w.Amount = 0 }, openflex.CodeParameterInvalid, "amount"},
		{"more than charged", func(w *servicing.Waiver) { w.Amount = 10_01 }, openflex.CodeParameterInvalid, "amount"},
		{"principal", func(w *servicing.Waiver) { w.Kind = servicing.BucketPrincipal }, openflex.CodeParameterInvalid, "charge"},
		{"another day", func(w *servicing.Waiver) { w.Date = d(2025, 3, 2) }, openflex.CodeParameterInvalid, "date"},
		{"no reason", func(w *servicing.Waiver) { w.Reason = "" }, openflex.CodeParameterMissing, "reason"},
		{"no charge", func(w *servicing.Waiver) { w.Charge = "" }, openflex.CodeParameterMissing, "charge"},
		{"no id", func(w *servicing.Waiver) { w.ID = "" }, openflex.CodeParameterMissing, "id"},
	} {
		w := ok
		c.edit(&w)
		_, err := a.Waive(w)
		var e *openflex.Error
		if !errors.As(err, &e) || e.Code != c.code || e.Param != c.param {
			t.Errorf("%s: Waive = %v, want %s on %s", c.name, err, c.code, c.param)
		}
	}
	if a.Balance() != 500_00 || a.Credit != 0 || len(a.Waived) != 0 || len(a.Cycle.Lines) != 1 {
		t.Errorf("refused waivers changed the account: balance %d, credit %d, waived %v, %d lines", a.Balance(), a.Credit, a.Waived, len(a.Cycle.Lines))
	}
}
