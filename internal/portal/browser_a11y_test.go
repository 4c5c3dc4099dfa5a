package portal_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestBrowserAccessibility runs axe-core over the portal's pages, the
// store clerk's screens and the lender's console in headless Chromium, in
// English and French: zero violations is the bar.
func TestBrowserAccessibility(t *testing.T) {
	axetest.Script(t) // skips, saying so, without Node.js
	tab := newChromium(t)
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	plan := th.TwelveMonths(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	th.PendingApplication(t, openflex.Training, m.ID, st.ID, "Roy-Axe")
	if err := th.Users.BootstrapAdmin(context.Background(), "ops@lender.example", webtest.Password); err != nil {
		t.Fatal(err)
	}
	base := th.Srv.URL

	audit := func(state string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		steps = append(steps, chromedp.WaitVisible(chromedp.ID("main")))
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", state, err)
		}
		axetest.Check(t, tab, state)
	}
	logIn := func(email string) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Navigate(base+"/portal/login"),
			chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), webtest.Password),
			chromedp.Click(`form[action="/portal/login"] button[type="submit"]`), chromedp.WaitVisible(`nav a[aria-current="page"]`)); err != nil {
			t.Fatalf("log in as %s: %v", email, err)
		}
	}

	for _, lang := range []string{"en", "fr"} {
		audit("sign-up "+lang, chromedp.Navigate(base+"/portal/signup?lang="+lang))
		audit("log-in "+lang, chromedp.Navigate(base+"/portal/login?lang="+lang))
	}
	logIn("dev@maple.example")
	store := "/portal/store/training/" + st.ID
	for _, path := range []string{"/portal/", "/portal/keys", "/portal/webhooks/training", "/portal/webhooks/production", "/portal/inbox",
		"/portal/stores", "/portal/go-live", "/portal/audit", "/portal/reference", "/portal/store/training", store, "/portal/no-such-page"} {
		audit(path, chromedp.Navigate(base+path+"?lang=en"))
	}
	for _, lang := range []string{"en", "fr"} {
		if lang == "fr" {
			for _, path := range []string{"/portal/", "/portal/webhooks/production", "/portal/reference", store} {
				audit(path+" fr", chromedp.Navigate(base+path+"?lang=fr"))
			}
		}
		// The clerk's look-up, found and not found.
		audit("till look-up "+lang, chromedp.Navigate(base+store+"?lang="+lang), chromedp.SendKeys(chromedp.ID("account_number"), acct.Number),
			chromedp.Click(`form[action="`+store+`/lookup"] button[type="submit"]`), chromedp.WaitVisible(`form[action="`+store+`/verify"]`))
		audit("till look-up error "+lang, chromedp.Navigate(base+store+"?lang="+lang),
			chromedp.Click(`form[action="`+store+`/lookup"] button[type="submit"]`), chromedp.WaitVisible(`[aria-invalid="true"]`))
		// The rest of a sale: the code, a wrong one, the quote, the plans,
		// then the authorization with its capture and release forms and,
		// once captured, the return form.
		submit := func(action string) chromedp.Action[chromedp.Void] {
			return chromedp.Click(`form[action="` + action + `"] button[type="submit"]`)
		}
		audit("till code "+lang, chromedp.Navigate(base+store+"?lang="+lang), chromedp.SendKeys(chromedp.ID("account_number"), acct.Number),
			submit(store+"/lookup"), chromedp.WaitVisible(`form[action="`+store+`/verify"]`), submit(store+"/verify"), chromedp.WaitVisible(chromedp.ID("code")))
		audit("till wrong code "+lang, chromedp.SendKeys(chromedp.ID("code"), "000000"), submit(store+"/verify/check"),
			chromedp.WaitVisible(`#code[aria-invalid="true"]`))
		audit("till amount "+lang, chromedp.SetValue(chromedp.ID("code"), "222222"), submit(store+"/verify/check"), chromedp.WaitVisible(chromedp.ID("amount")))
		audit("till plans "+lang, chromedp.SendKeys(chromedp.ID("amount"), "500"), submit(store+"/quote"),
			chromedp.WaitVisible(`form[action="`+store+`/authorize"]`))
		audit("till authorization "+lang, submit(store+"/authorize"), chromedp.WaitVisible(chromedp.ID("capture_amount")))
		audit("till capture error "+lang, chromedp.SendKeys(chromedp.ID("capture_amount"), "99999"),
			chromedp.Click(`form[action$="/capture"] button[type="submit"]`), chromedp.WaitVisible(`#capture_amount[aria-invalid="true"]`))
		audit("till captured "+lang, chromedp.SetValue(chromedp.ID("capture_amount"), "100"),
			chromedp.Click(`form[action$="/capture"] button[type="submit"]`), chromedp.WaitVisible(`form[action$="/return"]`))
	}

	if err := chromedp.Do(tab, chromedp.Click(`form[action="/portal/logout"] button`),
		// The log-in form, not #main: the page being left has a #main too,
		// and navigating before the log-out lands aborts one of the two.
		chromedp.WaitVisible(`form[action="/portal/login"]`)); err != nil {
		t.Fatal(err)
	}
	logIn("ops@lender.example")
	for _, lang := range []string{"en", "fr"} {
		audit("console "+lang, chromedp.Navigate(base+"/portal/admin?lang="+lang))
		audit("review list "+lang, chromedp.Navigate(base+"/portal/admin/applications/training?lang="+lang))
		audit("review file "+lang, chromedp.Navigate(base+"/portal/admin/applications/training?lang="+lang),
			chromedp.Click(`table a`), chromedp.WaitVisible(chromedp.ID("approve")))
		audit("review decline error "+lang, chromedp.Click(chromedp.ID("decline")), chromedp.WaitVisible(`fieldset[aria-invalid="true"]`))
		plans := base + "/portal/admin/merchants/" + m.ID + "/plans?env=training&lang=" + lang
		audit("plans "+lang, chromedp.Navigate(plans))
		audit("plan fee error "+lang, chromedp.Navigate(plans), chromedp.SetValue(chromedp.ID("bps-"+plan.ID), "-1"),
			chromedp.Click(`form[action$="/`+plan.ID+`/merchant-fee"] button[type="submit"]`), chromedp.WaitVisible(`input[aria-invalid="true"]`))
	}
	// Every page names its icon, so browsers do not ask for /favicon.ico.
	res, err := http.Get(base + "/portal/static/favicon.svg")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
