package servicing_test

import (
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// A return reduces its purchase's own segment; an equal-payment plan's
// instalments are re-amortised over the months left; what exceeds the
// segment becomes a credit balance.
func TestReturns(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	must(t)(a.Purchase(servicing.Purchase{ID: "rev", Date: d(2025, 3, 1), Amount: 300_00, Terms: regular}))
	must(t)(a.Purchase(servicing.Purchase{ID: "eq", Date: d(2025, 3, 1), Amount: 1_200_00, Terms: finance.Terms{Category: finance.EqualPayments, Months: 12}}))
	st := run(t, a, d(2025, 3, 31))[0]
	must(t)(a.Pay(servicing.Payment{ID: "p1", Date: d(2025, 4, 1), Amount: st.MinimumPayment}))

	r := must(t)(a.Return(servicing.Return{ID: "ret_1", PurchaseID: "eq", Date: d(2025, 4, 1), Amount: 550_00}))
	eq := a.Segment("eq")
	if eq.Principal != 550_00 || a.Segment(servicing.RevolvingID).Principal != 300_00-15_00 {
		t.Fatalf("after returning $550 of the plan: plan %d, revolving %d", eq.Principal, a.Segment(servicing.RevolvingID).Principal)
	}
	if got := eq.Schedule[1].Principal; got != 50_00 {
		t.Errorf("next instalment after the return = %d, want 5000 ($550 over the 11 months left)", got)
	}
	var rest int64
	for _, p := range eq.Schedule[1:] {
		rest += p.Principal
	}
	if rest != 550_00 || len(eq.Schedule) != 12 {
		t.Errorf("the schedule left bills %d over %d instalments, want 55000 over 11 more", rest, len(eq.Schedule)-1)
	}
	if servicing.Sum(r.Postings) != -550_00 {
		t.Errorf("return postings sum to %d", servicing.Sum(r.Postings))
	}
	// Returning more than the plan still owes: the rest is a credit balance,
	// applied at the day's end to what else is owed.
	r = must(t)(a.Return(servicing.Return{ID: "ret_2", PurchaseID: "eq", Date: d(2025, 4, 1), Amount: 600_00}))
	if eq.Balance() != 0 || a.Credit != 50_00 {
		t.Fatalf("plan %d, credit %d; want 0 and 5000", eq.Balance(), a.Credit)
	}
	end := must(t)(a.EndDay(d(2025, 4, 1)))
	if a.Credit != 0 || a.Segment(servicing.RevolvingID).Principal != 285_00-50_00 || servicing.Sum(end.Postings) != 0 {
		t.Errorf("credit applied at the day's end: credit %d, revolving %d, postings sum %d", a.Credit, a.Segment(servicing.RevolvingID).Principal, servicing.Sum(end.Postings))
	}
	if _, err := a.Return(servicing.Return{ID: "ret_3", PurchaseID: "nope", Date: a.OpenDay(), Amount: 1}); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		t.Errorf("return of an unknown purchase: %v", err)
	}
	if _, err := a.Return(servicing.Return{ID: "ret_4", PurchaseID: "rev", Date: a.OpenDay(), Amount: 0}); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
		t.Errorf("return of 0: %v", err)
	}
}

// The first, partial period charges interest for the days the balance was
// owed only (Fineract #1562), and a payment dated back redoes the accrual
// since its date (FINERACT-2081).
func TestPartialPeriodAndPaymentDatedBack(t *testing.T) {
	a := open(t, d(2025, 3, 1), "ON")
	run(t, a, d(2025, 3, 19))
	must(t)(a.Purchase(servicing.Purchase{ID: "c", Date: d(2025, 3, 20), Amount: 1_000_00, Terms: regular}))
	run(t, a, d(2025, 4, 10))
	// Received on 04-10's open day 04-11 but dated 04-05 (a bill payment
	// the bank credits back to its date).
	must(t)(a.Pay(servicing.Payment{ID: "p", Date: d(2025, 4, 5), Amount: 400_00}))
	st := run(t, a, d(2025, 4, 30))
	// The March statement's $1,000 was not paid in full by 04-21: March
	// counts 12 days (03-20 to 03-31) of $1,000; April 4 days of $1,000 and
	// 26 of $600: (12,000 + 4,000 + 15,600) × r = $25.96.
	if got := st[0].InterestCharged; got != 25_96 {
		t.Errorf("April interest = %d, want 2596", got)
	}
}

func TestReplayRejectsThePast(t *testing.T) {
	cfg := servicing.DefaultConfig()
	o := servicing.Opening{Number: "1", Province: "ON", Opened: d(2025, 3, 1)}
	p := servicing.Purchase{ID: "c", Date: d(2025, 3, 5), Amount: 100_00, Terms: regular}
	_, _, err := servicing.Replay(cfg, o, []servicing.Event{
		{Kind: servicing.EventPurchase, Date: d(2025, 3, 5), Purchase: &p},
		{Kind: servicing.EventPayment, Date: d(2025, 3, 4), Payment: &servicing.Payment{ID: "p", Date: d(2025, 3, 4), Amount: 1}},
	}, d(2025, 3, 31))
	if err == nil {
		t.Fatal("Replay accepted an event dated on a day already ended")
	}
	a, st, err := servicing.Replay(cfg, o, []servicing.Event{{Kind: servicing.EventPurchase, Date: d(2025, 3, 5), Purchase: &p},
		{Kind: servicing.EventLimit, Date: d(2025, 3, 6), Limit: 3_000_00}}, d(2025, 3, 31))
	if err != nil || len(st) != 1 || a.CreditLimit != 3_000_00 || st[0].AvailableCredit != 2_900_00 {
		t.Fatalf("Replay = %v, %d statements, limit %d", err, len(st), a.CreditLimit)
	}
}
