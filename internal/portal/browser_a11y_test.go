package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"

	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestBrowserAccessibility runs axe-core over the portal's pages, the
// store clerk's screens and the lender's console in headless Chromium, in
// English and French: zero violations is the bar.
func TestBrowserAccessibility(t *testing.T) {
	axetest.Script(t) // skips, saying so, without Node.js
	tab := newChromium(t)
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill, webtest.WithDesk)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	plan := th.TwelveMonths(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	th.PendingApplication(t, openflex.Training, m.ID, st.ID, "Roy-Axe")
	// The account desk's forms: a payment to reverse, a returned cheque's
	// NSF fee to waive, a debit sent to the bank to mark returned.
	cfg := servicing.DefaultConfig()
	cfg.NSFFee = 25_00
	th.Servicing[openflex.Training].Config = &cfg
	th.SentDebit(t, openflex.Training, acct.Number, 30_00)
	bounced, err := th.Servicing[openflex.Training].Pay(context.Background(), engine.PaymentRequest{AccountNumber: acct.Number, Amount: 1000,
		Channel: engine.ChannelCheque, Reference: "CHQ-6"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := th.Servicing[openflex.Training].Reverse(context.Background(), bounced.Payment.ID, true, "NSF"); err != nil {
		t.Fatal(err)
	}
	if _, err := th.Servicing[openflex.Training].Pay(context.Background(), engine.PaymentRequest{AccountNumber: acct.Number, Amount: 2500,
		Channel: engine.ChannelCheque, Reference: "CHQ-7"}); err != nil {
		t.Fatal(err)
	}
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

	for _, lang := range []string{"en", "fr"} {
		audit("sign-up "+lang, chromedp.Navigate(base+"/portal/signup?lang="+lang))
		audit("log-in "+lang, chromedp.Navigate(base+"/portal/login?lang="+lang))
	}
	logIn(t, tab, base, "dev@maple.example")
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
		audit("till plans "+lang, chromedp.SendKeys(chromedp.ID("amount"), "500"), chromedp.Click(`form[action^="`+store+`/sale/"] button[type="submit"]`),
			chromedp.WaitVisible(`form[action="`+store+`/authorize"]`))
		// Capturing now is the default; untick it to keep the capture and
		// release forms.
		audit("till authorization "+lang, chromedp.Click(`input[name="auto_capture"]`), submit(store+"/authorize"), chromedp.WaitVisible(chromedp.ID("capture_amount")))
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
	logIn(t, tab, base, "ops@lender.example")
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
		// The account desk: the search, a search refused and its results,
		// the account with a payment to reverse, and a refused action.
		desk := base + "/portal/admin/accounts"
		audit("desk search "+lang, chromedp.Navigate(desk+"?lang="+lang))
		audit("desk search error "+lang, chromedp.Navigate(desk+"?env=training&number=123&lang="+lang), chromedp.WaitVisible(`#number[aria-invalid="true"]`))
		audit("desk results "+lang, chromedp.Navigate(desk+"?"+url.Values{"env": {"training"}, "first_name": {"Jeanne"}, "last_name": {acct.LastName},
			"date_of_birth": {"1985-06-15"}, "lang": {lang}}.Encode()), chromedp.WaitVisible(`#desk-results`))
		page := desk + "/training/" + acct.Number
		audit("desk account "+lang, chromedp.Navigate(page+"?lang="+lang), chromedp.WaitVisible(`form[action$="/reverse"]`),
			chromedp.WaitVisible(`form[action$="/waivers"]`), chromedp.WaitVisible(`form[action$="/return"]`))
		audit("desk refused limit "+lang, chromedp.Navigate(page+"?lang="+lang),
			chromedp.Click(`form[action$="/limit"] button[type="submit"]`), chromedp.WaitVisible(`#credit_limit[aria-invalid="true"]`))
		audit("desk refused waiver "+lang, chromedp.Navigate(page+"?lang="+lang),
			chromedp.Click(`form[action$="/waivers"] button[type="submit"]`), chromedp.WaitVisible(`#amount[aria-invalid="true"]`))
		audit("desk refused freeze "+lang, chromedp.Navigate(page+"?lang="+lang),
			chromedp.Click(`form[action$="/freeze"] button[type="submit"]`), chromedp.WaitVisible(`#reason[aria-invalid="true"]`))
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

// TestBrowserFocusAndInvalidFields: the focus ring stands out (3:1 or more
// against the page and the cards, WCAG 1.4.11) and a field marked invalid
// has the red border, on the portal's and the till's forms alike.
func TestBrowserFocusAndInvalidFields(t *testing.T) {
	tab := newChromium(t)
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	base := th.Srv.URL
	store := "/portal/store/training/" + st.ID
	logIn(t, tab, base, "dev@maple.example")
	if err := chromedp.Do(tab, chromedp.Navigate(base+store), chromedp.Click(`form[action="`+store+`/lookup"] button[type="submit"]`),
		chromedp.WaitVisible(`[aria-invalid="true"]`)); err != nil {
		t.Fatal(err)
	}
	// contrast is the WCAG contrast ratio of two computed colours.
	const js = `(() => {
	  const lum = c => { const [r, g, b] = c.match(/\d+/g).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 });
	    return 0.2126 * r + 0.7152 * g + 0.0722 * b };
	  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05) };
	  const field = document.querySelector('input[aria-invalid="true"]');
	  const s = getComputedStyle(document.activeElement, null);
	  const page = getComputedStyle(document.documentElement).backgroundColor;
	  return JSON.stringify({ border: getComputedStyle(field).borderTopColor, focused: document.activeElement.id, ring: s.outlineColor, ringStyle: s.outlineStyle,
	    onPage: ratio(s.outlineColor, page), onWhite: ratio(s.outlineColor, "rgb(255, 255, 255)") });
	})()`
	// Reach the field from the keyboard, as its users do: :focus-visible.
	if err := chromedp.Do(tab, chromedp.Focus(`input[aria-invalid="true"]`), chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	var st2 struct {
		Border, Ring, RingStyle string
		OnPage, OnWhite         float64
	}
	if err := json.Unmarshal([]byte(got), &st2); err != nil {
		t.Fatal(err)
	}
	if st2.Border != "rgb(180, 35, 24)" {
		t.Errorf("an invalid till field's border is %s, want the danger red rgb(180, 35, 24)", st2.Border)
	}
	if st2.RingStyle != "solid" || st2.OnPage < 3 || st2.OnWhite < 3 {
		t.Errorf("focus ring %s %s: contrast %.1f:1 on the page, %.1f:1 on white; want 3:1 or more", st2.RingStyle, st2.Ring, st2.OnPage, st2.OnWhite)
	}
}

// TestBrowserTillKeyboard is a keyboard-only pass of the till: a submit
// with Enter that fails moves the focus to an error summary at the top
// (the title says "Error:"), whose links lead to the fields at fault.
func TestBrowserTillKeyboard(t *testing.T) {
	tab := newChromium(t)
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	base := th.Srv.URL
	store := "/portal/store/training/" + st.ID
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/portal/login"),
		chromedp.SendKeys(chromedp.ID("email"), "dev@maple.example"), chromedp.SendKeys(chromedp.ID("password"), webtest.Password+kb.Enter),
		chromedp.WaitVisible(`nav a[aria-current="page"]`), chromedp.Navigate(base+store)); err != nil {
		t.Fatal(err)
	}
	focused := func(step string) {
		t.Helper()
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.id + "|" + document.title + "|" +
			[...document.querySelectorAll("#error-summary a")].map(a => document.getElementById(a.getAttribute("href").slice(1)) ? "ok" : a.getAttribute("href")).join(",")`))
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.SplitN(got, "|", 3)
		if parts[0] != "error-summary" || !strings.HasPrefix(parts[1], "Error:") || parts[2] == "" || strings.Contains(parts[2], "#") {
			t.Errorf("%s: focus on %q, title %q, summary links %q; want the focus on the error summary, an Error: title and links to fields", step, parts[0], parts[1], parts[2])
		}
	}
	// The till's own short navigation: from the top of the page, the skip
	// link comes first and the look-up's first field is a few Tabs away
	// (the portal's navigation made it about 17).
	tabs := 0
	for ; tabs < 30; tabs++ {
		if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.id || document.activeElement.className`))
		if err != nil {
			t.Fatal(err)
		}
		if tabs == 0 && got != "skip" {
			t.Errorf("the first Tab lands on %q, want the skip link", got)
		}
		if got == "account_number" {
			break
		}
	}
	if tabs+1 > 9 {
		t.Errorf("%d Tabs to reach the look-up, want at most 9 (skip link, brand, the till's three links, language, log out, a few more)", tabs+1)
	}
	// Look up nobody: Enter in the empty account number field.
	if err := chromedp.Do(tab, chromedp.Focus(chromedp.ID("account_number")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("error-summary"))); err != nil {
		t.Fatal(err)
	}
	focused("an empty look-up")
	// A wrong code read out by the customer.
	if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.ID("account_number"), acct.Number+kb.Enter),
		chromedp.WaitVisible(`form[action="`+store+`/verify"]`),
		chromedp.Focus(`form[action="`+store+`/verify"] button[type="submit"]`), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("code")), chromedp.SendKeys(chromedp.ID("code"), "000000"+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("error-summary"))); err != nil {
		t.Fatal(err)
	}
	focused("a wrong code")

	// At phone width the store's day fits the screen (its tables scroll
	// inside their wrappers), and the date of birth is typed as the hint
	// says, not in the browser's mm/dd/yyyy picker.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile), chromedp.Navigate(base+store),
		chromedp.WaitVisible(chromedp.ID("day"))); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.scrollWidth + "/" + window.innerWidth + "/" + document.getElementById("date_of_birth").type`))
	if err != nil {
		t.Fatal(err)
	}
	var scroll, inner int
	var typ string
	fmt.Sscanf(strings.ReplaceAll(got, "/", " "), "%d %d %s", &scroll, &inner, &typ)
	if scroll > inner || typ != "text" {
		t.Errorf("till at 360 px: page %d px wide in a %d px window, date of birth a %q field; want no overflow and a text field", scroll, inner, typ)
	}
}

// TestBrowserTillAtPhoneAndDesktop walks a sale at phone and desktop width
// with axe-core on every screen: the store's day with its movements fits
// the screen (its tables need no sideways scrolling: they were cut off on
// the right), the look-up's result, the code, the amount, the options, the
// authorization, its partial capture (what is financed) and a used sale's
// page; each post's redirect lands on a
// page that a reload does not repeat.
func TestBrowserTillAtPhoneAndDesktop(t *testing.T) {
	axetest.Script(t)
	tab := newChromium(t)
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	th.TwelveMonths(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	ctx := context.Background()
	// The day's movements: an authorization, a capture and a return.
	v, err := th.Credit[openflex.Training].StartVerification(ctx, m.ID, credit.TillBudget(m.ID), acct.Number, "sms")
	if err != nil {
		t.Fatal(err)
	}
	if err := th.Credit[openflex.Training].CheckVerification(ctx, m.ID, v.ID, credit.TrainingCode, acct.Number); err != nil {
		t.Fatal(err)
	}
	auth, err := th.Lending[openflex.Training].Authorize(ctx, lending.AuthorizeRequest{MerchantID: m.ID, StoreID: st.ID, AccountNumber: acct.Number,
		Amount: 1_299_99, Currency: openflex.CAD, Channel: "in_store", VerificationID: v.ID, AutoCapture: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := th.Lending[openflex.Training].Return(ctx, lending.ReturnRequest{MerchantID: m.ID, CaptureID: auth.Captures[0].ID, Amount: 99_99}); err != nil {
		t.Fatal(err)
	}
	base := th.Srv.URL
	store := "/portal/store/training/" + st.ID
	logIn(t, tab, base, "dev@maple.example")
	// fits reports the page's and each table wrapper's overflow.
	const fits = `(() => { const out = []; const d = document.documentElement;
	  if (d.scrollWidth > window.innerWidth) out.push("page " + d.scrollWidth + ">" + window.innerWidth);
	  document.querySelectorAll(".table-wrap").forEach((w, i) => { if (w.scrollWidth > w.clientWidth) out.push("table " + i + " " + w.scrollWidth + ">" + w.clientWidth) });
	  return out.join(", ") })()`
	submit := func(action string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(`form[action="` + action + `"] button[type="submit"]`)
	}
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"phone", 360, 740, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}}, {"desktop", 1280, 800, nil}} {
		audit := func(state string, steps ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			steps = append(steps, chromedp.WaitVisible(chromedp.ID("main")))
			if err := chromedp.Do(tab, steps...); err != nil {
				t.Fatalf("%s %s: %v", state, size.name, err)
			}
			axetest.Check(t, tab, state+" "+size.name)
			over, err := chromedp.Run(tab, chromedp.Evaluate[string](fits))
			if err != nil {
				t.Fatal(err)
			}
			if over != "" {
				t.Errorf("%s at %s width overflows: %s", state, size.name, over)
			}
		}
		if err := chromedp.Do(tab, chromedp.EmulateViewport(size.w, size.h, size.opts...)); err != nil {
			t.Fatal(err)
		}
		audit("till day", chromedp.Navigate(base+store+"?lang=en"), chromedp.WaitVisible(`tr.txn`))
		audit("till look-up result", chromedp.SendKeys(chromedp.ID("account_number"), acct.Number), submit(store+"/lookup"),
			chromedp.WaitVisible(`form[action="`+store+`/verify"]`))
		audit("till code", submit(store+"/verify"), chromedp.WaitVisible(chromedp.ID("code")))
		audit("till amount", chromedp.SendKeys(chromedp.ID("code"), "222222"), submit(store+"/verify/check"), chromedp.WaitVisible(chromedp.ID("amount")))
		audit("till options", chromedp.SendKeys(chromedp.ID("amount"), "250"), chromedp.Click(`form[action^="`+store+`/sale/"] button[type="submit"]`),
			chromedp.WaitVisible(`form[action="`+store+`/authorize"]`))
		sale, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		audit("till authorization", chromedp.Click(`input[name="option"][value^="plan_"]`), chromedp.Click(`input[name="auto_capture"]`), submit(store+"/authorize"), chromedp.WaitVisible(chromedp.ID("capture_amount")))
		audit("till partly captured", chromedp.SendKeys(chromedp.ID("capture_amount"), "100"),
			chromedp.Click(`form[action$="/capture"] button[type="submit"]`), chromedp.WaitVisible(chromedp.ID("financed")))
		audit("till used sale", chromedp.Navigate(base+sale), chromedp.WaitVisible(chromedp.ID("over-h")))
		audit("till day fr", chromedp.Navigate(base+store+"?lang=fr"), chromedp.WaitVisible(`tr.txn`))
	}
}
