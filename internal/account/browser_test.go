package account_test

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/storetest"
)

func newChromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("chromium is not installed; the browser test runs where it is")
		}
		t.Fatal("chromium is not installed, and CI must run the browser test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	return tab
}

// onAPhone makes tab a phone's screen: 390 by 844, touch, portrait.
func onAPhone(t *testing.T, tab context.Context) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)); err != nil {
		t.Fatal(err)
	}
}

// stepper returns a browser walk's step in tab: run steps, wait for the
// page's main element, and audit the page with axe-core, the state named
// with label in failures.
func stepper(t *testing.T, tab context.Context, label string) func(state string, steps ...chromedp.Action[chromedp.Void]) {
	return func(state string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, time.Minute)
		defer cancel()
		// By CSS: chromedp's default search also matches text, and a page
		// saying "remaining" (or "semaine") has "main" in it, a text node
		// that is never "visible".
		if err := chromedp.Do(ctx, append(steps, chromedp.WaitVisible(css("main")))...); err != nil {
			// Where the walk stopped, for the report.
			where, _ := chromedp.Run(tab, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("%s %s: %v\n%s", state, label, err, where)
		}
		axetest.Check(t, tab, state+" "+label)
	}
}

// TestBrowserCustomerPages walks a customer's sign-in, overview and
// statement (page, and the PDF fetched by the page's link and read back)
// in headless Chromium at a phone's width, in English and in French, with
// an axe-core audit of every page: zero violations.
func TestBrowserCustomerPages(t *testing.T) {
	axetest.Script(t)
	tab := newChromium(t)
	p := apptest.Start(t, storetest.Engines(t)[0])
	base := p.URL + "/account/training/"
	onAPhone(t, tab)
	for _, tc := range []struct{ lang, overview, balance, statement string }{
		{"en", "Your account", "$500.00", "New balance"},
		{"fr", "Votre compte", "500,00", "Nouveau solde"},
	} {
		acct := customerWithStatement(t, p, tc.lang)
		step := stepper(t, tab, tc.lang)
		step("sign-in", chromedp.Navigate(base+"?lang="+tc.lang))
		step("code", chromedp.SendKeys(css("#account_number"), acct.Number), chromedp.SetValue(css("#date_of_birth"), "1985-06-15"),
			chromedp.Click(css(`form[action$="/signin"] button[type="submit"]`)), chromedp.WaitVisible(css("#code")))
		step("wrong code", chromedp.SendKeys(css("#code"), "000000"), chromedp.Click(css(`form[action$="/code"] button[type="submit"]`)),
			chromedp.WaitVisible(css(`[role="alert"]`)))
		step("overview", chromedp.SetValue(css("#code"), "222222"), chromedp.Click(css(`form[action$="/code"] button[type="submit"]`)),
			chromedp.WaitVisible(css("#balance")))
		got, err := chromedp.Run(tab, chromedp.Text(css("main")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, tc.overview) || !strings.Contains(got, tc.balance) {
			t.Errorf("overview %s:\n%s", tc.lang, got)
		}
		step("statements", chromedp.Navigate(base+"statements"), chromedp.WaitVisible(css("table")))
		step("statement", chromedp.Click(css(`main table a`)), chromedp.WaitVisible(css("pre.statement")))
		got, err = chromedp.Run(tab, chromedp.Text(css("pre.statement")))
		if err != nil || !strings.Contains(got, tc.statement) {
			t.Errorf("statement page %s = %v:\n%s", tc.lang, err, got)
		}
		b64, err := chromedp.Run(tab, chromedp.Evaluate[string](`fetch(document.querySelector('a[href$="/pdf"]').href).then(r => r.arrayBuffer()).then(b => {
			let s = ""; for (const c of new Uint8Array(b)) s += String.fromCharCode(c); return btoa(s) })`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		pdf, _ := base64.StdEncoding.DecodeString(b64)
		// The account number's last four digits only, as on every page.
		if text := pdfText(t, pdf); !strings.Contains(text, tc.statement) || !strings.Contains(text, "•••• "+acct.Number[10:]) || strings.Contains(text, acct.Number) {
			t.Errorf("PDF %s text:\n%s", tc.lang, text)
		}
		if tc.lang == "en" { // in French: TestBrowserAutomaticPayments (autopay_browser_test.go)
			step("automatic payments", chromedp.Click(css(`nav a[href$="/autopay"]`)), chromedp.WaitVisible(css("#enrol")))
			// Past the browser's own check, as a script-less or older browser
			// would send it: the server refuses it too.
			if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector("#enrol").form.noValidate = true`)); err != nil {
				t.Fatal(err)
			}
			step("automatic payments refused", chromedp.Click(css("#enrol")), chromedp.WaitVisible(css(`[role="alert"]`)))
			step("automatic payments on", chromedp.Click(css(`input[value="statement_balance"]`)), chromedp.SendKeys(css("#holder_name"), "Élise Client"),
				chromedp.SendKeys(css("#institution"), "004"), chromedp.SendKeys(css("#transit"), "12345"), chromedp.SendKeys(css("#bank_account"), "1234567"),
				chromedp.Click(css("#accepted")), chromedp.Click(css("#enrol")), chromedp.WaitVisible(css("#autopay-on")))
			step("automatic payments cancelled", chromedp.Click(css("#cancel-autopay")), chromedp.WaitVisible(css("#enrol")))
			step("merchants", chromedp.Navigate(base+"merchants"), chromedp.WaitVisible(css(`main form button`)))
			step("merchant revoked", chromedp.Click(css(`main form button`)), chromedp.WaitVisible(css("#no-merchants")))
		}
		step("signed out", chromedp.Click(css(`nav form button`)), chromedp.WaitVisible(css("#account_number")))
	}
}
