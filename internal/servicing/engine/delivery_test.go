package engine_test

import (
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
)

// TestStatementDelivery: an account that never chose gets paper; the
// customer's consent is recorded with its wording and time, the same
// choice again records nothing, and a withdrawal is kept beside it.
func TestStatementDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		d, err := w.svc.StatementDelivery(w.ctx, n)
		if err != nil || d.Electronic || d.ChosenBy != "default" {
			t.Fatalf("a new account's delivery = %+v, %v; want paper by default", d, err)
		}
		on, err := w.svc.SetStatementDelivery(w.ctx, n, true, "fr", "customer")
		if err != nil || !on.Electronic || on.Wording != engine.EStatementConsent("fr") || !on.Created.Equal(toronto(3, 1).UTC()) {
			t.Fatalf("consent = %+v, %v", on, err)
		}
		if again, err := w.svc.SetStatementDelivery(w.ctx, n, true, "fr", "customer"); err != nil || again.ID != on.ID {
			t.Fatalf("the same consent again = %+v, %v; want the first", again, err)
		}
		w.set(toronto(3, 5))
		off, err := w.svc.SetStatementDelivery(w.ctx, n, false, "en", "customer")
		if err != nil || off.Electronic || off.Wording != engine.EStatementWithdrawal("en") {
			t.Fatalf("withdrawal = %+v, %v", off, err)
		}
		if d, _ := w.svc.StatementDelivery(w.ctx, n); d.ID != off.ID {
			t.Errorf("current delivery = %+v, want the withdrawal", d)
		}
		if list, _ := w.db.StatementDeliveries(w.ctx, n); len(list) != 2 {
			t.Errorf("history = %d choices, want 2", len(list))
		}
		if _, err := w.svc.StatementDelivery(w.ctx, "30000000000017"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("an unknown account's delivery = %v, want resource_missing", err)
		}
	})
}

// TestStatementDeliveryOnATestClock: a choice made on an account living
// on a TRAINING test clock is dated by the clock, as everything else on
// that account is.
func TestStatementDeliveryOnATestClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Training, toronto(3, 1))
		past := toronto(1, 15)
		clock, err := w.svc.CreateTestClock(w.ctx, "mer_test", "delivery", past)
		if err != nil {
			t.Fatal(err)
		}
		n := w.customerAccount("en", 1000_00)
		if _, err := w.svc.AttachTestClock(w.ctx, "mer_test", clock.ID, n); err != nil {
			t.Fatal(err)
		}
		on, err := w.svc.SetStatementDelivery(w.ctx, n, true, "en", "customer")
		if err != nil || !on.Created.Equal(past.UTC()) {
			t.Fatalf("consent on a clock at %s = %+v, %v; want it dated by the clock", past, on, err)
		}
	})
}
