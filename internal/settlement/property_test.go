package settlement_test

import (
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
)

// roundHalfUp is the fee rule computed independently of the code under
// test, with exact rationals.
func roundHalfUp(num, den int64) int64 {
	r := new(big.Rat).SetFrac64(num, den)
	r.Add(r, big.NewRat(1, 2))
	return new(big.Int).Quo(r.Num(), r.Denom()).Int64()
}

// TestPropertySettlementsAddUp runs random sequences of captures, partial
// and full returns, clock jumps across the stores' midnights, cuts and
// payouts. After every step: the sum over closed settlements plus the
// unsettled lines equals captures − returns − fees + fee refunds (fees
// worked out here independently), and the payable from the ledger equals
// that minus the payouts and matches lines and settlements (verify).
func TestPropertySettlementsAddUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		for seed := uint64(1); seed <= 3; seed++ {
			w := newWorld(t, e, map[string][2]string{"TOR": {"ON", ""}, "VAN": {"BC", "America/Vancouver"}, "SJN": {"NL", ""}})
			rng := rand.New(rand.NewPCG(seed, 18))
			now := mustTime(t, "2027-03-12T12:00:00Z") // across the DST change of 2027-03-14
			w.at(now)
			fees := []openflex.MerchantFee{{Bps: 600}, {Bps: 350, Fixed: 25}, {Fixed: 100, NoRefund: true}, {Bps: 1, Fixed: 0}}
			type capt struct {
				c           *openflex.Capture
				fee         openflex.MerchantFee
				feeCharged  int64
				returned    int64
				feeRefunded int64
			}
			var caps []*capt
			var gross, returns, feeSum, refunds, paid int64
			names := []string{"TOR", "VAN", "SJN"}
			for step := 0; step < 60; step++ {
				switch k := rng.IntN(10); {
				case k < 4:
					f := fees[rng.IntN(len(fees))]
					amount := 1 + rng.Int64N(200000)
					c := w.purchase(names[rng.IntN(3)], amount, f)
					want := min(roundHalfUp(amount*f.Bps, 10000)+f.Fixed, amount)
					if c.Fee != want {
						t.Fatalf("seed %d: fee on %d with %+v = %d, want %d", seed, amount, f, c.Fee, want)
					}
					caps = append(caps, &capt{c: c, fee: f, feeCharged: want})
					gross += amount
					feeSum += want
				case k < 7 && len(caps) > 0:
					x := caps[rng.IntN(len(caps))]
					left := x.c.Amount - x.returned
					if left == 0 {
						continue
					}
					amount := left
					if rng.IntN(2) == 0 {
						amount = 1 + rng.Int64N(left)
					}
					r := w.refund(x.c, amount)
					x.returned += amount
					want := int64(0)
					if !x.fee.NoRefund {
						want = roundHalfUp(x.feeCharged*x.returned, x.c.Amount) - x.feeRefunded
					}
					if r.FeeRefund != want {
						t.Fatalf("seed %d: refund on %d of %d = %d, want %d", seed, amount, x.c.Amount, r.FeeRefund, want)
					}
					x.feeRefunded += want
					returns += amount
					refunds += want
				case k < 9:
					now = now.Add(time.Duration(rng.IntN(14*60)) * time.Minute)
					w.at(now)
					w.cut()
				default:
					due, err := w.settle.Due(w.ctx, "")
					if err != nil {
						t.Fatal(err)
					}
					for _, st := range due {
						if err := w.settle.Pay(w.ctx, st); err != nil {
							t.Fatal(err)
						}
						paid += st.Amount()
					}
				}
				var settled int64
				for _, st := range w.closed() {
					settled += st.Net()
				}
				lines, err := w.db.UnsettledLines(w.ctx, w.merchant)
				if err != nil {
					t.Fatal(err)
				}
				var unsettled int64
				for _, l := range lines {
					unsettled += l.Net()
				}
				if want := gross - returns - feeSum + refunds; settled+unsettled != want {
					t.Fatalf("seed %d step %d: settled %d + unsettled %d = %d, want captures − returns − fees + refunds = %d",
						seed, step, settled, unsettled, settled+unsettled, want)
				}
				payable, err := w.db.Payable(w.ctx, w.merchant)
				if err != nil {
					t.Fatal(err)
				}
				if want := gross - returns - feeSum + refunds - paid; payable != want {
					t.Fatalf("seed %d step %d: payable %d, want %d", seed, step, payable, want)
				}
				w.verify()
			}
		}
	})
}
