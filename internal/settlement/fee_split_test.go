package settlement_test

import (
	"math/rand/v2"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// TestFeeSplitCapturesAndReturns: a purchase captured in random pieces is
// charged the fee of one capture of the total (150 bps; 350 bps + $0.30;
// a fixed fee alone), and returning every piece in random parts gives back
// exactly the fee charged, never more at any step; the ledger and the
// payable agree throughout (verify).
func TestFeeSplitCapturesAndReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, map[string][2]string{"TOR": {"ON", ""}})
		w.at(mustTime(t, "2027-05-03T15:00:00Z"))
		rng := rand.New(rand.NewPCG(7, 150))
		for _, f := range []openflex.MerchantFee{{Bps: 150}, {Bps: 350, Fixed: 30}, {Fixed: 45}} {
			for round := 0; round < 3; round++ {
				total := 1000 + rng.Int64N(40000)
				v, err := w.lend.Authorize(w.ctx, lending.AuthorizeRequest{MerchantID: w.merchant, StoreID: w.store["TOR"], AccountNumber: w.account(),
					Amount: total, Currency: openflex.CAD, Channel: "online", Financing: &lending.FinancingChoice{PlanID: w.feePlan(f)}})
				if err != nil {
					t.Fatal(err)
				}
				var caps []*openflex.Capture
				var charged int64
				for left := total; left > 0; {
					amount := min(1+rng.Int64N(300), left)
					if rng.IntN(4) == 0 {
						amount = left
					}
					_, c, err := w.lend.Capture(w.ctx, w.merchant, v.Authorization.ID, amount, "", false)
					if err != nil {
						t.Fatal(err)
					}
					caps = append(caps, c)
					charged += c.Fee
					left -= amount
				}
				if want := f.Total(total); charged != want {
					t.Fatalf("%+v: %d captures of %d charged %d, one capture charges %d", f, len(caps), total, charged, want)
				}
				var refunded int64
				for _, c := range caps {
					for left := c.Amount; left > 0; {
						amount := min(1+rng.Int64N(c.Amount), left)
						refunded += w.refund(c, amount).FeeRefund
						left -= amount
						if refunded > charged {
							t.Fatalf("%+v: refunded %d of a fee of %d", f, refunded, charged)
						}
					}
				}
				if refunded != charged {
					t.Fatalf("%+v: everything returned gave back %d of a fee of %d", f, refunded, charged)
				}
				w.verify()
			}
		}
	})
}
