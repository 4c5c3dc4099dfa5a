package account_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/cpa005"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/storetest"
)

var lender = cpa005.Originator{ID: "0123456789", ShortName: "OpenFlex", LongName: "OpenFlex Financial", DataCentre: "00310",
	Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}

// TestBrowserPay walks the pay page in headless Chromium at a phone's
// width, in English and in French, with an axe-core audit of every state:
// sign in, the payoff today and on a later day, a one-time payment of the
// minimum from a bank account entered for it (reviewed, authorized, then
// taken by the day's debit file, which the overview's balance shows),
// another payment cancelled before it is sent, and the consent to
// electronic statements.
func TestBrowserPay(t *testing.T) {
	axetest.Script(t)
	tab := newChromium(t)
	p := apptest.Start(t, storetest.Engines(t)[0])
	ctx := context.Background()
	base := p.URL + "/account/training/"
	onAPhone(t, tab)
	for _, tc := range []struct{ lang, payoff, later, minimum, balance, sent, cancelled, electronic string }{
		{"en", "$500.00", "$522.60", "$25.00", "$475.00", "Sent to your bank", "Cancelled", "You receive your statements electronically"},
		{"fr", "500,00", "522,60", "25,00", "475,00", "Transmis à votre banque", "Annulé", "Vous recevez vos relevés électroniquement"},
	} {
		acct := customerWithStatement(t, p, tc.lang)
		step := stepper(t, tab, tc.lang)
		textOf := func(sel string) string {
			t.Helper()
			got, err := chromedp.Run(tab, chromedp.Text(sel))
			if err != nil {
				t.Fatalf("%s %s: %v", sel, tc.lang, err)
			}
			return got
		}
		step("sign-in", chromedp.Navigate(base+"?lang="+tc.lang))
		step("code", chromedp.SetValue("#account_number", acct.Number), chromedp.SetValue("#date_of_birth", "1985-06-15"),
			chromedp.Click(`form[action$="/signin"] button[type="submit"]`), chromedp.WaitVisible("#code"))
		step("overview", chromedp.SetValue("#code", "222222"), chromedp.Click(`form[action$="/code"] button[type="submit"]`),
			chromedp.WaitVisible("#balance"))

		step("pay", chromedp.Click(`nav a[href$="/pay"]`), chromedp.WaitVisible(chromedp.CSS("#payoff")))
		if got := textOf("#payoff"); !strings.Contains(got, tc.payoff) {
			t.Errorf("payoff today %s = %q, want %s", tc.lang, got, tc.payoff)
		}
		step("payoff later", chromedp.SetValue("#payoff-date", "2027-03-02"), chromedp.Click("#see-date"),
			chromedp.WaitVisible(`time[datetime="2027-03-02"]`))
		if got := textOf("#payoff"); !strings.Contains(got, tc.later) {
			t.Errorf("payoff on 2027-03-02 %s = %q, want %s", tc.lang, got, tc.later)
		}

		owed := p.Main.Stores.Data(openflex.Training)
		before, err := owed.Account(ctx, acct.Number)
		if err != nil {
			t.Fatal(err)
		}
		bank := []chromedp.Action[chromedp.Void]{chromedp.Click("#source-new"), chromedp.SetValue("#holder_name", "Élise Client"),
			chromedp.SetValue("#institution", "004"), chromedp.SetValue("#transit", "12345"), chromedp.SetValue("#bank_account", "1234567")}
		step("pay today", chromedp.Navigate(base+"pay"), chromedp.WaitVisible("#pay-form"))
		step("review", append(append([]chromedp.Action[chromedp.Void]{chromedp.Click(`input[name="choice"][value="minimum"]`)}, bank...),
			chromedp.Click("#review"), chromedp.WaitVisible("#authorization"))...)
		if got := textOf("#review-summary"); !strings.Contains(got, tc.minimum) {
			t.Errorf("review %s = %q, want %s", tc.lang, got, tc.minimum)
		}
		step("payment made", chromedp.Click("#accepted"), chromedp.Click("#confirm"), chromedp.WaitVisible("#made"))

		// The day's debit file takes it, and the account's balance shows it.
		var file bytes.Buffer
		res, err := p.Main.PAD[openflex.Training].DebitFile(ctx, "2027-02-01", lender, &file)
		if err != nil || len(res.OneTime) != 1 || res.OneTime[0].Amount != 25_00 {
			t.Fatalf("debit file %s = %+v, %v; want the $25.00 payment", tc.lang, res, err)
		}
		f, err := cpa005.Read(&file)
		if err != nil || len(f.Debits) != 1 || f.Debits[0].Amount != 25_00 || f.Debits[0].CrossReference != res.OneTime[0].Reference {
			t.Fatalf("debit file read back %s = %+v, %v", tc.lang, f, err)
		}
		after, err := owed.Account(ctx, acct.Number)
		if err != nil || after.Owed() != before.Owed()-25_00 {
			t.Fatalf("owed after the debit file %s = %d, want %d", tc.lang, after.Owed(), before.Owed()-25_00)
		}
		step("balance after the debit", chromedp.Click(`nav a[href$="/training/"]`), chromedp.WaitVisible("#balance"))
		if got := textOf("#balance"); !strings.Contains(got, tc.balance) {
			t.Errorf("balance after the debit file %s = %q, want %s", tc.lang, got, tc.balance)
		}
		step("payment sent", chromedp.Navigate(base+"pay"), chromedp.WaitVisible("td.onetime-status"))
		if got := textOf("td.onetime-status"); !strings.Contains(got, tc.sent) {
			t.Errorf("payment status %s = %q, want %s", tc.lang, got, tc.sent)
		}

		step("another payment", append(append([]chromedp.Action[chromedp.Void]{chromedp.Click("#choice-other"), chromedp.SetValue("#other_amount", "10")}, bank...),
			chromedp.Click("#review"), chromedp.WaitVisible("#authorization"))...)
		step("another payment made", chromedp.Click("#accepted"), chromedp.Click("#confirm"), chromedp.WaitVisible(".cancel-payment"))
		step("payment cancelled", chromedp.Click(".cancel-payment"), chromedp.WaitNotPresent(chromedp.CSS(".cancel-payment")))
		list, err := p.Main.Stores.Data(openflex.Training).OneTimePayments(ctx, acct.Number)
		if err != nil || len(list) != 2 || list[0].Status != pad.OneTimeCancelled || list[1].Status != pad.DebitSent {
			t.Fatalf("one-time payments %s = %+v, %v; want one cancelled, one sent", tc.lang, list, err)
		}
		if got := textOf("main table"); !strings.Contains(got, tc.cancelled) {
			t.Errorf("payments %s = %q, want one %s", tc.lang, got, tc.cancelled)
		}

		step("statements", chromedp.Click(`nav a[href$="/statements"]`), chromedp.WaitVisible("#delivery-electronic"))
		step("e-statements", chromedp.Click("#delivery-electronic"), chromedp.WaitVisible("#delivery-paper"))
		if got := textOf("#delivery-now"); !strings.Contains(got, tc.electronic) {
			t.Errorf("delivery %s = %q", tc.lang, got)
		}
		step("signed out", chromedp.Click(`nav form button`), chromedp.WaitVisible("#account_number"))
	}
}
