package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/settlement"
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
			// The purchase's line keeps the ids for machines and names the
			// merchant and the store for the customer, as the text does.
			buy := march["lines"].([]any)[0].(map[string]any)
			if buy["kind"] != "purchase" || buy["merchant"] != mk.merchant.ID || buy["store"] != mk.stores[0].ID ||
				buy["merchant_name"] != mk.merchant.Name || buy["store_name"] != mk.stores[0].Name {
				t.Errorf("purchase line = %v, want ids %s, %s and names %q, %q", buy, mk.merchant.ID, mk.stores[0].ID, mk.merchant.Name, mk.stores[0].Name)
			}
			if named := "Purchase — " + mk.merchant.Name + " — " + mk.stores[0].Name; !strings.Contains(march["text"].(string), named) {
				t.Errorf("the statement's text lacks %q:\n%s", named, march["text"])
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

// TestInStorePaymentOverHTTP: a customer pays at the till with a code;
// the receipt shows the allocation and the account after it, a retry with
// the same key answers the same payment, the merchant gets
// payment.succeeded, and the cash it took is netted from its settlement
// as a line of its own.
func TestInStorePaymentOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		svcs := map[openflex.Environment]*settlement.Service{}
		for _, env := range openflex.Environments {
			svcs[env] = &settlement.Service{Env: env, Store: ev.stores.Data(env), Catalog: ev.stores.Control, Render: RenderEvent(env), Now: ev.now}
			ev.planes[env].Settlements = svcs[env]
		}
		mk := ev.merchant(openflex.Training)
		auth := "Basic " + mk.keySet.ClientID + ":" + mk.secret
		n := ev.purchaseAccount(mk, auth, 1000_00)
		ev.buy(auth, mk, n, 300_00, "")
		verify := func() string {
			t.Helper()
			r := ev.call("POST", "/v1/accounts/"+n+"/verifications", auth, `{"channel":"sms"}`)
			if r.status != 201 {
				t.Fatalf("verification: %d %s", r.status, r.raw)
			}
			return r.json["id"].(string)
		}
		pay := func(amount int64, verID, code, key string) reply {
			t.Helper()
			body := fmt.Sprintf(`{"amount":%d,"currency":"CAD","channel":"in_store","store_id":%q,"register_id":"R2","employee_id":"E7",
				"reference":"till 42","verification":{"id":%q,"code":%q}}`, amount, mk.stores[0].ID, verID, code)
			return ev.call("POST", "/v1/accounts/"+n+"/payments", auth, body, "Idempotency-Key", key)
		}
		if r := pay(50_00, verify(), "999999", "wrong-code"); r.status != 402 || r.code() != "verification_failed" {
			t.Fatalf("a wrong code: %d %s, want 402 verification_failed", r.status, r.raw)
		}
		v := verify()
		r := pay(50_00, v, "222222", "pay-1")
		if r.status != 201 || r.json["status"] != "succeeded" || r.json["channel"] != "in_store" || num(r.json["available_credit"]) != 750_00 ||
			num(r.json["balance"]) != 250_00 || r.json["store_id"] != mk.stores[0].ID {
			t.Fatalf("payment: %d %s", r.status, r.raw)
		}
		var allocated int64
		for _, a := range r.json["allocation"].([]any) {
			allocated += num(a.(map[string]any)["amount"])
		}
		if allocated != 50_00 {
			t.Fatalf("allocation sums to %d, want 5000: %s", allocated, r.raw)
		}
		again := pay(50_00, v, "222222", "pay-1")
		if again.status != 201 || again.json["id"] != r.json["id"] || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry with the same key: %d %s (replayed %q)", again.status, again.raw, again.header.Get("Idempotent-Replayed"))
		}
		// The same verification again under a new key: used, and the message
		// says so without calling the payment a purchase.
		if r := pay(10_00, v, "222222", "pay-reused"); r.status != 402 || r.code() != "verification_failed" ||
			!strings.Contains(string(r.raw), "already used") || strings.Contains(string(r.raw), "purchase") {
			t.Fatalf("a used verification: %d %s, want 402 verification_failed, 'already used', no 'purchase'", r.status, r.raw)
		}
		if r := pay(10_000_00, verify(), "222222", "pay-2"); r.status != 402 || r.code() != "payment_limit_exceeded" {
			t.Fatalf("past $10,000 in a day: %d %s, want 402 payment_limit_exceeded", r.status, r.raw)
		}
		events := ev.call("GET", "/v1/events?type=payment.succeeded", auth, "")
		if events.status != 200 || len(events.json["data"].([]any)) != 1 {
			t.Fatalf("payment.succeeded events: %s", events.raw)
		}
		sts := ev.call("GET", "/v1/settlements", auth, "")
		var open map[string]any
		for _, d := range sts.json["data"].([]any) {
			if st := d.(map[string]any); st["status"] == "open" {
				open = st
			}
		}
		if open == nil || num(open["gross_amount"]) != 300_00 || num(open["payments_amount"]) != 50_00 || num(open["net_amount"]) != 250_00 {
			t.Fatalf("the open settlement does not net the cash taken: %s", sts.raw)
		}
		ctx := context.Background()
		if bad, err := ev.stores.Data(openflex.Training).VerifyLedger(ctx); err != nil || len(bad) != 0 {
			t.Fatalf("VerifyLedger = %v, %v", bad, err)
		}
		if bad, err := ev.stores.Data(openflex.Training).VerifyPayables(ctx); err != nil || len(bad) != 0 {
			t.Fatalf("VerifyPayables = %v, %v", bad, err)
		}
	})
}
