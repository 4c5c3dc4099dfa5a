package engine_test

import (
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
)

// TestPayoffQuote: the notes' example 2 through the engine ($500 on
// 2025-03-01, $100 paid 03-25, the March statement's $400.00 due 04-21):
// quoted on 04-10 for 04-10 it is $400.00; for 04-25, after the due date,
// $420.05 (the grace lost: 24,400 dollar-days at 29.99 %). The quote
// writes nothing, and paying it on 04-25 leaves nothing owed.
func TestPayoffQuote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		w.purchase(n, 500_00)
		w.set(toronto(3, 25))
		w.pay(n, 100_00, engine.ChannelBank, "")
		w.set(toronto(4, 10))
		tests := []struct {
			name string
			on   servicing.Date
			want int64
			code openflex.Code
		}{
			{"today (zero date)", servicing.Date{}, 400_00, ""},
			{"the due date", servicing.D(2025, 4, 21), 400_00, ""},
			{"after the due date", servicing.D(2025, 4, 25), 420_05, ""},
			{"yesterday", servicing.D(2025, 4, 9), 0, openflex.CodeParameterInvalid},
			{"61 days ahead", servicing.D(2025, 6, 10), 0, openflex.CodeParameterInvalid},
		}
		for _, tt := range tests {
			p, err := w.svc.Payoff(w.ctx, n, "", tt.on)
			if openflex.ErrorCode(err) != tt.code || err == nil && p.Amount != tt.want {
				t.Fatalf("%s: Payoff = %+v, %v; want %d (%q)", tt.name, p, err, tt.want, tt.code)
			}
		}
		if _, err := w.svc.Payoff(w.ctx, n, "cap_nope", servicing.Date{}); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("an unknown plan's payoff: %v, want resource_missing", err)
		}
		w.set(toronto(4, 25))
		w.pay(n, 420_05, engine.ChannelBank, "")
		w.set(toronto(5, 2))
		if _, err := w.svc.ServiceThrough(w.ctx, n, w.clock()); err != nil {
			t.Fatal(err)
		}
		if got := w.acct(n); got.Owed() != 0 {
			t.Fatalf("owed after paying the payoff and the April statement = %d, want 0", got.Owed())
		}
		w.verify()
	})
}
