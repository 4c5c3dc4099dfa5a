package api

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/storetest"
)

// clockAccount is a customer's account on a fresh TRAINING test clock
// frozen at start (RFC 3339), with a credit limit of limit.
func (ev *env) clockAccount(mk merchantKeys, auth, start string, limit int64) (clockID, number string) {
	ev.t.Helper()
	r := ev.call("POST", "/v1/test_helpers/test_clocks", auth, fmt.Sprintf(`{"frozen_time":%q,"name":"worked figures"}`, start))
	if r.status != 201 || r.json["status"] != "ready" {
		ev.t.Fatalf("create test clock: %d %s", r.status, r.raw)
	}
	clockID = r.json["id"].(string)
	number = ev.purchaseAccount(mk, auth, limit)
	if r := ev.call("POST", "/v1/test_helpers/test_clocks/"+clockID+"/attach", auth, fmt.Sprintf(`{"account_number":%q}`, number)); r.status != 200 {
		ev.t.Fatalf("attach: %d %s", r.status, r.raw)
	}
	return clockID, number
}

// advance moves a test clock to t and fails unless every day on the way
// was applied.
func (ev *env) advanceClock(auth, clockID, t string) {
	ev.t.Helper()
	r := ev.call("POST", "/v1/test_helpers/test_clocks/"+clockID+"/advance", auth, fmt.Sprintf(`{"frozen_time":%q}`, t))
	if r.status != 200 || r.json["frozen_time"] == nil {
		ev.t.Fatalf("advance to %s: %d %s", t, r.status, r.raw)
	}
}

// statements are the statement.created events' statements of an
// account, oldest first.
func (ev *env) statements(auth, number string) []map[string]any {
	ev.t.Helper()
	r := ev.call("GET", "/v1/events?type=statement.created&limit=100", auth, "")
	if r.status != 200 {
		ev.t.Fatalf("events: %d %s", r.status, r.raw)
	}
	var out []map[string]any
	data := r.json["data"].([]any)
	for i := len(data) - 1; i >= 0; i-- {
		var st map[string]any
		raw, _ := json.Marshal(data[i].(map[string]any)["data"].(map[string]any)["object"])
		if err := json.Unmarshal(raw, &st); err != nil {
			ev.t.Fatal(err)
		}
		if st["account_number"] == number {
			out = append(out, st)
		}
	}
	return out
}

func (ev *env) buy(auth string, mk merchantKeys, number string, amount int64, financing string) {
	ev.t.Helper()
	body := fmt.Sprintf(`{"account_number":%q,"amount":%d,"currency":"CAD","store_id":%q,"channel":"online","auto_capture":true%s}`,
		number, amount, mk.stores[0].ID, financing)
	if r := ev.call("POST", "/v1/authorizations", auth, body); r.status != 201 {
		ev.t.Fatalf("purchase: %d %s", r.status, r.raw)
	}
}

func (ev *env) payHelper(auth, number string, amount int64) {
	ev.t.Helper()
	if r := ev.call("POST", "/v1/test_helpers/accounts/"+number+"/payments", auth, fmt.Sprintf(`{"amount":%d}`, amount)); r.status != 200 {
		ev.t.Fatalf("payment: %d %s", r.status, r.raw)
	}
}

// TestWorkedFiguresOnATestClock checks the servicing notes' worked
// figures to the cent, black-box: through the API, on a TRAINING test
// clock, in Ontario (America/Toronto).
func TestWorkedFiguresOnATestClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Basic " + mk.keySet.ClientID + ":" + mk.secret
		create := func(np plans.NewPlan) *openflex.Plan {
			t.Helper()
			np.MerchantID, np.Environment = mk.merchant.ID, openflex.Training
			p, err := plans.Build(np, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := ev.stores.Data(openflex.Training).CreatePlan(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		deferred12 := create(plans.NewPlan{Name: "12 months, no interest if paid in full", Category: openflex.PlanDeferred,
			Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 29990}}})
		equal45 := create(plans.NewPlan{Name: "12 equal payments", Category: openflex.PlanEqualPayments,
			Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 0, AdminFee: 45_00}}, MinAmount: 300_00})

		t.Run("revolving: $500 at 29.99 %, $100 paid on day 25, then only the minimum", func(t *testing.T) {
			clock, n := ev.clockAccount(mk, auth, "2025-03-01T12:00:00-05:00", 1000_00)
			ev.buy(auth, mk, n, 500_00, "")
			ev.advanceClock(auth, clock, "2025-03-25T12:00:00-04:00")
			ev.payHelper(auth, n, 100_00)
			ev.advanceClock(auth, clock, "2025-04-01T09:00:00-04:00")
			sts := ev.statements(auth, n)
			if len(sts) != 1 {
				t.Fatalf("%d statements after March, want 1", len(sts))
			}
			march := sts[0]
			if num(march["closing_balance"]) != 400_00 || num(march["interest_charged"]) != 0 || num(march["minimum_payment"]) != 20_00 ||
				march["due_date"] != "2025-04-21" || march["period_end"] != "2025-03-31" {
				t.Fatalf("March statement: closing %v, interest %v, minimum %v, due %v; want 40000, 0, 2000, 2025-04-21",
					march["closing_balance"], march["interest_charged"], march["minimum_payment"], march["due_date"])
			}
			ev.advanceClock(auth, clock, "2025-04-21T10:00:00-04:00")
			ev.payHelper(auth, n, 20_00)
			ev.advanceClock(auth, clock, "2025-05-01T09:00:00-04:00")
			sts = ev.statements(auth, n)
			if len(sts) != 2 {
				t.Fatalf("%d statements after April, want 2", len(sts))
			}
			april := sts[1]
			if num(april["interest_charged"]) != 21_86 || num(april["closing_balance"]) != 401_86 || num(april["minimum_payment"]) != 21_86 {
				t.Fatalf("April statement: interest %v, closing %v, minimum %v; want 2186, 40186, 2186",
					april["interest_charged"], april["closing_balance"], april["minimum_payment"])
			}
		})

		t.Run("revolving: the statement paid in full keeps the grace", func(t *testing.T) {
			clock, n := ev.clockAccount(mk, auth, "2025-03-01T12:00:00-05:00", 1000_00)
			ev.buy(auth, mk, n, 500_00, "")
			ev.advanceClock(auth, clock, "2025-03-25T12:00:00-04:00")
			ev.payHelper(auth, n, 100_00)
			ev.advanceClock(auth, clock, "2025-04-20T12:00:00-04:00")
			ev.payHelper(auth, n, 400_00)
			ev.advanceClock(auth, clock, "2025-05-01T09:00:00-04:00")
			sts := ev.statements(auth, n)
			if len(sts) != 2 || num(sts[1]["interest_charged"]) != 0 || num(sts[1]["closing_balance"]) != 0 {
				t.Fatalf("April statement after paying March in full: %v", sts)
			}
		})

		t.Run("deferred: $1,500 for 12 months, $300 left at expiry", func(t *testing.T) {
			clock, n := ev.clockAccount(mk, auth, "2025-01-15T12:00:00-05:00", 2000_00)
			ev.buy(auth, mk, n, 1500_00, fmt.Sprintf(`,"financing":{"plan_id":%q,"term_months":12}`, deferred12.ID))
			ev.advanceClock(auth, clock, "2025-12-01T12:00:00-05:00")
			ev.payHelper(auth, n, 1200_00)
			ev.advanceClock(auth, clock, "2026-02-01T09:00:00-05:00")
			var jan map[string]any
			for _, st := range ev.statements(auth, n) {
				if st["period_end"] == "2026-01-31" {
					jan = st
				}
			}
			if jan == nil {
				t.Fatal("no statement for January 2026")
			}
			found := false
			for _, l := range jan["lines"].([]any) {
				line := l.(map[string]any)
				if line["kind"] == "interest" && num(line["amount"]) == 405_48 {
					found = true
				}
			}
			if !found {
				t.Fatalf("January 2026 statement has no interest line of $405.48 at the plan's expiry: %v", jan["lines"])
			}
		})

		t.Run("equal payments: $1,200 at 0 % over 12 months, $45 fee", func(t *testing.T) {
			clock, n := ev.clockAccount(mk, auth, "2025-03-01T12:00:00-05:00", 2000_00)
			ev.buy(auth, mk, n, 1200_00, fmt.Sprintf(`,"financing":{"plan_id":%q,"term_months":12}`, equal45.ID))
			ev.advanceClock(auth, clock, "2025-04-01T09:00:00-04:00")
			sts := ev.statements(auth, n)
			if len(sts) != 1 {
				t.Fatalf("%d statements, want 1", len(sts))
			}
			st := sts[0]
			plansOn := st["plans"].([]any)
			if num(st["minimum_payment"]) != 145_00 || len(plansOn) != 1 || num(plansOn[0].(map[string]any)["remaining"]) != 1245_00 {
				t.Fatalf("first statement: minimum %v, plans %v; want 14500 (the $100.00 instalment and the $45 fee) on $1,245.00", st["minimum_payment"], plansOn)
			}
			ev.advanceClock(auth, clock, "2025-04-18T12:00:00-04:00")
			ev.payHelper(auth, n, 145_00)
			ev.advanceClock(auth, clock, "2025-05-01T09:00:00-04:00")
			sts = ev.statements(auth, n)
			if len(sts) != 2 {
				t.Fatalf("%d statements, want 2", len(sts))
			}
			st = sts[1]
			plansOn = st["plans"].([]any)
			if num(st["minimum_payment"]) != 100_00 || num(st["interest_charged"]) != 0 || len(plansOn) != 1 ||
				num(plansOn[0].(map[string]any)["instalment"]) != 100_00 || num(plansOn[0].(map[string]any)["remaining"]) != 1100_00 {
				t.Fatalf("second statement: minimum %v, interest %v, plans %v; want a $100.00 instalment, no interest, $1,100.00 left",
					st["minimum_payment"], st["interest_charged"], plansOn)
			}
		})
	})
}
