package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestAccountDeskMoney: an administrator changes the credit limit, waives
// a fee and marks a debit returned from the account page; each takes a
// reason, is audited with the staff member's identity and tells the
// customer. An agent's post of each is refused (404), a post without the
// form's CSRF token is refused (403), and bad input is refused with a
// message on its field — each time with nothing changed.
func TestAccountDeskMoney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill, webtest.WithDesk)
		ctx := context.Background()
		env := openflex.Training
		cfg := servicing.DefaultConfig()
		cfg.NSFFee = 25_00
		th.Servicing[env].Config = &cfg
		m := th.Browser(t).VerifiedMerchant("Maple Furniture", "dev@maple.example")
		acct := th.OpenAccount(t, env, m.ID, th.FirstStore(t, m.ID).ID)
		n, data, svc := acct.Number, th.Stores.Data(env), th.Servicing[env]
		svc.MaxCreditLimit = 25_000_00 // above the $15,000 the account was approved for
		adminUser, err := th.Users.BootstrapStaff(ctx, "ops@lender.example", webtest.Password, users.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := th.Users.BootstrapStaff(ctx, "agent@lender.example", webtest.Password, users.RoleAgent); err != nil {
			t.Fatal(err)
		}
		admin, agent := th.Browser(t), th.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)
		agent.LogIn("agent@lender.example", webtest.Password)
		page := "/portal/admin/accounts/training/" + n

		// A $200 purchase; an automatic payment's $30 debit went to the
		// bank; a $40 cheque bounced, leaving a $25 NSF fee owing.
		if _, err := data.GrantConsent(ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: n, MerchantID: m.ID,
			Source: openflex.ConsentByCheckout, CheckoutID: "chk_test", Created: th.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := th.Lending[env].Authorize(ctx, lending.AuthorizeRequest{MerchantID: m.ID, StoreID: th.FirstStore(t, m.ID).ID, AccountNumber: n,
			Amount: 200_00, Currency: openflex.CAD, Channel: "online", AutoCapture: true}); err != nil {
			t.Fatal(err)
		}
		debit := th.SentDebit(t, env, n, 30_00)
		paid, err := svc.Pay(ctx, engine.PaymentRequest{AccountNumber: n, Amount: 40_00, Channel: engine.ChannelCheque, Reference: "CHQ-7"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reverse(ctx, paid.Payment.ID, true, "cheque returned NSF"); err != nil {
			t.Fatal(err)
		}
		fee := ""
		ts, err := data.AccountTransactions(ctx, n, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			if x.Type == openflex.TxnFee {
				fee = x.ID
			}
		}
		type state struct {
			limit, charges int64
			debit          string
			audits, msgs   int
		}
		now := func() state {
			t.Helper()
			a, err := data.Account(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			d, err := data.Debit(ctx, debit.ID)
			if err != nil {
				t.Fatal(err)
			}
			au, err := th.Stores.Control.AuditOf(ctx, n, 100)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := data.AccountMessages(ctx, n, 100)
			if err != nil {
				t.Fatal(err)
			}
			return state{a.CreditLimit, a.Charges, d.Status, len(au), len(ms)}
		}
		start := now()
		if start.charges != 25_00 || start.debit != pad.DebitSent {
			t.Fatalf("set-up: %+v, want $25 of fees and a debit sent", start)
		}

		r := admin.Get(page)
		webtest.Want(t, r, http.StatusOK, "the administrator's account page", "Fees and interest charged", "Fee", "Pre-authorized debits",
			"sent to the bank", "Messages sent to the customer", "Change the credit limit", "Waive a fee or interest", "Mark returned")
		key := webtest.Find(t, regexpKey, r.Body)
		actions := []struct {
			name, path string
			form       url.Values
		}{
			{"change the limit", page + "/limit", url.Values{"credit_limit": {"20,000"}, "customer_requested": {"yes"}, "reason": {"good payment history"}}},
			{"waive a fee", page + "/waivers", url.Values{"charge": {fee}, "amount": {"10.00"}, "reason": {"first return forgiven"}, "key": {key}}},
			{"mark a debit returned", page + "/debits/" + debit.ID + "/return", url.Values{"reason": {"NSF (R01)"}}},
		}

		// An agent is offered none of them, and its posts are refused.
		r = agent.Get(page)
		webtest.Want(t, r, http.StatusOK, "the agent's account page", "Fees and interest charged", "Pre-authorized debits")
		for _, a := range actions {
			if strings.Contains(r.Body, `action="`+a.path+`"`) {
				t.Errorf("the agent's page offers to %s", a.name)
			}
			form := url.Values{"csrf": {agent.SessionToken(a.path)}}
			for k, v := range a.form {
				form[k] = v
			}
			if r := agent.Post(a.path, form); r.StatusCode != http.StatusNotFound {
				t.Errorf("agent: %s = %d, want 404", a.name, r.StatusCode)
			}
			// Without the form's token, even an administrator is refused.
			if r := admin.Post(a.path, a.form); r.StatusCode != http.StatusForbidden {
				t.Errorf("admin without CSRF: %s = %d, want 403", a.name, r.StatusCode)
			}
		}
		if s := now(); s != start {
			t.Fatalf("refused posts changed the account: %+v, was %+v", s, start)
		}

		// Bad input: refused on its field, nothing changed.
		for _, c := range []struct {
			name, path string
			form       url.Values
			want       string
		}{
			{"a limit that is not an amount", page + "/limit", url.Values{"credit_limit": {"lots"}, "reason": {"x"}}, "Enter a limit in whole dollars"},
			{"a limit below what the account draws", page + "/limit", url.Values{"credit_limit": {"100"}, "reason": {"x"}}, "no less than $195.00"},
			{"a limit with cents", page + "/limit", url.Values{"credit_limit": {"1500.50"}, "reason": {"x"}}, "Enter a limit in whole dollars"},
			{"a limit above the ceiling", page + "/limit", url.Values{"credit_limit": {"25,100"}, "customer_requested": {"yes"}, "reason": {"x"}}, "at most $25,000.00"},
			{"a limit without a reason", page + "/limit", url.Values{"credit_limit": {"2000"}}, "Enter the reason."},
			{"a raise the customer did not ask for", page + "/limit", url.Values{"credit_limit": {"20,000"}, "reason": {"x"}}, "only at the customer"},
			{"more than the fee", page + "/waivers", url.Values{"charge": {fee}, "amount": {"25.01"}, "reason": {"x"}, "key": {"k-more"}}, "no more than what is left"},
			{"a payment for a charge", page + "/waivers", url.Values{"charge": {paid.Payment.TransactionID}, "amount": {"1"}, "reason": {"x"}, "key": {"k-pay"}}, "Choose a fee or an interest charge"},
			{"no such charge", page + "/waivers", url.Values{"charge": {"txn_nope"}, "amount": {"1"}, "reason": {"x"}, "key": {"k-nope"}}, "Choose a fee or an interest charge"},
			{"no amount to waive", page + "/waivers", url.Values{"charge": {fee}, "amount": {"0"}, "reason": {"x"}, "key": {"k-zero"}}, "more than 0"},
			{"a return without a reason", page + "/debits/" + debit.ID + "/return", url.Values{"reason": {""}}, "Enter the reason."},
		} {
			r := admin.Submit(page, c.path, c.form)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, c.want) || !strings.Contains(r.Body, `aria-invalid="true"`) {
				t.Errorf("%s = %d, want 400 saying %q on its field:\n%s", c.name, r.StatusCode, c.want, r.Body)
			}
		}
		if s := now(); s != start {
			t.Fatalf("refused input changed the account: %+v, was %+v", s, start)
		}

		// The administrator's actions, each audited and told.
		for _, a := range actions {
			if r := admin.Submit(page, a.path, a.form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s = %d:\n%s", a.name, r.StatusCode, r.Body)
			}
		}
		after := now()
		// At least the three messages of the actions (servicing may tell
		// more, as its own rules say).
		want := state{limit: 20_000_00, charges: 15_00 + 25_00, debit: pad.DebitReturned, audits: start.audits + 3, msgs: max(after.msgs, start.msgs+3)}
		if after != want {
			t.Fatalf("after the actions: %+v, want %+v", after, want)
		}
		all, err := th.Stores.Control.AuditOf(ctx, n, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, action := range []string{"account.credit_limit_changed", "account.charge_waived", "debit.returned"} {
			found := false
			for _, a := range all {
				found = found || (a.Action == action && a.Actor == "admin:"+adminUser.ID && a.Detail != "")
			}
			if !found {
				t.Errorf("no %s audit entry by admin:%s in %+v", action, adminUser.ID, all)
			}
		}
		msgs, err := data.AccountMessages(ctx, n, 10)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, m := range msgs {
			kinds[m.Kind] = true
		}
		for _, k := range []string{customer.MessageLimitChanged, customer.MessageChargeWaived, pad.MessageReturned} {
			if !kinds[k] {
				t.Errorf("the customer was not told (%s): %+v", k, kinds)
			}
		}
		// The same waiver form sent again waives nothing more.
		if r := admin.Submit(page, actions[1].path, actions[1].form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the waiver sent again = %d", r.StatusCode)
		}
		if s := now(); s != after {
			t.Fatalf("the waiver sent again changed the account: %+v, was %+v", s, after)
		}
		ts, err = data.AccountTransactions(ctx, n, 20)
		if err != nil {
			t.Fatal(err)
		}
		waived := 0
		for _, x := range ts {
			if x.Type == openflex.TxnFeeWaived && x.Amount == 10_00 {
				waived++
			}
		}
		if waived != 1 {
			t.Errorf("fee_waived transactions of $10 = %d, want 1", waived)
		}

		r = admin.Get(page)
		webtest.Want(t, r, http.StatusOK, "the account page after", "$20,000.00", "at the customer", "first return forgiven", "returned: NSF (R01)",
			"Your credit limit has changed", "A credit on your account")
		if strings.Contains(r.Body, `action="`+page+"/debits/"+debit.ID+`/return"`) {
			t.Errorf("a returned debit is offered for return again")
		}
		r = admin.Get(page + "?lang=fr")
		webtest.Want(t, r, http.StatusOK, "the French account page", "Frais et intérêts imputés", "Débits préautorisés", "Messages envoyés au client")
	})
}

var regexpKey = regexp.MustCompile(`name="key" value="([^"]+)"`)

// TestDeskActionsByRole: every action of the desk, posted by each staff
// role with a valid form token, on an account set up for it. An agent may
// write notes and freeze; every other action is an administrator's, and
// the agent's post is refused (404) with nothing changed.
func TestDeskActionsByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill, webtest.WithDesk)
		ctx, env := context.Background(), openflex.Training
		cfg := servicing.DefaultConfig()
		cfg.NSFFee = 25_00
		th.Servicing[env].Config = &cfg
		svc, data := th.Servicing[env], th.Stores.Data(env)
		m := th.Browser(t).VerifiedMerchant("Maple Furniture", "dev@maple.example")
		for _, u := range []struct {
			email string
			role  users.Role
		}{{"ops@lender.example", users.RoleAdmin}, {"agent@lender.example", users.RoleAgent}} {
			if _, err := th.Users.BootstrapStaff(ctx, u.email, webtest.Password, u.role); err != nil {
				t.Fatal(err)
			}
		}
		browsers := map[string]*webtest.Browser{"admin": th.Browser(t), "agent": th.Browser(t)}
		browsers["admin"].LogIn("ops@lender.example", webtest.Password)
		browsers["agent"].LogIn("agent@lender.example", webtest.Password)

		// fixture is an account with a debit sent to the bank, a cheque to
		// reverse and a bounced cheque's NSF fee to waive.
		type fixture struct{ number, payment, fee, debit string }
		open := func(t *testing.T) fixture {
			t.Helper()
			a := th.OpenAccount(t, env, m.ID, th.FirstStore(t, m.ID).ID)
			f := fixture{number: a.Number, debit: th.SentDebit(t, env, a.Number, 30_00).ID}
			p, err := svc.Pay(ctx, engine.PaymentRequest{AccountNumber: a.Number, Amount: 20_00, Channel: engine.ChannelCheque, Reference: "CHQ-1"})
			if err != nil {
				t.Fatal(err)
			}
			f.payment = p.Payment.ID
			b, err := svc.Pay(ctx, engine.PaymentRequest{AccountNumber: a.Number, Amount: 10_00, Channel: engine.ChannelCheque, Reference: "CHQ-2"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Reverse(ctx, b.Payment.ID, true, "NSF"); err != nil {
				t.Fatal(err)
			}
			ts, err := data.AccountTransactions(ctx, a.Number, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range ts {
				if x.Type == openflex.TxnFee {
					f.fee = x.ID
				}
			}
			return f
		}
		// snapshot is everything an action may change.
		snapshot := func(t *testing.T, f fixture) string {
			t.Helper()
			a, err := data.Account(ctx, f.number)
			if err != nil {
				t.Fatal(err)
			}
			ps, _, err := data.Payments(ctx, f.number, openflex.ListParams{Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			reversed := 0
			for _, p := range ps {
				if p.Status == engine.PaymentReversed {
					reversed++
				}
			}
			d, err := data.Debit(ctx, f.debit)
			if err != nil {
				t.Fatal(err)
			}
			notes, err := data.AccountNotes(ctx, f.number)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%s limit %d owed %d/%d payments %d reversed %d debit %s notes %d", a.Status, a.CreditLimit, a.PostedBalance, a.Charges,
				len(ps), reversed, d.Status, len(notes))
		}
		why := url.Values{"reason": {"a reason"}}
		for _, c := range []struct {
			action string
			path   func(fixture) string
			form   func(fixture) url.Values
			before func(*testing.T, fixture) // puts the account where the action applies
			agent  int
		}{
			{"add a note", func(fixture) string { return "/notes" }, func(fixture) url.Values { return url.Values{"note": {"called"}} }, nil, http.StatusSeeOther},
			{"freeze", func(fixture) string { return "/freeze" }, func(fixture) url.Values { return why }, nil, http.StatusSeeOther},
			{"unfreeze", func(fixture) string { return "/unfreeze" }, func(fixture) url.Values { return why }, func(t *testing.T, f fixture) {
				if _, err := svc.StaffAction(ctx, f.number, servicing.ActionFreeze, "ops", "fraud"); err != nil {
					t.Fatal(err)
				}
			}, http.StatusNotFound},
			{"close", func(fixture) string { return "/close" }, func(fixture) url.Values { return why }, nil, http.StatusNotFound},
			{"record a payment", func(fixture) string { return "/payments" }, func(fixture) url.Values {
				return url.Values{"amount": {"12.00"}, "channel": {"bank"}, "reference": {"BP-9"}, "reason": {"bill payment"}}
			}, nil, http.StatusNotFound},
			{"reverse a payment", func(f fixture) string { return "/payments/" + f.payment + "/reverse" }, func(fixture) url.Values { return why }, nil, http.StatusNotFound},
			{"change the limit", func(fixture) string { return "/limit" }, func(fixture) url.Values {
				return url.Values{"credit_limit": {"5000"}, "reason": {"risk review"}}
			}, nil, http.StatusNotFound},
			{"waive a fee", func(fixture) string { return "/waivers" }, func(f fixture) url.Values {
				return url.Values{"charge": {f.fee}, "amount": {"25"}, "reason": {"goodwill"}, "key": {"k-" + f.number}}
			}, nil, http.StatusNotFound},
			{"mark a debit returned", func(f fixture) string { return "/debits/" + f.debit + "/return" }, func(fixture) url.Values { return why }, nil, http.StatusNotFound},
		} {
			for _, role := range []string{"agent", "admin"} {
				t.Run(c.action+"/"+role, func(t *testing.T) {
					f := open(t)
					if c.before != nil {
						c.before(t, f)
					}
					b, action := browsers[role], "/portal/admin/accounts/training/"+f.number+c.path(f)
					before := snapshot(t, f)
					form := url.Values{"csrf": {b.SessionToken(action)}}
					for k, v := range c.form(f) {
						form[k] = v
					}
					want := http.StatusSeeOther
					if role == "agent" {
						want = c.agent
					}
					r := b.Post(action, form)
					if r.StatusCode != want {
						t.Fatalf("%s by the %s = %d, want %d:\n%s", c.action, role, r.StatusCode, want, r.Body)
					}
					if after := snapshot(t, f); (after != before) != (want == http.StatusSeeOther) {
						t.Errorf("%s by the %s (%d): before %q, after %q", c.action, role, r.StatusCode, before, after)
					}
				})
			}
		}
	})
}
