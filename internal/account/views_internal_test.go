package account

import (
	"testing"
	"time"

	"github.com/openflex/openflex"
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
	}
	want := []txnRow{
		{Date: "2027-01-31", What: "Purchase", Amount: 500_00},
		{Date: "2027-01-31", What: "Payment, thank you", Amount: -100_00},
		{Date: "2027-01-31", What: "Return", Amount: -20_00},
		{Date: "2027-01-31", What: "Payment reversed", Amount: 100_00},
		{Date: "2027-01-31", What: "Interest waived", Amount: -5_00},
	}
	got := txnRows(txns, toronto, "en")
	if len(got) != len(want) {
		t.Fatalf("rows = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
