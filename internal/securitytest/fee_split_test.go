package securitytest

import (
	"context"
	"fmt"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// Second review, MEDIUM 2: the merchant fee was worked out on each capture
// alone, so a merchant could split a purchase into captures small enough
// that the rate rounds to nothing, or make its first capture one cent to
// carry one cent of the fixed fee. The fee is now worked out on the
// authorization's captured total: each capture pays the fee of the new
// total minus the fee already charged.

// TestFeeSplitCapturesPayTheSameFee reproduces the review's figures on a
// whole platform, every engine: 100 captures of $0.33 on 150 bps charge
// the $0.50 one $33.00 capture charges; a first capture of $0.01 on 350 bps
// + $0.30 does not dodge the fixed part.
func TestFeeSplitCapturesPayTheSameFee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cp := consentStart(t, e)
		ctx := context.Background()
		env := openflex.Training
		m := cp.consentFirstMerchant(env)
		lend := cp.Main.Lending[env]
		tests := []struct {
			name     string
			fee      openflex.MerchantFee
			captures []int64
			want     int64
		}{
			{"one capture of $33.00 on 150 bps", openflex.MerchantFee{Bps: 150}, []int64{3300}, 50},
			{"100 captures of $0.33 on 150 bps", openflex.MerchantFee{Bps: 150}, repeatCents(33, 100), 50},
			{"one capture of $100.00 on 350 bps + $0.30", openflex.MerchantFee{Bps: 350, Fixed: 30}, []int64{10000}, 380},
			{"$0.01 first, then $99.99, on 350 bps + $0.30", openflex.MerchantFee{Bps: 350, Fixed: 30}, []int64{1, 9999}, 380},
		}
		for i, tt := range tests {
			number := cp.consentOpenAccount(t, m, consentPerson{first: "Fee", last: fmt.Sprintf("Splitter%c", 'a'+i), dob: "1981-04-05"})
			var total int64
			for _, c := range tt.captures {
				total += c
			}
			v, err := lend.Authorize(ctx, lending.AuthorizeRequest{MerchantID: m.ID, StoreID: m.Store, AccountNumber: number, Amount: total,
				Currency: openflex.CAD, Channel: "online", Financing: &lending.FinancingChoice{PlanID: storetest.FeePlan(t, cp.Main.Stores.Data(env), env, m.ID, tt.fee)}})
			if err != nil {
				t.Fatalf("%s: authorize: %v", tt.name, err)
			}
			var fees int64
			for _, amount := range tt.captures {
				_, c, err := lend.Capture(ctx, m.ID, v.Authorization.ID, amount, "", false)
				if err != nil {
					t.Fatalf("%s: capture %d: %v", tt.name, amount, err)
				}
				fees += c.Fee
			}
			if fees != tt.want {
				t.Errorf("%s: fees = %d cents, want %d", tt.name, fees, tt.want)
			}
		}
	})
}

func repeatCents(c int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = c
	}
	return out
}
