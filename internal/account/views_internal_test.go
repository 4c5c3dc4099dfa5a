package account

import (
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// TestTransactionRows: the overview's recent transactions read as the
// statement does — dated in the account's province, credits (payments,
// returns, waivers) with a minus sign — and leave out holds.
func TestTransactionRows(t *testing.T) {
	toronto := openflex.Province("ON").Location()
	// 02:30 UTC on February 1 is still January 31 in Toronto.
	late := time.Date(2027, 2, 1, 2, 30, 0, 0, time.UTC)
	txns := []*openflex.Transaction{
		{Type: openflex.TxnCapture, Amount: 500_00, Created: late},
		{Type: openflex.TxnAuthorization, Amount: 500_00, Created: late},
		{Type: openflex.TxnPayment, Amount: 100_00, Created: late},
		{Type: openflex.TxnReturn, Amount: 20_00, Created: late},
		{Type: openflex.TxnPaymentReversal, Amount: 100_00, Created: late},
		{Type: openflex.TxnInterestWaived, Amount: 5_00, Created: late},
		// Moves between balances change nothing owed: never an amount that
		// reads as a new charge.
		{Type: openflex.TxnPromotionCancelled, Amount: 1249_99, Created: late},
		{Type: openflex.TxnPlanExpired, Amount: 300_00, Created: late},
		{Type: openflex.TxnChargeOff, Amount: 400_00, Created: late},
	}
	want := []txnRow{
		{Date: "2027-01-31", What: "Purchase", Amount: 500_00},
		{Date: "2027-01-31", What: "Payment, thank you", Amount: -100_00},
		{Date: "2027-01-31", What: "Return", Amount: -20_00},
		{Date: "2027-01-31", What: "Payment reversed", Amount: 100_00},
		{Date: "2027-01-31", What: "Interest waived", Amount: -5_00},
		{Date: "2027-01-31", What: "Promotion cancelled: $1,249.99 moved to your regular balance", Moved: true},
		{Date: "2027-01-31", What: "Promotion ended: $300.00 moved to your regular balance", Moved: true},
		{Date: "2027-01-31", What: "Charged off: $400.00 moved to a charged-off balance, still owed", Moved: true},
	}
	got := txnRows(txns, toronto, "en", nil)
	if len(got) != len(want) {
		t.Fatalf("rows = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	fr := txnRows(txns[6:7], toronto, "fr", nil)
	if want := "Promotion annulée : 1 249,99 $ transférés à votre solde courant"; len(fr) != 1 || fr[0].What != want {
		t.Errorf("French move = %+v, want %q", fr, want)
	}
}

// TestLivePlans: the overview lists the latest statement's plans that are
// still plans today; one whose promotion was cancelled, or that expired,
// since the statement is in the regular balance and is not shown with
// its instalment and end date as if it still ran.
func TestLivePlans(t *testing.T) {
	plans := []servicing.PlanSummary{{Segment: "cap_equal", Description: "sofa"}, {Segment: "cap_deferred", Description: "bed"}}
	state := &servicing.Account{Segments: []*servicing.Segment{
		{ID: "revolving"}, {ID: "cap_equal", Closed: true, MovedTo: "revolving"}, {ID: "cap_deferred"}}}
	got := livePlans(plans, state)
	if len(got) != 1 || got[0].Segment != "cap_deferred" {
		t.Errorf("live plans = %+v, want only cap_deferred", got)
	}
	if got := livePlans(plans, nil); len(got) != 2 {
		t.Errorf("with no servicing state: %+v, want the statement's plans", got)
	}
}
