package account_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/storetest"
)

// TestBrowserMessagesPage: a signed-in customer opens Messages from the
// account's navigation at a phone's width and reads, newest first, what
// was sent about the account — January's statement announced, then the
// welcome — in English and in French, with an axe-core audit: zero
// violations.
func TestBrowserMessagesPage(t *testing.T) {
	axetest.Script(t)
	tab := newChromium(t)
	p := apptest.Start(t, storetest.Engines(t)[0])
	base := p.URL + "/account/training/"
	onAPhone(t, tab)
	for _, tc := range []struct {
		lang string
		// want is, newest first, each message's subject, date and a line of
		// its body.
		want []string
	}{
		{"en", []string{"Your statement is ready", "Statement ready · February 1, 2027", "New balance: $500.00", "Welcome to OpenFlex"}},
		{"fr", []string{"Votre relevé est prêt", "Relevé prêt · 1er février 2027", "Nouveau solde\u00a0: 500,00\u00a0$", "Bienvenue chez OpenFlex"}},
	} {
		acct := customerWithStatement(t, p, tc.lang)
		step := stepper(t, tab, tc.lang)
		step("sign-in", chromedp.Navigate(base+"?lang="+tc.lang))
		if err := chromedp.Do(tab, chromedp.SendKeys("#account_number", acct.Number), chromedp.SetValue("#date_of_birth", "1985-06-15"),
			chromedp.Click(`form[action$="/signin"] button[type="submit"]`), chromedp.WaitVisible("#code"),
			chromedp.SetValue("#code", "222222"), chromedp.Click(`form[action$="/code"] button[type="submit"]`), chromedp.WaitVisible("#balance")); err != nil {
			t.Fatalf("sign in %s: %v", tc.lang, err)
		}
		step("messages", chromedp.Click(`nav a[href$="/messages"]`), chromedp.WaitVisible("#messages"))
		got, err := chromedp.Run(tab, chromedp.Text("#messages"))
		if err != nil {
			t.Fatal(err)
		}
		at := 0
		for _, w := range tc.want {
			i := strings.Index(got[at:], w)
			if i < 0 {
				t.Fatalf("messages page %s lacks %q after position %d (newest first):\n%s", tc.lang, w, at, got)
			}
			at += i + len(w)
		}
		// No horizontal scrolling at a phone's width.
		wide, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
		if err != nil || wide {
			t.Errorf("messages page %s scrolls sideways at 390px: %v, %v", tc.lang, wide, err)
		}
		step("signed out", chromedp.Click(`nav form button`), chromedp.WaitVisible("#account_number"))
	}
}

// TestMessagesPage: the Messages page needs the customer signed in, shows
// only their own account's messages, newest first, leaves out a delivery
// that failed (the customer never received it), and shows the welcome
// message's account number as everywhere else: its last four digits.
func TestMessagesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		acct := customerWithStatement(t, p, "en")
		other := customerWithStatement(t, p, "fr")
		data := p.Main.Stores.Data(openflex.Training)
		if err := data.RecordAccountMessage(context.Background(), &customer.Message{ID: openflex.NewID("msg"), AccountNumber: acct.Number,
			Kind: customer.MessagePaymentDue, Channel: "email", Recipient: "e***@example.com", Subject: "Never delivered", Body: "b",
			Status: customer.MessageFailed, Error: "smtp: 550", Created: time.Date(2027, 2, 17, 5, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		v := newVisitor(t, p.URL+"/account/training/")
		expect(t, v.do("GET", "messages", nil), http.StatusSeeOther, "messages before sign-in")
		expect(t, v.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-15"}, "channel": {"sms"}, "lang": {"en"}}),
			http.StatusSeeOther, "sign-in")
		tok := csrfRE.FindStringSubmatch(v.do("GET", "code", nil).body)[1]
		expect(t, v.do("POST", "code", url.Values{"csrf": {tok}, "code": {"222222"}}), http.StatusSeeOther, "code")

		page := v.do("GET", "messages", nil)
		expect(t, page, http.StatusOK, "messages", `href="/account/training/messages"`, "Your statement is ready", "Statement ready", ">February 1, 2027</time>",
			"•••• "+acct.Number[10:], "Welcome to OpenFlex")
		if i, j := strings.Index(page.body, "Your statement is ready"), strings.Index(page.body, "Welcome to OpenFlex"); i > j {
			t.Errorf("messages are not newest first:\n%s", page.body)
		}
		grouped := acct.Number[0:4] + " " + acct.Number[4:8] + " " + acct.Number[8:12] + " " + acct.Number[12:]
		for _, hidden := range []string{"Never delivered", "•••• " + other.Number[10:], "Votre relevé", grouped, acct.Number} {
			if strings.Contains(page.body, hidden) {
				t.Errorf("the messages page shows %q (a failed delivery, another account's message, or the whole account number)", hidden)
			}
		}
		expect(t, v.do("GET", "messages?lang=fr", nil), http.StatusOK, "messages in French", "Messages", "Relevé prêt", ">1er février 2027</time>",
			"Ce que nous vous avons envoyé")
	})
}
