package console_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestDeskOneTimePayments: the account page shows the customer's one-time
// payments from a bank account (their day, amount, plan and state) and how
// statements reach them (paper, or electronic since a day with the
// wording consented to). An administrator marks a taken one returned and
// cancels a scheduled one on the customer's behalf, each with a reason,
// audited and told to the customer; an agent is offered neither and its
// posts are refused; a payment already sent cannot be cancelled.
func TestDeskOneTimePayments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill, webtest.WithDesk)
		ctx, env := context.Background(), openflex.Training
		cfg := servicing.DefaultConfig()
		cfg.NSFFee = 25_00
		th.Servicing[env].Config = &cfg
		m := th.Browser(t).VerifiedMerchant("Maple Furniture", "dev@maple.example")
		acct := th.OpenAccount(t, env, m.ID, th.FirstStore(t, m.ID).ID)
		n, data, svc := acct.Number, th.Stores.Data(env), th.Planes[env].PAD
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

		// A $200 purchase; a $30 one-time payment today, taken by the day's
		// debit file; a $20 one due in five days, still scheduled.
		if _, err := data.GrantConsent(ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: n, MerchantID: m.ID,
			Source: openflex.ConsentByCheckout, CheckoutID: "chk_test", Created: th.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := th.Lending[env].Authorize(ctx, lending.AuthorizeRequest{MerchantID: m.ID, StoreID: th.FirstStore(t, m.ID).ID, AccountNumber: n,
			Amount: 200_00, Currency: openflex.CAD, Channel: "online", AutoCapture: true}); err != nil {
			t.Fatal(err)
		}
		today, err := th.Servicing[env].Today(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		bank := openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Jeanne Tremblay"}
		pay := func(amount int64, on servicing.Date, key string) *pad.OneTime {
			t.Helper()
			o, err := svc.OneTimePayment(ctx, pad.OneTimeRequest{AccountNumber: n, Amount: amount, DebitOn: on.String(), Earliest: today.String(),
				Latest: today.AddDays(60).String(), Bank: bank, Language: "en", Accepted: true, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		taken, later := pay(30_00, today, "k-taken"), pay(20_00, today.AddDays(5), "k-later")
		lender := cpa005.Originator{ID: "0123456789", ShortName: "OpenFlex", LongName: "OpenFlex Financial", DataCentre: "00310",
			Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}
		if res, err := svc.DebitFile(ctx, today.String(), lender, io.Discard); err != nil || len(res.OneTime) != 1 || res.OneTime[0].ID != taken.ID {
			t.Fatalf("DebitFile = %+v, %v; want the $30 payment taken", res, err)
		}
		returnPath, cancelPath := page+"/debits/"+taken.ID+"/return", page+"/one-time/"+later.ID+"/cancel"

		r := admin.Get(page)
		webtest.Want(t, r, http.StatusOK, "the administrator's account page", "One-time payments from a bank account",
			today.String(), "$30.00", "sent to the bank", today.AddDays(5).String(), "$20.00", "scheduled", "the account", taken.Reference,
			"Statement delivery", "Paper by mail: the customer never consented")
		for _, action := range []string{returnPath, cancelPath} {
			if !strings.Contains(r.Body, `action="`+action+`"`) {
				t.Errorf("the administrator's page has no form posting to %s", action)
			}
		}
		if strings.Contains(r.Body, `action="`+page+"/one-time/"+taken.ID+`/cancel"`) || strings.Contains(r.Body, `action="`+page+"/debits/"+later.ID+`/return"`) {
			t.Errorf("a sent payment is offered for cancelling, or a scheduled one for return")
		}

		// An agent sees them and may do neither.
		r = agent.Get(page)
		webtest.Want(t, r, http.StatusOK, "the agent's account page", "One-time payments from a bank account", "$20.00")
		for _, action := range []string{returnPath, cancelPath} {
			if strings.Contains(r.Body, `action="`+action+`"`) {
				t.Errorf("the agent's page offers %s", action)
			}
			if r := agent.Post(action, url.Values{"csrf": {agent.SessionToken(action)}, "reason": {"asked"}}); r.StatusCode != http.StatusNotFound {
				t.Errorf("agent: POST %s = %d, want 404", action, r.StatusCode)
			}
		}
		status := func(id string) string {
			t.Helper()
			o, err := data.OneTimePayment(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return o.Status
		}
		if a, b := status(taken.ID), status(later.ID); a != pad.DebitSent || b != pad.DebitScheduled {
			t.Fatalf("after the agent's posts: %s, %s; want sent, scheduled", a, b)
		}

		// Refused: no reason; another account's payment; a sent one
		// cannot be cancelled.
		if r := admin.Submit(page, cancelPath, url.Values{"reason": {""}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Enter the reason.") {
			t.Errorf("a cancel without a reason = %d, want 400 saying so", r.StatusCode)
		}
		other := th.OpenAccount(t, env, m.ID, th.FirstStore(t, m.ID).ID)
		wrong := "/portal/admin/accounts/training/" + other.Number + "/one-time/" + later.ID + "/cancel"
		if r := admin.Post(wrong, url.Values{"csrf": {admin.SessionToken(wrong)}, "reason": {"asked"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("cancelling another account's payment = %d, want 404", r.StatusCode)
		}
		sentCancel := page + "/one-time/" + taken.ID + "/cancel"
		if r := admin.Post(sentCancel, url.Values{"csrf": {admin.SessionToken(sentCancel)}, "reason": {"asked"}}); r.StatusCode != http.StatusBadRequest ||
			!strings.Contains(r.Body, "does not allow this now") {
			t.Errorf("cancelling a sent payment = %d, want 400", r.StatusCode)
		}
		if a, b := status(taken.ID), status(later.ID); a != pad.DebitSent || b != pad.DebitScheduled {
			t.Fatalf("after the refused posts: %s, %s; want sent, scheduled", a, b)
		}

		// The administrator's actions, audited and told.
		if r := admin.Submit(page, cancelPath, url.Values{"reason": {"customer called: paid by bill payment"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := admin.Submit(page, returnPath, url.Values{"reason": {"NSF (R01)"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark returned = %d:\n%s", r.StatusCode, r.Body)
		}
		if a, b := status(taken.ID), status(later.ID); a != pad.DebitReturned || b != pad.OneTimeCancelled {
			t.Fatalf("after the actions: %s, %s; want returned, cancelled", a, b)
		}
		audits, err := th.Stores.Control.AuditOf(ctx, n, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []struct{ action, detail string }{
			{"one_time_payment.cancelled", later.ID + " $20.00"}, {"debit.returned", taken.ID + " $30.00 (NSF fee $25.00)"},
		} {
			found := false
			for _, a := range audits {
				found = found || (a.Action == want.action && a.Actor == "admin:"+adminUser.ID && strings.Contains(a.Detail, want.detail))
			}
			if !found {
				t.Errorf("no %s audit entry by admin:%s with %q in %+v", want.action, adminUser.ID, want.detail, audits)
			}
		}
		msgs, err := data.AccountMessages(ctx, n, 20)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, m := range msgs {
			kinds[m.Kind] = true
		}
		for _, k := range []string{pad.MessageOneTimeCancelled, pad.MessageReturned} {
			if !kinds[k] {
				t.Errorf("the customer was not told (%s): %v", k, kinds)
			}
		}

		// E-statements: the consent, since its day, with its wording.
		if _, err := th.Servicing[env].SetStatementDelivery(ctx, n, true, "fr", "customer"); err != nil {
			t.Fatal(err)
		}
		consented := th.Clock.Now().UTC().Format(time.DateOnly)
		r = admin.Get(page)
		webtest.Want(t, r, http.StatusOK, "the account page after", "returned: NSF (R01)", "cancelled: cancelled by admin:"+adminUser.ID,
			"customer called: paid by bill payment", "Electronic (e-statements) since "+consented+", chosen by customer.",
			"Je consens à recevoir mes relevés de compte OpenFlex sous forme électronique")
		if strings.Contains(r.Body, `action="`+returnPath+`"`) || strings.Contains(r.Body, `action="`+cancelPath+`"`) {
			t.Errorf("a returned or cancelled payment is offered for the action again")
		}
		if _, err := th.Servicing[env].SetStatementDelivery(ctx, n, false, "en", "customer"); err != nil {
			t.Fatal(err)
		}
		r = admin.Get(page + "?lang=fr")
		webtest.Want(t, r, http.StatusOK, "the French account page", "Paiements ponctuels par compte bancaire", "annulé",
			"Papier par la poste depuis le", "Choix précédents", "Électronique (relevés électroniques) depuis le "+consented)
	})
}
