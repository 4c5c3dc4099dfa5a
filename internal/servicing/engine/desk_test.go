package engine_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
)

// TestChangeLimit: staff set a new credit limit, never below what the
// account draws (balance, interest and fees, holds) unless it is a raise,
// never above the ceiling; the account row and the servicing state agree,
// and the lender's outbox has the event.
func TestChangeLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		w.purchase(n, 600_00)
		if _, err := w.lending.Authorize(w.ctx, lending.AuthorizeRequest{MerchantID: "mer_test", StoreID: "str_test", AccountNumber: n,
			Amount: 100_00, Currency: openflex.CAD, Channel: "online"}); err != nil {
			t.Fatal(err)
		}
		// raise is a higher limit the customer asked for.
		raise := func(limit int64, reason string) (*engine.LimitResult, error) {
			return w.svc.ChangeLimit(w.ctx, engine.LimitChange{AccountNumber: n, Limit: limit, Staff: "admin:usr_1", Reason: reason, CustomerRequested: true})
		}
		for _, c := range []struct {
			name  string
			limit int64
			why   string
			code  openflex.Code
			param string
		}{
			{"below what the account draws", 699_00, "lower", openflex.CodeParameterInvalid, "credit_limit"},
			{"above the ceiling", engine.DefaultMaxCreditLimit + 100, "raise", openflex.CodeParameterInvalid, "credit_limit"},
			{"not whole dollars", 800_50, "raise", openflex.CodeParameterInvalid, "credit_limit"},
			{"negative", -100, "lower", openflex.CodeParameterInvalid, "credit_limit"},
			{"the same limit", 1000_00, "same", openflex.CodeParameterInvalid, "credit_limit"},
			{"no reason", 2000_00, " ", openflex.CodeParameterMissing, "reason"},
			{"a raise the customer did not ask for", 2000_00, "unasked", openflex.CodeParameterMissing, "customer_requested"},
		} {
			// Every raise here is at the customer's request but the last.
			_, err := w.svc.ChangeLimit(w.ctx, engine.LimitChange{AccountNumber: n, Limit: c.limit, Staff: "admin:usr_1", Reason: c.why,
				CustomerRequested: c.why != "unasked"})
			var fe *openflex.Error
			if !errors.As(err, &fe) || fe.Code != c.code || !strings.Contains(fe.Param+" "+fe.Message, c.param) {
				t.Errorf("%s: ChangeLimit(%d) = %v, want %s on %s", c.name, c.limit, err, c.code, c.param)
			}
		}
		if a := w.acct(n); a.CreditLimit != 1000_00 {
			t.Fatalf("refused changes moved the limit to %d", a.CreditLimit)
		}
		// Down to exactly what the account draws: nothing left to spend.
		// A lower limit needs no request from the customer.
		res, err := w.svc.ChangeLimit(w.ctx, engine.LimitChange{AccountNumber: n, Limit: 700_00, Staff: "admin:usr_1", Reason: "risk review"})
		if err != nil || res.Previous != 1000_00 || res.Account.CreditLimit != 700_00 {
			t.Fatalf("ChangeLimit(700) = %+v, %v", res, err)
		}
		if a := w.acct(n); a.CreditLimit != 700_00 || a.Available() != 0 {
			t.Fatalf("after lowering: limit %d, available %d", a.CreditLimit, a.Available())
		}
		if _, err := w.buy(n, 1_00); openflex.ErrorCode(err) != openflex.CodeInsufficientCred {
			t.Fatalf("a purchase at the new limit: %v, want insufficient_credit", err)
		}
		if _, err := raise(2000_00, "customer asked, good payment history"); err != nil {
			t.Fatal(err)
		}
		v, err := w.svc.Account(w.ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if v.Account.CreditLimit != 2000_00 || v.State == nil || v.State.CreditLimit != 2000_00 || v.Account.Available() != 1300_00 {
			t.Fatalf("the account row and its servicing state disagree: row %d, state %+v, available %d", v.Account.CreditLimit, v.State, v.Account.Available())
		}
		if got := w.queued(n, customer.MessageLimitChanged); len(got) != 2 || !strings.Contains(got[1].Body, "$2,000.00") {
			t.Errorf("the customer's limit messages = %+v, want two, the last saying $2,000.00", got)
		}
		evs, _, err := w.db.Events(w.ctx, "", "account.credit_limit_changed", openflex.ListParams{Limit: 10})
		if err != nil || len(evs) != 2 {
			t.Fatalf("limit events = %d, %v; want 2", len(evs), err)
		}
		if evs, _, _ := w.db.Events(w.ctx, "mer_test", "account.credit_limit_changed", openflex.ListParams{Limit: 10}); len(evs) != 0 {
			t.Errorf("a merchant received the account's limit change")
		}
		if _, err := w.svc.StaffAction(w.ctx, n, "close", "ops", "customer asked"); err != nil {
			t.Fatal(err)
		}
		if _, err := raise(3000_00, "raise"); openflex.ErrorCode(err) != openflex.CodeAccountStatusInvalid {
			t.Fatalf("the limit of a closed account: %v, want account_status_invalid", err)
		}
		w.verify()
	})
}

// TestChangeLimitRacesAuthorizations: a limit lowered while purchases
// are authorized never leaves the account drawing more than its limit,
// whichever commits first.
func TestChangeLimitRacesAuthorizations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 5 {
					_, _ = w.svc.ChangeLimit(w.ctx, engine.LimitChange{AccountNumber: n, Limit: 300_00, Staff: "admin:usr_1", Reason: "risk review"})
					return
				}
				_, _ = w.lending.Authorize(w.ctx, lending.AuthorizeRequest{MerchantID: "mer_test", StoreID: "str_test", AccountNumber: n,
					Amount: 100_00, Currency: openflex.CAD, Channel: "online"})
			}()
		}
		wg.Wait()
		a := w.acct(n)
		if a.CreditLimit-a.PostedBalance-a.Charges-a.Held < 0 {
			t.Fatalf("limit %d, posted %d, charges %d, held %d: the account draws more than its limit", a.CreditLimit, a.PostedBalance, a.Charges, a.Held)
		}
		if a.CreditLimit != 300_00 && a.CreditLimit != 1000_00 {
			t.Fatalf("limit %d", a.CreditLimit)
		}
	})
}

// TestWaiveOnTheEngine: a waived fee or interest charge comes off what the
// account owes in a balanced ledger transaction, once per request key and
// never beyond the charge; the statement lists it; `openflex verify`
// replays it.
func TestWaiveOnTheEngine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.account(1000_00)
		w.purchase(n, 500_00)
		w.set(toronto(3, 25))
		paid := w.pay(n, 100_00, engine.ChannelCheque, "chq 1")
		w.set(toronto(3, 26))
		if _, err := w.svc.Reverse(w.ctx, paid.Payment.ID, true, "NSF"); err != nil {
			t.Fatal(err)
		}
		fee := w.charge(n, openflex.TxnFee)
		waive := func(charge string, amount int64, key string) (*engine.WaiverResult, error) {
			return w.svc.Waive(w.ctx, engine.WaiveRequest{AccountNumber: n, ChargeID: charge, Amount: amount, Staff: "admin:usr_1",
				Reason: "first return forgiven", Key: key})
		}
		r, err := waive(fee.ID, 10_00, "k1")
		if err != nil {
			t.Fatal(err)
		}
		if a := w.acct(n); a.Charges != 15_00 || a.Owed() != 515_00 {
			t.Fatalf("after waiving $10 of the $25 fee: charges %d, owed %d", a.Charges, a.Owed())
		}
		again, err := waive(fee.ID, 10_00, "k1")
		if err != nil || again.Waiver.ID != r.Waiver.ID || !again.Again || r.Again {
			t.Fatalf("the same request again = %+v, %v; want waiver %s", again, err, r.Waiver.ID)
		}
		if a := w.acct(n); a.Charges != 15_00 {
			t.Fatalf("the same request twice waived twice: charges %d", a.Charges)
		}
		payment := w.charge(n, openflex.TxnPayment)
		other := w.account(1000_00)
		for _, c := range []struct {
			name, charge string
			amount       int64
			key          string
			code         openflex.Code
		}{
			{"more than is left of it", fee.ID, 15_01, "k2", openflex.CodeParameterInvalid},
			{"a key used for another waiver", fee.ID, 5_00, "k1", openflex.CodeParameterInvalid},
			{"a payment", payment.ID, 1_00, "k3", openflex.CodeParameterInvalid},
			{"no such charge", "txn_nope", 1_00, "k4", openflex.CodeResourceMissing},
		} {
			if _, err := waive(c.charge, c.amount, c.key); openflex.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if _, err := w.svc.Waive(w.ctx, engine.WaiveRequest{AccountNumber: other, ChargeID: fee.ID, Amount: 1_00, Staff: "admin:usr_1",
			Reason: "x", Key: "k5"}); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("another account's charge: %v, want resource_missing", err)
		}
		// The rest of the fee after it was paid (fees are paid first): the
		// customer gets it back as a credit, applied at the day's end.
		w.pay(n, 50_00, engine.ChannelBank, "b1")
		if _, err := waive(fee.ID, 15_00, "k6"); err != nil {
			t.Fatal(err)
		}
		if a := w.acct(n); a.Charges != 0 || a.Owed() != 500_00+25_00-50_00-25_00 {
			t.Fatalf("after waiving the paid fee: charges %d, owed %d", a.Charges, a.Owed())
		}
		// Interest: April's statement charges it (March's was not paid).
		w.set(toronto(5, 2))
		if _, err := w.svc.ServiceThrough(w.ctx, n, w.clock()); err != nil {
			t.Fatal(err)
		}
		interest := w.charge(n, openflex.TxnInterest)
		before := w.acct(n)
		if _, err := waive(interest.ID, interest.Amount, "k7"); err != nil {
			t.Fatal(err)
		}
		if a := w.acct(n); a.Owed() != before.Owed()-interest.Amount {
			t.Fatalf("after waiving %d of interest: owed %d, was %d", interest.Amount, a.Owed(), before.Owed())
		}
		if got := w.queued(n, customer.MessageChargeWaived); len(got) != 3 {
			t.Errorf("the customer's waiver messages = %d, want 3 (one per waiver, none for the same request again)", len(got))
		}
		w.set(toronto(6, 2))
		if _, err := w.svc.ServiceThrough(w.ctx, n, w.clock()); err != nil {
			t.Fatal(err)
		}
		sts, _, err := w.svc.Statements(w.ctx, n, openflex.ListParams{Limit: 1})
		if err != nil || len(sts) == 0 {
			t.Fatalf("statements: %v", err)
		}
		if !strings.Contains(sts[0].Stored.Text, "Interest waived — first return forgiven") {
			t.Errorf("May's statement does not list the waiver:\n%s", sts[0].Stored.Text)
		}
		w.verify()
	})
}

// charge returns the account's newest transaction of typ.
func (w *world) charge(number string, typ openflex.TransactionType) *openflex.Transaction {
	w.t.Helper()
	ts, err := w.db.AccountTransactions(w.ctx, number, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, t := range ts {
		if t.Type == typ {
			return t
		}
	}
	w.t.Fatalf("account %s has no %s transaction", number, typ)
	return nil
}

// queued returns the customer messages of kind waiting in number's
// outbox, oldest first (the tests' engine delivers none).
func (w *world) queued(number, kind string) []*engine.QueuedMessage {
	w.t.Helper()
	ms, err := w.db.DueMessages(w.ctx, number, w.clock().Add(time.Hour), 100)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []*engine.QueuedMessage
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}
