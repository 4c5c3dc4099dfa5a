package servicing_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// The engine stores an Account as JSON between days: it must come back
// the same, payments and their allocations included.
func TestAccountJSONRoundTrip(t *testing.T) {
	a := open(t, d(2025, 3, 1), "QC")
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Terms: regular}))
	must(t)(a.Purchase(servicing.Purchase{ID: "cap_2", Date: d(2025, 3, 1), Amount: 1_200_00,
		Terms: finance.Terms{Category: finance.EqualPayments, Months: 12, AdminFee: 45_00}}))
	run(t, a, d(2025, 3, 28))
	must(t)(a.Pay(servicing.Payment{ID: "pay_1", Date: d(2025, 3, 26), Amount: 300_00})) // dated back
	run(t, a, d(2025, 4, 2))
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back servicing.Account
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, a) {
		t.Fatalf("JSON round trip differs:\n%+v\nwant\n%+v", &back, a)
	}
	// And it goes on the same: reversing the payment from the copy.
	r1 := must(t)(a.Reverse(servicing.Reversal{PaymentID: "pay_1", Date: d(2025, 4, 3)}))
	r2 := must(t)(back.Reverse(servicing.Reversal{PaymentID: "pay_1", Date: d(2025, 4, 3)}))
	if !reflect.DeepEqual(r1, r2) {
		t.Fatalf("reversal from the copy = %+v, want %+v", r2, r1)
	}
}
