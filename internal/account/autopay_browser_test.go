package account_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/storetest"
)

// frenchSpacing finds a French text's punctuation set wrong: a : ; ? ! or
// » after anything but a no-break space (a plain space lets the line
// break before it; none at all is an English habit), or a « followed by a
// plain space. Digits before a colon (times) and web addresses are left
// alone.
var frenchSpacing = regexp.MustCompile(`(^|[^\x{00a0}\x{202f}0-9])[:;?!»]|« `)

var webAddress = regexp.MustCompile(`https?://\S+`)

// css is a CSS selector: chromedp takes a plain string as a DOM text
// search, which also finds the words of the page ("main" in "semaine").
type css = chromedp.CSS

// checkFrench fails the test for each badly spaced punctuation mark of a
// French page's text.
func checkFrench(t *testing.T, page, text string) {
	t.Helper()
	for _, line := range strings.Split(webAddress.ReplaceAllString(text, ""), "\n") {
		if loc := frenchSpacing.FindStringIndex(line); loc != nil {
			t.Errorf("%s: French punctuation without its no-break space: %q", page, line)
		}
	}
}

// TestBrowserAutomaticPayments walks a customer through automatic
// payments in headless Chromium, in French on a phone and in English on a
// desktop: sign in, read the pre-authorized debit agreement (the lender's
// configured identity in it, and what Rule H1 asks for), a refused
// enrolment, enrolment (a fixed amount typed the French way, the
// statement balance), the written confirmation as sent, cancellation, and
// revoking the merchant — an axe-core audit of every page, zero
// violations, and in French every colon, semicolon, question and
// exclamation mark spaced as French typography wants.
func TestBrowserAutomaticPayments(t *testing.T) {
	axetest.Script(t)
	tab := newChromium(t)
	lender := servicing.Lender{Name: "Prêts Érable inc.", Phone: "1-877-555-0142", Email: "aide@erable.example",
		Address: "500 rue Sainte-Catherine O, Montréal QC H3B 1A6", Website: "https://erable.example"}
	p := apptest.Start(t, storetest.Engines(t)[0], apptest.Options{Tweak: func(c *app.Config) { c.Lender = lender }})
	base := p.URL + "/account/training/"
	type viewport = chromedp.Action[chromedp.Void]
	for _, tc := range []struct {
		name, lang string
		screen     viewport
		choice     string
		amount     string   // typed in the fixed amount field
		chosen     string   // how the page names the choice once on
		agreement  []string // in the agreement the customer reads
		confirm    []string // in the written confirmation
		refused    string
	}{
		{name: "French on a phone", lang: "fr", screen: chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
			choice: "fixed", amount: "75,00", chosen: "un montant fixe de 75,00\u00a0$",
			agreement: []string{"Accord de débit préautorisé (DPA) — personnel", "Bénéficiaire\u00a0: Prêts Érable inc., 500 rue Sainte-Catherine O, Montréal QC H3B 1A6, 1-877-555-0142, aide@erable.example",
				"au moins 10 jours civils", "droits de recours", "www.paiements.ca"},
			confirm: []string{"Envoyée par courriel à", "FORMATION\u00a0: rien n’est envoyé", "Aucun débit n’aura lieu avant le",
				"Prêts Érable inc. · 1-877-555-0142 · aide@erable.example"},
			refused: "Vérifiez les champs signalés"},
		{name: "English on a desktop", lang: "en", screen: chromedp.EmulateViewport(1280, 800),
			choice: "statement_balance", chosen: "the full balance of each statement",
			agreement: []string{"Pre-authorized debit (PAD) agreement — personal", "Payee: Prêts Érable inc., 500 rue Sainte-Catherine O, Montréal QC H3B 1A6, 1-877-555-0142, aide@erable.example",
				"at least 10 calendar days", "recourse rights", "www.payments.ca"},
			confirm: []string{"Sent by email to", "TRAINING: nothing is sent", "No debit will be taken before", "https://erable.example"},
			refused: "Please check the highlighted fields"},
	} {
		acct := customerWithStatement(t, p, tc.lang)
		data := p.Main.Stores.Data(openflex.Training)
		step := func(state string, steps ...chromedp.Action[chromedp.Void]) string {
			t.Helper()
			ctx, cancel := context.WithTimeout(tab, time.Minute)
			defer cancel()
			if err := chromedp.Do(ctx, append(steps, chromedp.WaitVisible(css("main")))...); err != nil {
				where, _ := chromedp.Run(tab, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
				t.Fatalf("%s, %s: %v; the page is %s", tc.name, state, err, where)
			}
			axetest.Check(t, tab, tc.name+", "+state)
			text, err := chromedp.Run(tab, chromedp.Text(css("body")))
			if err != nil {
				t.Fatal(err)
			}
			if tc.lang == "fr" {
				checkFrench(t, state, text)
			}
			return text
		}
		wants := func(state, text string, wants ...string) {
			t.Helper()
			for _, w := range wants {
				if !strings.Contains(text, w) {
					t.Errorf("%s, %s: %q is not on the page:\n%s", tc.name, state, w, text)
				}
			}
		}
		if err := chromedp.Do(tab, tc.screen); err != nil {
			t.Fatal(err)
		}
		step("sign-in", chromedp.Navigate(base+"?lang="+tc.lang))
		step("code", chromedp.SendKeys(css("#account_number"), acct.Number), chromedp.SetValue(css("#date_of_birth"), "1985-06-15"),
			chromedp.Click(css(`form[action$="/signin"] button[type="submit"]`)), chromedp.WaitVisible(css("#code")))
		step("overview", chromedp.SendKeys(css("#code"), "222222"), chromedp.Click(css(`form[action$="/code"] button[type="submit"]`)),
			chromedp.WaitVisible(css("#balance")))

		text := step("automatic payments", chromedp.Click(css(`nav a[href$="/autopay"]`)), chromedp.WaitVisible(css("#enrol")))
		wants("the agreement", text, tc.agreement...)

		// Past the browser's own checks, as a script-less browser would send
		// it: the server refuses it, saying which fields to fix.
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector("#enrol").form.noValidate = true`)); err != nil {
			t.Fatal(err)
		}
		wants("refused", step("refused", chromedp.Click(css("#enrol")), chromedp.WaitVisible(css(`[role="alert"]`))), tc.refused)

		fill := []chromedp.Action[chromedp.Void]{chromedp.Click(css(`input[name="choice"][value="` + tc.choice + `"]`))}
		if tc.amount != "" {
			fill = append(fill, chromedp.SendKeys(css("#fixed_amount"), tc.amount))
		}
		fill = append(fill, chromedp.SendKeys(css("#holder_name"), "Élise Client"), chromedp.SendKeys(css("#institution"), "004"),
			chromedp.SendKeys(css("#transit"), "12345"), chromedp.SendKeys(css("#bank_account"), "1234567"),
			chromedp.Click(css("#accepted")), chromedp.Click(css("#enrol")), chromedp.WaitVisible(css("#autopay-on")))
		text = step("enrolled", fill...)
		a, err := data.ActiveAgreement(context.Background(), acct.Number)
		if err != nil || a == nil {
			t.Fatalf("%s: no active agreement after enrolling: %v", tc.name, err)
		}
		wants("enrolled", text, tc.chosen, "004-12345-•••567", a.FirstDebitOn)
		if a.Choice != pad.Choice(tc.choice) || a.Language != tc.lang || (tc.amount != "" && a.FixedAmount != 75_00) {
			t.Errorf("%s: agreement = %s %d in %s", tc.name, a.Choice, a.FixedAmount, a.Language)
		}

		// The written confirmation, as the customer received it (TRAINING
		// keeps it instead of sending it).
		text = step("written confirmation", chromedp.Click(css("#confirmation summary")), chromedp.WaitVisible(css("#confirmation pre")))
		wants("written confirmation", text, append(tc.confirm, "e•••@example.com", a.FirstDebitOn)...)

		step("cancelled", chromedp.Click(css("#cancel-autopay")), chromedp.WaitVisible(css("#enrol")))
		if a, err := data.ActiveAgreement(context.Background(), acct.Number); err != nil || a != nil {
			t.Errorf("%s: agreement after cancelling = %+v, %v; want none", tc.name, a, err)
		}

		step("merchants", chromedp.Click(css(`nav a[href$="/merchants"]`)), chromedp.WaitVisible(css(`main form button`)))
		step("merchant revoked", chromedp.Click(css(`main form button`)), chromedp.WaitVisible(css("#no-merchants")))
		step("signed out", chromedp.Click(css(`nav form button`)), chromedp.WaitVisible(css("#account_number")))
	}
}
