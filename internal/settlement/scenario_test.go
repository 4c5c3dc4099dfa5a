package settlement_test

import (
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
)

// Fees of the scenario's plans.
var (
	planA = openflex.MerchantFee{Bps: 600}                   // 6 %, refunded pro rata
	planB = openflex.MerchantFee{Bps: 350, Fixed: 25}        // 3.5 % + $0.25 per purchase
	planC = openflex.MerchantFee{Fixed: 100, NoRefund: true} // $1 per purchase, never refunded
)

// want is one settlement worked out by hand; stores holds each store's
// {gross, returns, fees, fee refunds}.
type want struct {
	date                             string
	status                           openflex.SettlementStatus
	gross, returns, fees, feeRefunds int64
	net, carriedIn, amount           int64
	lines                            int64
	stores                           map[string][4]int64
}

// TestScenario runs four business days of a merchant with stores in
// Toronto (EST, UTC−5), Vancouver (no time zone of its own: BC's, PST,
// UTC−8) and St. John's (NST, UTC−3:30), and checks every settlement
// against figures worked out by hand (docs/settlements.md walks through
// them).
//
// Fees: A 6 % (half up to the cent), B 3.5 % + 25¢ per purchase, C $1 per
// purchase and no refund. Refunds are cumulative pro rata:
// refund = round(fee × returned so far / captured) − what was refunded.
func TestScenario(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, map[string][2]string{"TOR": {"ON", "America/Toronto"}, "VAN": {"BC", ""}, "SJN": {"NL", "America/St_Johns"}})
		at := func(s string) { w.at(mustTime(t, s)) }

		// Monday 2027-01-04.
		at("2027-01-04T10:00:00-05:00")
		c1 := w.purchase("TOR", 100000, planA) // fee 6000
		at("2027-01-04T15:00:00-05:00")
		w.refund(c1, 25000)                   // a return before the cut: refund round(6000×25000/100000) = 1500
		at("2027-01-04T21:30:00-08:00")       // 00:30 Tuesday in Toronto, still Monday in Vancouver
		c2 := w.purchase("VAN", 45999, planB) // fee round(1609.965) + 25 = 1635
		at("2027-01-04T23:45:00-03:30")
		c3 := w.purchase("SJN", 20000, planC) // fee 100
		at("2027-01-05T00:15:00-05:00")
		w.purchase("TOR", 5000, planA)  // Tuesday in Toronto: fee 300
		at("2027-01-05T02:00:00-05:00") // Toronto and St. John's are past midnight, Vancouver (23:00) is not
		if n := w.cut(); n != 0 {
			t.Fatalf("cut before Vancouver's midnight closed %d settlements, want 0", n)
		}
		at("2027-01-05T06:00:00-05:00")
		if n := w.cut(); n != 1 {
			t.Fatalf("cut after every store's midnight closed %d settlements, want 1", n)
		}
		if n := w.cut(); n != 0 {
			t.Fatalf("second cut closed %d more, want 0 (idempotent)", n)
		}

		// Tuesday 2027-01-05.
		at("2027-01-04T23:59:00-05:00") // a late capture: stamped Monday, committed after Monday's cut
		w.purchase("TOR", 10000, planA) // fee 600, lands in Tuesday
		at("2027-01-05T11:00:00-05:00")
		w.refund(c1, 50000) // after Monday's cut: refund round(6000×75000/100000) − 1500 = 3000
		at("2027-01-05T12:00:00-08:00")
		w.refund(c2, 45999)             // in full: the whole fee, 1635
		at("2027-01-05T23:30:00-08:00") // 02:30 Wednesday in Toronto
		w.purchase("VAN", 33333, planA) // fee round(1999.98) = 2000
		at("2027-01-06T09:00:00-05:00")
		w.cut()

		// Wednesday 2027-01-06.
		at("2027-01-06T12:00:00-03:30")
		w.purchase("SJN", 80000, planB) // fee 2800 + 25 = 2825
		at("2027-01-06T13:00:00-03:30")
		w.refund(c3, 5000) // plan C refunds nothing
		at("2027-01-06T23:59:59-05:00")
		w.purchase("TOR", 1, planA) // fee round(0.06) = 0
		at("2027-01-07T04:00:00-05:00")
		w.cut()

		// Thursday 2027-01-07: nothing sold, no settlement. Friday:
		at("2027-01-08T10:00:00-08:00")
		w.purchase("VAN", 20000, planA) // fee 1200
		at("2027-01-09T02:00:00-05:00") // Vancouver is still on Friday
		w.cut()
		view, err := w.settle.Open(w.ctx, w.merchant)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Settlements) == 0 || view.Settlements[0].BusinessDate != "2027-01-08" || view.Settlements[0].Gross != 20000 ||
			view.Settlements[0].Status != openflex.SettlementOpen {
			t.Fatalf("open settlements before Vancouver's midnight: %+v", view.Settlements)
		}
		openID := view.Settlements[0].ID
		at("2027-01-09T03:30:00-05:00")
		w.cut()

		wants := []want{
			{date: "2027-01-04", status: openflex.SettlementPending, gross: 165999, returns: 25000, fees: 7735, feeRefunds: 1500,
				net: 134764, amount: 134764, lines: 4,
				stores: map[string][4]int64{"TOR": {100000, 25000, 6000, 1500}, "VAN": {45999, 0, 1635, 0}, "SJN": {20000, 0, 100, 0}}},
			{date: "2027-01-05", status: openflex.SettlementCarriedForward, gross: 48333, returns: 95999, fees: 2900, feeRefunds: 4635,
				net: -45931, amount: -45931, lines: 5,
				stores: map[string][4]int64{"TOR": {15000, 50000, 900, 3000}, "VAN": {33333, 45999, 2000, 1635}}},
			{date: "2027-01-06", status: openflex.SettlementPending, gross: 80001, returns: 5000, fees: 2825, feeRefunds: 0,
				net: 72176, carriedIn: -45931, amount: 26245, lines: 3,
				stores: map[string][4]int64{"SJN": {80000, 5000, 2825, 0}, "TOR": {1, 0, 0, 0}}},
			{date: "2027-01-08", status: openflex.SettlementPending, gross: 20000, fees: 1200, net: 18800, amount: 18800, lines: 1,
				stores: map[string][4]int64{"VAN": {20000, 0, 1200, 0}}},
		}
		got := w.closed()
		if len(got) != len(wants) {
			t.Fatalf("%d settlements, want %d: %+v", len(got), len(wants), got)
		}
		names := map[string]string{}
		for n, id := range w.store {
			names[id] = n
		}
		for i, wt := range wants {
			g := got[i]
			if g.BusinessDate != wt.date || g.Status != wt.status || g.Gross != wt.gross || g.Returns != wt.returns || g.Fees != wt.fees ||
				g.FeeRefunds != wt.feeRefunds || g.Net() != wt.net || g.CarriedIn != wt.carriedIn || g.Amount() != wt.amount || g.Lines != wt.lines {
				t.Errorf("settlement %s = %s gross %d returns %d fees %d refunds %d net %d carried %d amount %d lines %d, want %+v",
					g.BusinessDate, g.Status, g.Gross, g.Returns, g.Fees, g.FeeRefunds, g.Net(), g.CarriedIn, g.Amount(), g.Lines, wt)
			}
			if len(g.Stores) != len(wt.stores) {
				t.Errorf("settlement %s has %d stores, want %d", g.BusinessDate, len(g.Stores), len(wt.stores))
			}
			for _, st := range g.Stores {
				f := [4]int64{st.Gross, st.Returns, st.Fees, st.FeeRefunds}
				if f != wt.stores[names[st.StoreID]] {
					t.Errorf("settlement %s store %s = %v, want %v", g.BusinessDate, names[st.StoreID], f, wt.stores[names[st.StoreID]])
				}
			}
			if w.events[g.ID] != 1 {
				t.Errorf("settlement %s: %d settlement.created events, want 1", g.BusinessDate, w.events[g.ID])
			}
		}
		if got[3].ID != openID {
			t.Errorf("Friday's settlement id changed at the cut: %s, open it was %s", got[3].ID, openID)
		}
		w.verify()

		// Payouts clear the payable; what stays owed is Friday's.
		for _, st := range []int{0, 2} {
			if err := w.settle.Pay(w.ctx, got[st]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.settle.Pay(w.ctx, got[0]); err == nil {
			t.Fatal("paying a paid settlement again succeeded")
		}
		w.verify()
		if p, err := w.db.Payable(w.ctx, w.merchant); err != nil || p != 18800 {
			t.Fatalf("payable after paying Monday and Wednesday = %d, %v; want 18800", p, err)
		}
	})
}

// TestScrubKeepsPayablesTrue scrubs TRAINING customers from under settled
// and paid lines: the merchant's settlements and payouts go, its remaining
// lines are settled again, and the payable still matches.
func TestScrubKeepsPayablesTrue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, map[string][2]string{"TOR": {"ON", ""}})
		w.at(mustTime(t, "2027-01-04T10:00:00-05:00"))
		w.purchase("TOR", 10000, planA) // an old customer: scrubbed
		w.at(mustTime(t, "2027-01-05T10:00:00-05:00"))
		kept := w.purchase("TOR", 20000, planA) // a newer one: kept
		w.at(mustTime(t, "2027-01-06T10:00:00-05:00"))
		w.cut()
		due, err := w.settle.Due(w.ctx, "")
		if err != nil || len(due) != 2 {
			t.Fatalf("due: %d, %v", len(due), err)
		}
		if err := w.settle.Pay(w.ctx, due[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.Scrub(w.ctx, mustTime(t, "2027-01-05T00:00:00-05:00")); err != nil {
			t.Fatal(err)
		}
		w.verify()
		w.cut()
		got := w.closed()
		if len(got) != 1 || got[0].Gross != kept.Amount || got[0].BusinessDate != "2027-01-05" {
			t.Fatalf("after the scrub: %+v, want one settlement of the kept capture", got)
		}
		w.verify()
	})
}

// TestZeroDayIsPaid: a day whose sales were all returned (fees refunded
// too) nets zero; it closes paid, and the merchant hears both events a
// paid day sends — settlement.created and settlement.paid — so a listener
// that reconciles on settlement.paid misses no day.
func TestZeroDayIsPaid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, map[string][2]string{"TOR": {"ON", "America/Toronto"}})
		w.at(mustTime(t, "2027-01-04T10:00:00-05:00"))
		c := w.purchase("TOR", 10000, planA)
		w.at(mustTime(t, "2027-01-04T11:00:00-05:00"))
		w.refund(c, 10000)
		w.at(mustTime(t, "2027-01-05T06:00:00-05:00"))
		if n := w.cut(); n != 1 {
			t.Fatalf("cut closed %d settlements, want 1", n)
		}
		got := w.closed()
		if len(got) != 1 || got[0].Amount() != 0 || got[0].Status != openflex.SettlementPaid || got[0].PaidAt.IsZero() {
			t.Fatalf("zero day closed as %+v, want one paid settlement of 0", got)
		}
		for _, typ := range []string{"settlement.created", "settlement.paid"} {
			evs, _, err := w.db.Events(w.ctx, w.merchant, typ, openflex.ListParams{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Errorf("%d %s events, want 1", len(evs), typ)
			}
		}
		w.verify()
	})
}

// TestCloseNow is TRAINING's "close the day": today's sales are cut now,
// as the midnight cut would, and paid at once; a sale made after it waits
// for tomorrow's settlement (the midnight cut leaves it there), a second
// close the same day closes nothing, a day still running in a western
// store closes with the east's, and PRODUCTION refuses.
func TestCloseNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, map[string][2]string{"TOR": {"ON", "America/Toronto"}, "VAN": {"BC", "America/Vancouver"}})
		closeNow := func(want int) []*openflex.Settlement {
			t.Helper()
			got, err := w.settle.CloseNow(w.ctx, w.merchant)
			if err != nil || len(got) != want {
				t.Fatalf("CloseNow = %d settlements, %v; want %d", len(got), err, want)
			}
			return got
		}
		w.at(mustTime(t, "2027-01-04T10:00:00-05:00"))
		w.purchase("TOR", 100_00, planA)
		w.purchase("VAN", 50_00, planA)
		w.at(mustTime(t, "2027-01-04T14:00:00-05:00"))
		got := closeNow(1)
		if st := got[0]; st.BusinessDate != "2027-01-04" || st.Status != openflex.SettlementPaid || st.PaidAt.IsZero() || st.PayoutID == "" ||
			st.Lines != 2 || st.Gross != 150_00 {
			t.Fatalf("closed %+v; want 2027-01-04 paid with its 2 lines of $150.00", st)
		}
		if closed := w.closed(); len(closed) != 1 || closed[0].Status != openflex.SettlementPaid {
			t.Fatalf("stored settlements %+v, want the one paid", closed)
		}
		if n := w.events[got[0].ID]; n != 2 {
			t.Errorf("%d events for the closed day, want settlement.created and settlement.paid", n)
		}
		w.verify()

		// A sale after the close goes into tomorrow's settlement, open
		// until tomorrow's midnight; a second close today has nothing to do.
		w.at(mustTime(t, "2027-01-04T15:00:00-05:00"))
		w.purchase("TOR", 20_00, planA)
		view, err := w.settle.Open(w.ctx, w.merchant)
		if err != nil || len(view.Settlements) != 1 || view.Settlements[0].BusinessDate != "2027-01-05" || view.Settlements[0].Lines != 1 {
			t.Fatalf("open after the close: %+v, %v; want 2027-01-05 holding the later sale", view, err)
		}
		closeNow(0)
		w.at(mustTime(t, "2027-01-05T04:00:00-05:00"))
		if n := w.cut(); n != 0 {
			t.Fatalf("the midnight cut closed %d settlements; the later sale belongs to 2027-01-05", n)
		}
		w.at(mustTime(t, "2027-01-06T04:00:00-05:00"))
		if n := w.cut(); n != 1 {
			t.Fatalf("the cut closed %d settlements, want 2027-01-05", n)
		}
		if closed := w.closed(); len(closed) != 2 || closed[1].BusinessDate != "2027-01-05" || closed[1].Gross != 20_00 {
			t.Fatalf("closed %+v; want 2027-01-05 with the later sale", closed)
		}

		// 01:00 in Toronto is still the evening before in Vancouver: the
		// close takes both stores' days, each to its own settlement.
		w.at(mustTime(t, "2027-01-07T01:00:00-05:00"))
		w.purchase("VAN", 30_00, planA)
		w.purchase("TOR", 40_00, planA)
		got = closeNow(2)
		if got[0].BusinessDate != "2027-01-06" || got[0].Gross != 30_00 || got[1].BusinessDate != "2027-01-07" || got[1].Gross != 40_00 {
			t.Fatalf("closed %s %d and %s %d; want 2027-01-06 $30.00 (Vancouver) and 2027-01-07 $40.00 (Toronto)",
				got[0].BusinessDate, got[0].Gross, got[1].BusinessDate, got[1].Gross)
		}
		w.verify()

		prod := *w.settle
		prod.Env = openflex.Production
		if _, err := prod.CloseNow(w.ctx, w.merchant); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("PRODUCTION CloseNow: %v, want resource_missing", err)
		}
	})
}
