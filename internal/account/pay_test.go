package account_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/storetest"
)

// signIn signs v in to acct's pages (TRAINING's code) in lang.
func signIn(t *testing.T, v *visitor, acct *openflex.Account, lang string) {
	t.Helper()
	expect(t, v.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-15"}, "channel": {"sms"}, "lang": {lang}}),
		http.StatusSeeOther, "sign-in")
	tok := csrfRE.FindStringSubmatch(v.do("GET", "code", nil).body)[1]
	expect(t, v.do("POST", "code", url.Values{"csrf": {tok}, "code": {"222222"}}), http.StatusSeeOther, "code")
}

// formToken is the csrf token of the form posting to action on a page.
func formToken(t *testing.T, body, action string) string {
	t.Helper()
	m := regexp.MustCompile(`action="[^"]*` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form posting to %s:\n%s", action, body)
	}
	return m[1]
}

var keyRE = regexp.MustCompile(`name="key" value="([^"]+)"`)

// TestPayPage walks the pay page over HTTP: what is due and the payoff, a
// forged form refused, a bad amount and an unaccepted authorization
// refused, the review showing the exact authorization, the payment made
// once however often the form is sent, its cancellation, another account's
// payment out of reach, and the e-statement consent and its withdrawal.
func TestPayPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		p := apptest.Start(t, e)
		acct := customerWithStatement(t, p, "en")
		other := customerWithStatement(t, p, "en")
		data := p.Main.Stores.Data(openflex.Training)
		v := newVisitor(t, p.URL+"/account/training/")
		expect(t, v.do("GET", "pay", nil), http.StatusSeeOther, "pay before sign-in")
		signIn(t, v, acct, "en")

		// January's statement: $500.00, minimum $25.00 due 2027-02-22; the
		// payoff on 2027-02-01 is the $500.00 (no interest: in grace).
		pg := v.do("GET", "pay", nil)
		expect(t, pg, http.StatusOK, "pay page", "Make a payment", "$25.00", "February 22, 2027", `id="payoff">$500.00`, "no prepayment penalty")
		expect(t, v.do("GET", "pay?date=2027-04-30", nil), http.StatusUnprocessableEntity, "a payoff 88 days ahead", "from today to 60 days")
		// Unpaid by the due date, the grace is lost: the February statement
		// charges interest from the purchase (2027-01-05) to 02-28, 500 × 55
		// days × 29.99 % / 365 = $22.60. Paid in full on 03-02, before that
		// statement's due date, March's own days cost nothing: $522.60.
		expect(t, v.do("GET", "pay?date=2027-03-02", nil), http.StatusOK, "payoff after the due date", `id="payoff">$522.60`, "Only until the due date")

		key := keyRE.FindStringSubmatch(pg.body)[1]
		tok := formToken(t, pg.body, "/pay")
		bank := url.Values{"csrf": {tok}, "key": {key}, "date": {"2027-02-01"}, "choice": {"other"}, "other_amount": {"12,5"},
			"source": {"new"}, "holder_name": {"Élise Client"}, "institution": {"004"}, "transit": {"12345"}, "account": {"1234567"}}
		expect(t, v.do("POST", "pay", url.Values{"csrf": {"forged"}}), http.StatusForbidden, "forged pay form")
		bad := url.Values{}
		for k, vs := range bank {
			bad[k] = vs
		}
		bad.Set("other_amount", "twelve")
		bad.Set("transit", "12")
		expect(t, v.do("POST", "pay", bad), http.StatusUnprocessableEntity, "a bad amount and transit", `id="other_amount" name="other_amount" inputmode="decimal" value="twelve" aria-invalid="true"`,
			`name="transit" inputmode="numeric" maxlength="5" value="12" aria-invalid="true"`)
		bank.Set("choice", "minimum")
		rv := v.do("POST", "pay", bank)
		expect(t, rv, http.StatusOK, "review", "You are about to pay", "$25.00", "One-time pre-authorized debit (sporadic PAD)", "004-12345-•••567",
			"recourse rights", "once, for $25.00 on 2027-02-01")
		confirm := url.Values{}
		for k, vs := range bank {
			confirm[k] = vs
		}
		confirm.Set("csrf", formToken(t, rv.body, "/pay/confirm"))
		expect(t, v.do("POST", "pay/confirm", confirm), http.StatusUnprocessableEntity, "confirm without the authorization")
		confirm.Set("accepted", "yes")
		made := v.do("POST", "pay/confirm", confirm)
		expect(t, made, http.StatusSeeOther, "confirm")
		again := v.do("POST", "pay/confirm", confirm)
		if again.location != made.location {
			t.Fatalf("the same form sent twice went to %s then %s; want the same payment", made.location, again.location)
		}
		changed := url.Values{}
		for k, vs := range confirm {
			changed[k] = vs
		}
		changed.Set("choice", "statement")
		expect(t, v.do("POST", "pay/confirm", changed), http.StatusUnprocessableEntity, "the same form for another amount", "already made a payment")
		list, err := data.OneTimePayments(ctx, acct.Number)
		if err != nil || len(list) != 1 || list[0].Amount != 25_00 || list[0].DebitOn != "2027-02-01" || list[0].Status != pad.DebitScheduled {
			t.Fatalf("one-time payments after two submissions = %+v, %v; want one of $25.00", list, err)
		}
		pg = v.do("GET", strings.TrimPrefix(made.location, "/account/training/"), nil)
		expect(t, pg, http.StatusOK, "payment made", "your payment is scheduled", "$25.00", "Scheduled")
		msgs, _ := data.AccountMessages(ctx, acct.Number, 3)
		if len(msgs) == 0 || msgs[0].Kind != pad.MessageOneTime || !strings.Contains(msgs[0].Body, "$25.00") {
			t.Errorf("no confirmation message: %+v", msgs)
		}

		// Another account's payment cannot be cancelled from here.
		theirs, err := p.Main.PAD[openflex.Training].OneTimePayment(ctx, pad.OneTimeRequest{AccountNumber: other.Number, Amount: 10_00,
			DebitOn: "2027-02-01", Earliest: "2027-02-01", Latest: "2027-02-01", Language: "en", Accepted: true, Key: "k",
			Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Other"}})
		if err != nil {
			t.Fatal(err)
		}
		cancelTheirs := "pay/" + theirs.ID + "/cancel"
		// The session's token for that action is what a forger would need.
		expect(t, v.do("POST", cancelTheirs, url.Values{"csrf": {"forged"}}), http.StatusForbidden, "forged cancel")
		id := list[0].ID
		expect(t, v.do("POST", "pay/"+id+"/cancel", url.Values{"csrf": {formToken(t, pg.body, "/pay/"+id+"/cancel")}}), http.StatusSeeOther, "cancel")
		if got, _ := data.OneTimePayment(ctx, id); got.Status != pad.OneTimeCancelled {
			t.Errorf("status after cancelling = %s", got.Status)
		}
		expect(t, v.do("GET", "pay", nil), http.StatusOK, "pay after cancelling", "Cancelled")

		// A plan bought today: its payoff is its $300.00 and, paid first,
		// the statement's $25.00 minimum; the payment is directed at it.
		if _, err := p.Main.Planes[openflex.Training].Lending.Authorize(ctx, lending.AuthorizeRequest{MerchantID: p.Merchant.ID,
			StoreID: p.Stores[0].ID, AccountNumber: acct.Number, Amount: 300_00, Currency: openflex.CAD, AutoCapture: true, Channel: "online",
			Financing: &lending.FinancingChoice{PlanID: p.Plans[2].ID, TermMonths: 6}}); err != nil {
			t.Fatal(err)
		}
		pg = v.do("GET", "pay", nil)
		expect(t, pg, http.StatusOK, "pay with a plan", `id="payoff">$800.00`, "Pay off the plan", "$325.00", "Includes what is due first on your other balances: $25.00")
		plan := regexp.MustCompile(`value="plan:([^"]+)"`).FindStringSubmatch(pg.body)[1]
		form := url.Values{"key": {keyRE.FindStringSubmatch(pg.body)[1]}, "date": {"2027-02-01"}, "choice": {"plan:" + plan}, "source": {"new"},
			"holder_name": {"Élise Client"}, "institution": {"004"}, "transit": {"12345"}, "account": {"1234567"}, "accepted": {"yes"}}
		form.Set("csrf", formToken(t, v.do("POST", "pay", withCSRF(form, formToken(t, pg.body, "/pay"))).body, "/pay/confirm"))
		expect(t, v.do("POST", "pay/confirm", form), http.StatusSeeOther, "pay the plan off")
		if list, _ := data.OneTimePayments(ctx, acct.Number); list[0].PlanID != plan || list[0].Amount != 325_00 {
			t.Errorf("the plan's payment = %+v, want $325.00 directed at %s", list[0], plan)
		}

		// E-statements: paper until the customer consents; the consent and
		// its withdrawal are recorded with their wording.
		st := v.do("GET", "statements", nil)
		expect(t, st, http.StatusOK, "statements", "Your statements come on paper", "I consent to receive my OpenFlex account statements electronically")
		expect(t, v.do("POST", "statements/delivery", url.Values{"csrf": {"forged"}, "delivery": {"electronic"}}), http.StatusForbidden, "forged consent")
		dtok := formToken(t, st.body, "/statements/delivery")
		expect(t, v.do("POST", "statements/delivery", url.Values{"csrf": {dtok}, "delivery": {"electronic"}}), http.StatusSeeOther, "consent")
		expect(t, v.do("GET", "statements", nil), http.StatusOK, "statements after consent", "You receive your statements electronically", "Withdraw my consent")
		d, err := p.Main.Planes[openflex.Training].Servicing.StatementDelivery(ctx, acct.Number)
		if err != nil || !d.Electronic || d.ChosenBy != "customer" || !strings.Contains(d.Wording, "I consent") {
			t.Fatalf("delivery after consent = %+v, %v", d, err)
		}
		expect(t, v.do("POST", "statements/delivery", url.Values{"csrf": {dtok}, "delivery": {"paper"}}), http.StatusSeeOther, "withdraw")
		if d, _ := p.Main.Planes[openflex.Training].Servicing.StatementDelivery(ctx, acct.Number); d.Electronic {
			t.Errorf("still electronic after the withdrawal")
		}
	})
}

// withCSRF is form with another csrf token.
func withCSRF(form url.Values, tok string) url.Values {
	out := url.Values{}
	for k, vs := range form {
		out[k] = vs
	}
	out.Set("csrf", tok)
	return out
}

// TestPayPageCaps: the pay page refuses, with a message saying why, a
// payment that would take the one-time payments scheduled past what the
// account owes (at the review, before the authorization is shown, and at
// the confirmation), and one more once five are scheduled — in French
// too; nothing is scheduled.
func TestPayPageCaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		p := apptest.Start(t, e)
		acct := customerWithStatement(t, p, "en")
		data := p.Main.Stores.Data(openflex.Training)
		v := newVisitor(t, p.URL+"/account/training/")
		signIn(t, v, acct, "en")
		pg := v.do("GET", "pay", nil)
		form := url.Values{"csrf": {formToken(t, pg.body, "/pay")}, "key": {keyRE.FindStringSubmatch(pg.body)[1]}, "date": {"2027-02-01"},
			"choice": {"other"}, "other_amount": {"600"}, "source": {"new"}, "holder_name": {"Élise Client"}, "institution": {"004"},
			"transit": {"12345"}, "account": {"1234567"}}
		expect(t, v.do("POST", "pay", form), http.StatusUnprocessableEntity, "a review of $600 on $500 owed",
			"this one would pay more than you owe", `value="600" aria-invalid="true"`)
		// Reviewed at $100, then sent for $600 (a form changed in between):
		// the confirmation checks again.
		form.Set("other_amount", "100")
		rv := v.do("POST", "pay", form)
		expect(t, rv, http.StatusOK, "a review of $100", "You are about to pay")
		confirm := url.Values{"accepted": {"yes"}}
		for k, vs := range form {
			confirm[k] = vs
		}
		confirm.Set("csrf", formToken(t, rv.body, "/pay/confirm"))
		confirm.Set("other_amount", "600")
		expect(t, v.do("POST", "pay/confirm", confirm), http.StatusUnprocessableEntity, "a confirmation of $600 on $500 owed", "would pay more than you owe")

		for i := range pad.MaxScheduledOneTime {
			if _, err := p.Main.PAD[openflex.Training].OneTimePayment(ctx, pad.OneTimeRequest{AccountNumber: acct.Number, Amount: 10_00,
				DebitOn: "2027-02-03", Earliest: "2027-02-01", Latest: "2027-02-03", Language: "en", Accepted: true, Key: "k" + string(rune('a'+i)),
				Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Élise Client"}}); err != nil {
				t.Fatal(err)
			}
		}
		form.Set("other_amount", "10")
		expect(t, v.do("POST", "pay", form), http.StatusUnprocessableEntity, "a sixth payment", "You already have 5 one-time payments scheduled")
		fr := newVisitor(t, p.URL+"/account/training/")
		signIn(t, fr, acct, "fr")
		pg = fr.do("GET", "pay", nil)
		form.Set("csrf", formToken(t, pg.body, "/pay"))
		form.Set("key", keyRE.FindStringSubmatch(pg.body)[1])
		expect(t, fr.do("POST", "pay", form), http.StatusUnprocessableEntity, "a sixth payment, in French", "Vous avez déjà 5 paiements ponctuels prévus")
		list, err := data.OneTimePayments(ctx, acct.Number)
		if err != nil || len(list) != pad.MaxScheduledOneTime {
			t.Fatalf("one-time payments = %d, %v; want the %d scheduled", len(list), err, pad.MaxScheduledOneTime)
		}
	})
}
