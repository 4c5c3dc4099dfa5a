package checkout_test

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/storetest"
)

// TestBrowserCheckoutShopper covers what the shopper meets beyond the happy
// path, in headless Chromium: the language holds through the checkout, the
// form's errors are in shopper wording and take the focus, the apply form
// can be completed with the keyboard alone, and axe-core finds nothing in
// any page state. Pages, not storage: one engine is enough.
func TestBrowserCheckoutShopper(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	root := os.Getenv("OPENFLEX_SCREENSHOT_DIR")
	if root == "" {
		root = t.TempDir()
	}
	w := startWorld(t, storetest.Engines(t)[0])
	tab := func(t *testing.T, vp viewport) *tab { return newTab(t, browser, root, vp, w.keys.ClientSecret) }
	t.Run("LanguageSticks", func(t *testing.T) { languageSticks(t, w, tab(t, phone)) })
	t.Run("KeyboardOnly", func(t *testing.T) { keyboardOnly(t, w, tab(t, desktop)) })
	t.Run("SignInStates", func(t *testing.T) { signInStates(t, w, tab(t, phone)) })
}

// hostedCheckout opens a checkout through the API (the merchant chooses no
// language unless extra says so) and returns its page.
func hostedCheckout(t *testing.T, w *world, extra string) string {
	t.Helper()
	status, c := w.call(t, "POST", "/v1/checkouts", fmt.Sprintf(`{"amount":129999,"currency":"CAD","store_id":%q,"reference":"a11y",
		"items":[{"sku":"TBL-1","description":"Oak dining table","quantity":1,"unit_price":129999}],
		"success_url":%q,"cancel_url":%q%s}`, w.p.Stores[0].ID, w.shopURL+"/thanks", w.shopURL+"/cart", extra))
	if status != 201 {
		t.Fatalf("create checkout: %d %v", status, c)
	}
	return c["url"].(string)
}

func (tb *tab) eval(js string) string {
	tb.t.Helper()
	return runIn(tb.t, tb.ctx, chromedp.Evaluate[string](js))
}

func (tb *tab) audit(state string) {
	tb.t.Helper()
	axetest.Check(tb.t, tb.ctx, state)
}

// languageSticks: a French start page leads to a French form, whose errors
// come back in French, in shopper wording; the toggle switches the page
// it is on and the choice holds from then on.
func languageSticks(t *testing.T, w *world, tb *tab) {
	hosted := hostedCheckout(t, w, "")
	tb.do(chromedp.Navigate(hosted), chromedp.WaitVisible(chromedp.ID("choose-apply")))
	if got := tb.text("#page-title"); got != "How would you like to continue?" {
		t.Fatalf("an en-CA browser and a silent merchant: %q", got)
	}
	if items := tb.text(".items"); !strings.Contains(items, "Oak dining table") {
		t.Fatalf("the order shows %q, not the merchant's line items", items)
	}
	tb.audit("start (en)")
	tb.do(chromedp.Click(chromedp.CSS("a.lang")), chromedp.WaitVisible(chromedp.ID("choose-apply")))
	if got := tb.text("#page-title"); got != "Comment voulez-vous continuer?" {
		t.Fatalf("after the toggle: %q", got)
	}
	tb.audit("start (fr)")
	tb.do(chromedp.Click(chromedp.ID("choose-apply")), chromedp.WaitVisible(chromedp.ID("submit-apply")))
	if got := tb.text("#page-title"); got != "Demander un financement" {
		t.Fatalf("the French start page opened the form in another language: %q", got)
	}
	tb.audit("apply (fr)")
	tb.do(chromedp.Click(chromedp.ID("submit-apply")), chromedp.WaitVisible(chromedp.ID("error-summary")))
	if got := tb.text("#first_name-error"); got != "Entrez votre prénom." {
		t.Fatalf("French form error: %q", got)
	}
	if title := tb.eval(`document.title`); !strings.HasPrefix(title, "Erreur : Demander un financement") {
		t.Fatalf("French error title %q", title)
	}
	tb.shot("demande-erreurs")
	tb.audit("apply errors (fr)")
	// The toggle on the failed form goes to the English form, and stays.
	tb.do(chromedp.Click(chromedp.CSS("a.lang")), chromedp.WaitVisible(chromedp.ID("submit-apply")))
	if got := tb.text("#page-title"); got != "Apply for financing" {
		t.Fatalf("toggle from the French form: %q", got)
	}
	tb.do(chromedp.Click(chromedp.ID("submit-apply")), chromedp.WaitVisible(chromedp.ID("error-summary")))
	summary := tb.text("#error-summary")
	for _, want := range []string{"Enter your first name.", "To apply, agree to the credit check.", "Choose your employment."} {
		if !strings.Contains(summary, want) {
			t.Errorf("English error summary lacks %q:\n%s", want, summary)
		}
	}
	if regexp.MustCompile(`applicant\.|consent\.|is required|must be`).MatchString(summary) {
		t.Errorf("the summary speaks API:\n%s", summary)
	}
	tb.audit("apply errors (en)")
}

// keyboardOnly completes the apply form with Tab, typing, Space and
// Enter, checking the focus ring of the checkboxes and that a failed
// submit moves the focus to the error summary.
func keyboardOnly(t *testing.T, w *world, tb *tab) {
	hosted := hostedCheckout(t, w, `,"language":"en"`)
	tb.do(chromedp.Navigate(hosted+"/apply"), chromedp.WaitVisible(chromedp.ID("submit-apply")))
	tabTo := func(id string) {
		t.Helper()
		for range 60 {
			tb.do(chromedp.KeyEvent(kb.Tab))
			if tb.eval(`document.activeElement ? document.activeElement.id : ""`) == id {
				return
			}
		}
		t.Fatalf("Tab never reaches #%s", id)
	}
	typeInto := func(id, text string) {
		t.Helper()
		tabTo(id)
		tb.do(chromedp.KeyEvent(text))
	}
	// An empty submit first: the focus goes to what needs fixing.
	tabTo("submit-apply")
	tb.do(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("error-summary")))
	if got := tb.eval(`document.activeElement.id`); got != "error-summary" {
		t.Fatalf("after a failed submit the focus is on %q, not the error summary", got)
	}
	tb.audit("apply errors, keyboard")

	who := newPerson()
	typeInto("first_name", who.first)
	typeInto("last_name", who.last)
	typeInto("middle_name", "A-RR_L")
	tabTo("date_of_birth")
	// Chromium's date field takes its parts in the locale's order, each
	// moving on to the next once full.
	order := tb.eval(`new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2000, 0, 2)).filter(p => p.type !== "literal").map(p => p.type).join(",")`)
	for _, part := range strings.Split(order, ",") {
		tb.do(chromedp.KeyEvent(map[string]string{"year": "1990", "month": "05", "day": "05"}[part]))
	}
	if got := tb.eval(`document.getElementById("date_of_birth").value`); got != "1990-05-05" {
		t.Fatalf("date typed in the order %s reads %q", order, got)
	}
	typeInto("phone", "416-555-0142")
	typeInto("email", who.email)
	typeInto("line1", "100 King St W")
	typeInto("city", "Toronto")
	typeInto("province", "ON")
	typeInto("postal_code", "M5H 2N2")
	typeInto("annual_income", "72000")
	typeInto("employment_status", "Employed")
	typeInto("housing_status", "Rent")
	typeInto("monthly_housing_cost", "1650")
	for _, id := range []string{"consent_credit_check", "consent_terms_accepted"} {
		tabTo(id)
		checkFocusRing(t, tb, id)
		tb.do(chromedp.KeyEvent(" "))
	}
	for id, want := range map[string]string{"province": "ON", "employment_status": "employed", "housing_status": "rent",
		"consent_credit_check": "true", "consent_terms_accepted": "true"} {
		js := fmt.Sprintf(`String(document.getElementById(%q).value)`, id)
		if strings.HasPrefix(id, "consent") {
			js = fmt.Sprintf(`String(document.getElementById(%q).checked)`, id)
		}
		if got := tb.eval(js); got != want {
			t.Fatalf("#%s by keyboard = %q, want %q", id, got, want)
		}
	}
	tb.shot("apply-keyboard")
	tabTo("submit-apply")
	tb.do(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("credit-limit")))
	if got := tb.text("#page-title"); got != "You're approved!" {
		t.Fatalf("keyboard application: %q", got)
	}
	tb.audit("approved")
	tabTo("to-plans")
	tb.do(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("choose-plan")))
	tabTo("option-0")
	checkFocusRing(t, tb, "option-0")
	tb.audit("plans")
	tb.do(chromedp.KeyEvent(" "))
	tabTo("choose-plan")
	tb.do(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("confirm")))
	tb.audit("confirm")
}

// checkFocusRing checks the focused element's outline is solid, at least
// 2px, and 3:1 or more against the white card (WCAG 2.2 non-text contrast).
func checkFocusRing(t *testing.T, tb *tab, id string) {
	t.Helper()
	style := tb.eval(fmt.Sprintf(`(() => { const s = getComputedStyle(document.getElementById(%q));
		return [s.outlineStyle, s.outlineWidth, s.outlineColor].join("|") })()`, id))
	parts := strings.Split(style, "|")
	width, _ := strconv.ParseFloat(strings.TrimSuffix(parts[1], "px"), 64)
	if parts[0] != "solid" || width < 2 {
		t.Fatalf("#%s focus outline %q: want solid, 2px or more", id, style)
	}
	if c := contrastOnWhite(t, parts[2]); c < 3 {
		t.Fatalf("#%s focus outline %s: contrast %.2f:1 on white, want 3:1", id, parts[2], c)
	}
}

var rgbRE = regexp.MustCompile(`^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$`)

// contrastOnWhite is the WCAG contrast ratio of a CSS rgb()/rgba() color
// over white.
func contrastOnWhite(t *testing.T, color string) float64 {
	t.Helper()
	m := rgbRE.FindStringSubmatch(color)
	if m == nil {
		t.Fatalf("color %q", color)
	}
	alpha := 1.0
	if m[4] != "" {
		alpha, _ = strconv.ParseFloat(m[4], 64)
	}
	lum := 0.0
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseFloat(m[i+1], 64)
		v = (v*alpha + 255*(1-alpha)) / 255 // over white
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		lum += weight * v
	}
	return 1.05 / (lum + 0.05)
}

// signInStates audits the sign-in pages: the form, a miss, the code page
// and a wrong code.
func signInStates(t *testing.T, w *world, tb *tab) {
	hosted := hostedCheckout(t, w, "")
	tb.do(chromedp.Navigate(hosted+"/signin"), chromedp.WaitVisible(chromedp.ID("send-code")))
	tb.audit("sign-in")
	tb.do(chromedp.SendKeys(chromedp.ID("account_number"), "00000000000000"), chromedp.Click(chromedp.ID("send-code")),
		chromedp.WaitVisible(chromedp.ID("error-summary")))
	if got := tb.eval(`document.activeElement.id`); got != "error-summary" {
		t.Fatalf("after a failed sign-in the focus is on %q", got)
	}
	tb.audit("sign-in miss")
	tb.do(chromedp.Click(chromedp.CSS("form.cancel button")))
	// The poll is cut by the navigation it waits for: poll again until the
	// shop's cart is there, within the tab's deadline.
	for {
		_, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](fmt.Sprintf(`location.href.startsWith(%q)`, w.shopURL+"/cart"),
			chromedp.WithPollingTimeout(0)))
		if err == nil {
			break
		}
		if tb.ctx.Err() != nil {
			t.Fatalf("cancel did not return to the shop: %v", err)
		}
	}
	tb.do(chromedp.Navigate(hosted), chromedp.WaitVisible(chromedp.ID("page-title")))
	tb.audit("closed")
}
