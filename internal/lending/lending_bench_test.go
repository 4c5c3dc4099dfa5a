package lending_test

import (
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// The hot paths of a purchase, on each engine: the lending service on a
// real data plane (newLedger), without HTTP, authentication or the
// idempotency record (the API benchmarks and cmd/openflex-bench add those).
// Every iteration is one database transaction. On SQLite the TRAINING plane
// runs with synchronous=NORMAL: no fsync per commit.

// benchLimit is a credit limit no benchmark run can use up.
const benchLimit = 10_000_000_00

// eachEngine runs fn as one sub-benchmark per engine, named after it, on a
// fresh ledger with the given number of accounts.
func eachEngine(b *testing.B, accounts int, fn func(b *testing.B, le *ledgerEnv, accts []string)) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			le := newLedger(b, e)
			accts := make([]string, accounts)
			for i := range accts {
				accts[i] = le.account(benchLimit)
			}
			b.ReportAllocs()
			fn(b, le, accts)
		})
	}
}

// BenchmarkAuthorize holds $1.00 on one of 64 accounts: read the account,
// insert the authorization, its transaction and two ledger entries, adjust
// the balances, list its captures, append the event.
func BenchmarkAuthorize(b *testing.B) {
	eachEngine(b, 64, func(b *testing.B, le *ledgerEnv, accts []string) {
		i := 0
		for b.Loop() {
			if _, err := le.authorize(accts[i%len(accts)], 1_00); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkCapture captures a fresh $100.00 authorization in full (the
// authorization is made with the timer stopped).
func BenchmarkCapture(b *testing.B) {
	eachEngine(b, 64, func(b *testing.B, le *ledgerEnv, accts []string) {
		i := 0
		for b.Loop() {
			b.StopTimer()
			a, err := le.authorize(accts[i%len(accts)], 100_00)
			if err != nil {
				b.Fatal(err)
			}
			i++
			b.StartTimer()
			if _, _, err := le.svc.Capture(le.ctx, "mer_test", a.ID, 0, "", true); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReturn returns $1.00 of a large capture, again and again: the
// capture and authorization reads, the return, the capture and
// authorization updates, the transaction, the balances and the event.
func BenchmarkReturn(b *testing.B) {
	eachEngine(b, 1, func(b *testing.B, le *ledgerEnv, accts []string) {
		const captured = 100_000_00 // 100,000 returns of $1.00 before a new capture is needed
		newCapture := func() string {
			a, err := le.authorize(accts[0], captured)
			if err != nil {
				b.Fatal(err)
			}
			_, c, err := le.svc.Capture(le.ctx, "mer_test", a.ID, 0, "", true)
			if err != nil {
				b.Fatal(err)
			}
			return c.ID
		}
		capID, left := newCapture(), int64(captured)
		for b.Loop() {
			if left < 1_00 {
				b.StopTimer()
				capID, left = newCapture(), captured
				b.StartTimer()
			}
			if _, err := le.svc.Return(le.ctx, lending.ReturnRequest{MerchantID: "mer_test", CaptureID: capID, Amount: 1_00}); err != nil {
				b.Fatal(err)
			}
			left -= 1_00
		}
	})
}

// BenchmarkCaptureWithFee is BenchmarkCapture on a plan with a merchant
// fee: the capture writes six ledger entries (customer, payable, fee
// income) in one statement, and its settlement line.
func BenchmarkCaptureWithFee(b *testing.B) {
	eachEngine(b, 64, func(b *testing.B, le *ledgerEnv, accts []string) {
		i := 0
		plan := storetest.FeePlan(b, le.db, openflex.Training, "mer_test", openflex.MerchantFee{Bps: 600, Fixed: 25})
		for b.Loop() {
			b.StopTimer()
			a, err := le.svc.Authorize(le.ctx, lending.AuthorizeRequest{MerchantID: "mer_test", StoreID: "str_test",
				AccountNumber: accts[i%len(accts)], Amount: 100_00, Currency: openflex.CAD, Channel: "online",
				Financing: &lending.FinancingChoice{PlanID: plan}})
			if err != nil {
				b.Fatal(err)
			}
			i++
			b.StartTimer()
			if _, _, err := le.svc.Capture(le.ctx, "mer_test", a.ID, 0, "", true); err != nil {
				b.Fatal(err)
			}
		}
	})
}
