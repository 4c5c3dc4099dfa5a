package portal_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestBrowserClerksAccessibility runs axe-core over the merchant's Clerks
// page (empty, refused, with a pending clerk), the invitation's password
// form and the clerk's till with its own navigation, at desktop and phone
// width, in English and French: zero violations.
func TestBrowserClerksAccessibility(t *testing.T) {
	axetest.Script(t) // skips, saying so, without Node.js
	tab := newChromium(t)
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	m := th.Browser(t).VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	base := th.Srv.URL
	const clerk = "sam@maple.example"

	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	widths := []struct {
		name string
		size chromedp.Action[chromedp.Void]
	}{
		{"desktop", chromedp.EmulateViewport(1280, 900)},
		{"phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)},
	}
	audit := func(state, path string) {
		t.Helper()
		for _, w := range widths {
			for _, lang := range []string{"en", "fr"} {
				do(state, w.size, chromedp.Navigate(base+path+"?lang="+lang), chromedp.WaitVisible(chromedp.ID("main")))
				axetest.Check(t, tab, state+" "+w.name+" "+lang)
			}
		}
	}
	logIn := func(email string) {
		t.Helper()
		do("log in as "+email, chromedp.Navigate(base+"/portal/login?lang=en"),
			chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), webtest.Password),
			chromedp.Click(chromedp.CSS(`form[action="/portal/login"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/portal/store/training/`+st.ID+`"]`)))
	}

	do("log in as the merchant", chromedp.Navigate(base+"/portal/login?lang=en"),
		chromedp.SendKeys(chromedp.ID("email"), "dev@maple.example"), chromedp.SendKeys(chromedp.ID("password"), webtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/portal/login"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`nav a[aria-current="page"]`)))
	audit("clerks, none yet", "/portal/clerks")
	do("invite without a store", chromedp.Navigate(base+"/portal/clerks?lang=en"), chromedp.SendKeys(chromedp.ID("email"), clerk),
		chromedp.Click(chromedp.CSS(`form[action="/portal/clerks"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[aria-invalid="true"]`)))
	axetest.Check(t, tab, "clerks, refused invitation")
	do("invite", chromedp.Navigate(base+"/portal/clerks?lang=en"), chromedp.SendKeys(chromedp.ID("email"), clerk),
		chromedp.Click(chromedp.CSS(`input[name="stores"]`)), chromedp.Click(chromedp.CSS(`form[action="/portal/clerks"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	audit("clerks, one invited", "/portal/clerks")

	do("log out", chromedp.Click(chromedp.CSS(`form[action="/portal/logout"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("email")))
	link := th.Mail.Link(t, clerk, "/portal/invite")
	for _, w := range widths {
		do("invitation", w.size, chromedp.Navigate(base+link), chromedp.WaitVisible(chromedp.ID("password")))
		axetest.Check(t, tab, "invitation "+w.name)
	}
	do("accept", chromedp.SendKeys(chromedp.ID("password"), webtest.Password), chromedp.SendKeys(chromedp.ID("confirm"), webtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/portal/invite"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))

	logIn(clerk)
	audit("clerk's store picker", "/portal/store/training")
	audit("clerk's till", "/portal/store/training/"+st.ID)
	audit("clerk on a developer page", "/portal/keys")
}
