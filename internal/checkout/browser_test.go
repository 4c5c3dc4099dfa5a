package checkout_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/examples/shop/storefront"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// TestBrowserCheckout runs the online checkout end to end in headless
// Chromium: the example shop (examples/shop) on one site, OpenFlex on
// another, the drop-in in between, as a shopper would use them.
//
// The API listens on 127.0.0.1 and the shop on localhost: different
// origins, and different sites too, as in production, so the modal's
// frame is a cross-site frame with everything that implies (CORS for the
// promo, frame-ancestors, postMessage between origins).
func TestBrowserCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	root := os.Getenv("OPENFLEX_SCREENSHOT_DIR")
	if root == "" {
		root = t.TempDir()
	}
	var screens map[string]string // for docs/images
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := startWorld(t, e)
		tab := func(t *testing.T, vp viewport) *tab { return newTab(t, browser, root, vp, w.keys.ClientSecret) }
		shots := map[string]string{}
		t.Run("ModalApply", func(t *testing.T) { modalApply(t, w, tab(t, desktop), shots) })
		t.Run("RedirectExistingAccount", func(t *testing.T) { redirectExistingAccount(t, w, tab(t, phone), shots) })
		t.Run("RedirectCancel", func(t *testing.T) { redirectCancel(t, w, tab(t, phone), shots) })
		t.Run("ModalCancel", func(t *testing.T) { modalCancel(t, w, tab(t, desktop)) })
		t.Run("French", func(t *testing.T) { french(t, w, tab(t, phone)) })
		t.Run("FrenchDecimalComma", func(t *testing.T) { frenchDecimalComma(t, w, tab(t, phone)) })
		t.Run("UntrustedOrigin", func(t *testing.T) { untrustedOrigin(t, w, tab(t, desktop)) })
		if screens == nil && !t.Failed() {
			screens = shots
		}
	})
	if os.Getenv("OPENFLEX_UPDATE_SCREENSHOTS") == "1" && screens != nil && !t.Failed() {
		dir := filepath.Join("..", "..", "docs", "images")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, src := range screens {
			savePNG(t, src, filepath.Join(dir, name), 300<<10)
		}
	}
}

// world is a platform, the shop on its own site, and the shop's keys.
type world struct {
	p       *apptest.Platform
	keys    apptest.Keys
	shop    *storefront.Shop
	shopURL string // http://localhost:PORT
	twelve  string // the 12-month plan's option value, "plan_…:12"
}

func startWorld(t *testing.T, e storetest.Engine) *world {
	t.Helper()
	p := apptest.Start(t, e)
	ts := httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	shopURL := "http://localhost:" + port
	keys := p.NewKeys(t, p.Merchant.ID, openflex.Training, shopURL)
	shop, err := storefront.New(storefront.Config{OpenFlexURL: p.URL, ClientID: keys.ClientID, ClientSecret: keys.ClientSecret,
		StoreID: p.Stores[0].ID, PublicURL: shopURL, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = shop
	ts.Start()
	t.Cleanup(ts.Close)
	w := &world{p: p, keys: keys, shop: shop, shopURL: shopURL}
	for _, pl := range p.Plans {
		if strings.HasPrefix(pl.Name, "12 months") {
			w.twelve = pl.ID + ":12"
		}
	}
	if w.twelve == "" {
		t.Fatal("the platform has no 12-month plan")
	}
	return w
}

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// call is the merchant API with the shop's keys; it returns the status and
// the decoded body.
func (w *world) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, w.p.URL+path, strings.NewReader(body))
	req.SetBasicAuth(w.keys.ClientID, w.keys.ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return res.StatusCode, out
}

func (w *world) get(t *testing.T, path string) map[string]any {
	t.Helper()
	status, out := w.call(t, "GET", path, "")
	if status != 200 {
		t.Fatalf("GET %s: %d %v", path, status, out)
	}
	return out
}

// person is a TRAINING applicant whose middle name makes the simulated
// bureau approve. Names are new on every run.
type person struct{ first, last, email string }

var (
	firstNames = []string{"Avery", "Maya", "Noah", "Chloe", "Liam", "Zoe", "Ethan", "Leah", "Owen", "Nora", "Felix", "Alice"}
	lastNames  = []string{"Tremblay", "Gagnon", "Roy", "Cote", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Smith", "Wong", "Singh", "Martin", "Campbell"}
)

var used = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

func newPerson() person {
	used.Lock()
	defer used.Unlock()
	for {
		f := firstNames[rand.IntN(len(firstNames))]
		a, b := rand.IntN(len(lastNames)), rand.IntN(len(lastNames)-1)
		if b >= a {
			b++
		}
		l := lastNames[a] + "-" + lastNames[b]
		if !used.names[f+" "+l] {
			used.names[f+" "+l] = true
			return person{f, l, strings.ToLower(f+"."+strings.ReplaceAll(l, "-", "")) + "@example.com"}
		}
	}
}

// authorizedOrder checks, through the API, that checkout id completed with
// a pending 12-month authorization for the shop's product.
func (w *world) authorizedOrder(t *testing.T, id string) (authID string) {
	t.Helper()
	c := w.get(t, "/v1/checkouts/"+id)
	authID, _ = c["authorization_id"].(string)
	if c["status"] != "completed" || authID == "" || c["account_number"] == nil {
		t.Fatalf("checkout after confirming: %v", c)
	}
	a := w.get(t, "/v1/authorizations/"+authID)
	fin, _ := a["financing"].(map[string]any)
	if a["status"] != "pending" || a["amount"] != float64(storefront.Table.Price) || a["channel"] != "online" ||
		fin == nil || fin["term_months"] != float64(12) || a["reference"] != c["reference"] {
		t.Fatalf("authorization %v", a)
	}
	return authID
}

var promoRE = regexp.MustCompile(`^As low as \$[0-9,]+\.[0-9]{2}/month with OpenFlex$`)

// openProduct loads the shop's product page and waits for the promo.
func openProduct(t *testing.T, w *world, tb *tab, query, wantPromo string) string {
	t.Helper()
	tb.do(chromedp.Navigate(w.shopURL + "/" + query))
	promo, err := chromedp.Run(tb.ctx, chromedp.Poll[string](`document.getElementById("promo").textContent`, chromedp.WithPollingTimeout(0)))
	if err != nil {
		t.Fatalf("no promo on the product page (CORS of /v1/public/promotions?): %v", err)
	}
	if !regexp.MustCompile(wantPromo).MatchString(promo) {
		t.Fatalf("promo = %q, want %s", promo, wantPromo)
	}
	return promo
}

// apply fills in the application form of the hosted checkout.
func apply(t *testing.T, s surface, who person, income, housing string) {
	t.Helper()
	s.do(chromedp.WaitVisible(chromedp.ID("submit-apply")),
		chromedp.SendKeys(chromedp.ID("first_name"), who.first),
		chromedp.SendKeys(chromedp.ID("last_name"), who.last),
		chromedp.SendKeys(chromedp.ID("middle_name"), "A-RR_L"),
		chromedp.SetValue(chromedp.ID("date_of_birth"), "1990-05-05"),
		chromedp.SendKeys(chromedp.ID("phone"), "416-555-0142"),
		chromedp.SendKeys(chromedp.ID("email"), who.email),
		chromedp.SendKeys(chromedp.ID("line1"), "100 King St W"),
		chromedp.SendKeys(chromedp.ID("city"), "Toronto"),
		chromedp.SetValue(chromedp.ID("province"), "ON"),
		chromedp.SendKeys(chromedp.ID("postal_code"), "M5H 2N2"),
		chromedp.SendKeys(chromedp.ID("annual_income"), income),
		chromedp.SetValue(chromedp.ID("employment_status"), "employed"),
		chromedp.SetValue(chromedp.ID("housing_status"), "rent"),
		chromedp.SendKeys(chromedp.ID("monthly_housing_cost"), housing),
		chromedp.Click(chromedp.ID("consent_credit_check")),
		chromedp.Click(chromedp.ID("consent_terms_accepted")),
	)
}

// choosePlanAndConfirm takes the 12-month plan and confirms the purchase;
// it returns the screenshots of the plans and of the confirmation.
func choosePlanAndConfirm(t *testing.T, w *world, s surface, tb *tab) (plans, confirm string) {
	t.Helper()
	s.do(chromedp.WaitVisible(chromedp.ID("choose-plan")))
	plans = tb.shot("plans")
	s.do(chromedp.Click(chromedp.CSS(`input[name=option][value="`+w.twelve+`"]`)), chromedp.Click(chromedp.ID("choose-plan")),
		chromedp.WaitVisible(chromedp.ID("confirm")))
	if plan := s.text("#chosen-plan"); !strings.HasPrefix(plan, "12 months") && !strings.HasPrefix(plan, "12 mois") {
		t.Fatalf("chosen plan = %q", plan)
	}
	confirm = tb.shot("confirm")
	s.do(chromedp.Click(chromedp.ID("confirm")))
	return plans, confirm
}

// thanks waits for the shop's thank-you page and checks it against the API.
func thanks(t *testing.T, w *world, tb *tab) (checkoutID, authID string) {
	t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.ID("thanks")))
	loc, _ := tb.page()
	m := regexp.MustCompile(`^` + regexp.QuoteMeta(w.shopURL) + `/thanks\?checkout_id=(chk_\w+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("thank-you page at %s", loc)
	}
	authID = w.authorizedOrder(t, m[1])
	if shown := tb.text("#authorization-id"); shown != authID {
		t.Fatalf("the shop shows authorization %q, the API %q", shown, authID)
	}
	return m[1], authID
}

// (a) promo, (b) modal checkout with a new application, then shipping.
func modalApply(t *testing.T, w *world, tb *tab, shots map[string]string) {
	openProduct(t, w, tb, "", promoRE.String())
	shots["product-promo.png"] = tb.shot("product-promo")

	tb.do(chromedp.Click(chromedp.ID("pay-openflex")))
	f := tb.frame()
	if !strings.HasPrefix(f.url, w.p.URL+"/checkout/") || !strings.Contains(f.url, "mode=modal") {
		t.Fatalf("the modal shows %s", f.url)
	}
	f.do(chromedp.WaitVisible(chromedp.ID("choose-apply")))
	if got := f.text("#page-title"); got != "How would you like to continue?" {
		t.Fatalf("first page of the checkout: %q", got)
	}
	if total := f.text(".amount strong"); total != "$1,299.99" {
		t.Fatalf("the checkout shows a total of %q", total)
	}
	shots["modal.png"] = tb.shot("modal")

	f.do(chromedp.Click(chromedp.ID("choose-apply")))
	apply(t, f, newPerson(), "72000", "1650")
	tb.shot("modal-apply-filled")
	f.do(chromedp.Click(chromedp.ID("submit-apply")), chromedp.WaitVisible(chromedp.ID("credit-limit")))
	if got := f.text("#page-title"); got != "You're approved!" {
		t.Fatalf("decision page: %q", got)
	}
	tb.shot("modal-approved")
	f.do(chromedp.Click(chromedp.ID("to-plans")))
	shots["plans.png"], _ = choosePlanAndConfirm(t, w, f, tb)

	// The frame tells the shop's page (postMessage), which closes the
	// modal and goes to its thank-you page.
	checkoutID, authID := thanks(t, w, tb)
	shots["thanks.png"] = tb.shot("thanks")

	// Ship from the back office: OpenFlex captures the authorization.
	order := ""
	for _, o := range w.shop.Orders() {
		if o.CheckoutID == checkoutID {
			order = o.ID
		}
	}
	tb.do(chromedp.Navigate(w.shopURL+"/orders"), chromedp.Click(chromedp.ID("ship-"+order)),
		chromedp.WaitVisible(chromedp.CSS(`tr[id="order-`+order+`"][data-status="shipped"]`)))
	tb.shot("orders-shipped")
	if a := w.get(t, "/v1/authorizations/"+authID); a["status"] != "captured" || a["captured_amount"] != float64(storefront.Table.Price) {
		t.Fatalf("authorization after shipping: %v", a)
	}
}

// (c) an existing customer signs in with the account number and a code,
// in redirect mode on a phone.
func redirectExistingAccount(t *testing.T, w *world, tb *tab, shots map[string]string) {
	who := newPerson()
	status, app := w.call(t, "POST", "/v1/applications", fmt.Sprintf(`{"store_id":%q,"applicant":{"first_name":%q,"middle_name":"A-RR_L",
		"last_name":%q,"date_of_birth":"1985-03-14","email":%q,"phone":"416-555-0177",
		"address":{"line1":"1 Bay St","city":"Toronto","province":"ON","postal_code":"M5J 2T3"},"annual_income":9000000,
		"employment_status":"employed","housing_status":"own","monthly_housing_cost":200000},"consent":{"credit_check":true,"terms_accepted":true}}`,
		w.p.Stores[0].ID, who.first, who.last, who.email))
	acct, _ := app["account"].(map[string]any)
	if status != 201 || app["status"] != "approved" || acct == nil {
		t.Fatalf("application: %d %v", status, app)
	}
	number := acct["account_number"].(string)

	openProduct(t, w, tb, "?mode=redirect", promoRE.String())
	tb.shot("product")
	tb.do(chromedp.Click(chromedp.ID("pay-openflex")), chromedp.WaitVisible(chromedp.ID("choose-signin")))
	if loc, _ := tb.page(); !strings.HasPrefix(loc, w.p.URL+"/checkout/") {
		t.Fatalf("redirect mode went to %s", loc)
	}
	tb.shot("choose")
	tb.do(chromedp.Click(chromedp.ID("choose-signin")), chromedp.WaitVisible(chromedp.ID("send-code")),
		chromedp.SendKeys(chromedp.ID("account_number"), number))
	tb.shot("signin")
	tb.do(chromedp.Click(chromedp.ID("send-code")), chromedp.WaitVisible(chromedp.ID("verify-code")))
	if sent := tb.text(".lead strong"); !strings.HasSuffix(sent, "0177") || strings.Contains(sent, "555") {
		t.Fatalf("the code page says it went to %q", sent)
	}
	tb.do(chromedp.SendKeys(chromedp.ID("code"), "222222")) // TRAINING's code
	tb.shot("code")
	tb.do(chromedp.Click(chromedp.ID("verify-code")))
	_, shots["confirm-phone.png"] = choosePlanAndConfirm(t, w, tb, tb)
	checkoutID, _ := thanks(t, w, tb)
	tb.shot("thanks")
	if c := w.get(t, "/v1/checkouts/"+checkoutID); c["account_number"] != number || c["application_id"] != nil {
		t.Fatalf("checkout of an existing account: %v", c)
	}
}

// (d) cancel in redirect mode: back on the shop's cart.
func redirectCancel(t *testing.T, w *world, tb *tab, shots map[string]string) {
	openProduct(t, w, tb, "?mode=redirect", promoRE.String())
	tb.do(chromedp.Click(chromedp.ID("pay-openflex")), chromedp.WaitVisible(chromedp.ID("choose-apply")),
		chromedp.Click(chromedp.ID("choose-apply")), chromedp.WaitVisible(chromedp.ID("submit-apply")))
	shots["apply-phone.png"] = tb.shot("apply-empty")
	apply(t, tb, newPerson(), "72000", "1650")
	tb.shot("apply-filled")
	tb.do(chromedp.Click(chromedp.CSS("form.cancel button")), chromedp.WaitVisible(chromedp.ID("cart-notice")))
	cancelled(t, w, tb)
	tb.shot("cart")
}

// cancelled checks the tab is on the shop's cart after a cancelled checkout.
func cancelled(t *testing.T, w *world, tb *tab) {
	t.Helper()
	loc, _ := tb.page()
	m := regexp.MustCompile(`^` + regexp.QuoteMeta(w.shopURL) + `/cart\?checkout_id=(chk_\w+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after cancelling: %s", loc)
	}
	if c := w.get(t, "/v1/checkouts/"+m[1]); c["status"] != "cancelled" || c["authorization_id"] != nil {
		t.Fatalf("checkout after cancelling: %v", c)
	}
}

// (d) cancel in the modal: the drop-in calls onCancel.
func modalCancel(t *testing.T, w *world, tb *tab) {
	openProduct(t, w, tb, "", promoRE.String())
	tb.do(chromedp.Click(chromedp.ID("pay-openflex")))
	f := tb.frame()
	f.do(chromedp.WaitVisible(chromedp.ID("choose-signin")), chromedp.Click(chromedp.CSS("form.cancel button")))
	tb.do(chromedp.WaitVisible(chromedp.ID("cart-notice")))
	cancelled(t, w, tb)
	tb.shot("cart")
}

// (e) French: the shop in French opens a French checkout (modal, phone).
func french(t *testing.T, w *world, tb *tab) {
	openProduct(t, w, tb, "?lang=fr", `^À partir de [0-9\x{a0}]+,[0-9]{2}\x{a0}\$/mois avec OpenFlex$`)
	tb.shot("produit")
	tb.do(chromedp.Click(chromedp.ID("pay-openflex")))
	f := tb.frame()
	f.do(chromedp.WaitVisible(chromedp.ID("choose-apply")))
	if got := f.text("#page-title"); got != "Comment voulez-vous continuer?" {
		t.Fatalf("French checkout: %q", got)
	}
	if total := f.text(".amount strong"); total != "1\u00a0299,99\u00a0$" {
		t.Fatalf("French total %q", total)
	}
	tb.shot("choix")
	f.do(chromedp.Click(chromedp.ID("choose-apply")))
	apply(t, f, newPerson(), "72000", "1650")
	tb.shot("demande")
	f.do(chromedp.Click(chromedp.ID("submit-apply")), chromedp.WaitVisible(chromedp.ID("credit-limit")))
	if got := f.text("#page-title"); got != "Vous êtes approuvé!" {
		t.Fatalf("French decision: %q", got)
	}
	f.do(chromedp.Click(chromedp.ID("to-plans")), chromedp.WaitVisible(chromedp.ID("choose-plan")))
	// Plan names in the shopper's language: the demo plans have French names.
	if facts := f.text(".options"); !strings.Contains(facts, "TAC") || !strings.Contains(facts, "12 mois, versements égaux, 0 %") ||
		strings.Contains(facts, "12 months") {
		t.Fatalf("French plans: %q", facts)
	}
	choosePlanAndConfirm(t, w, f, tb)
	tb.do(chromedp.WaitVisible(chromedp.ID("thanks")))
	if got := tb.text("#thanks"); got != "Merci de votre commande!" {
		t.Fatalf("French thank-you page: %q", got)
	}
	thanks(t, w, tb)
	tb.shot("merci")
}

// A French shopper types amounts the French way, as the form's own hint
// suggests ("comme 72000 ou 1650,50"), in a browser whose locale is
// English (as most are, in Canada).
func frenchDecimalComma(t *testing.T, w *world, tb *tab) {
	openProduct(t, w, tb, "?lang=fr&mode=redirect", `^À partir de`)
	tb.do(chromedp.Click(chromedp.ID("pay-openflex")), chromedp.WaitVisible(chromedp.ID("choose-apply")),
		chromedp.Click(chromedp.ID("choose-apply")))
	apply(t, tb, newPerson(), "72000", "1650,50")
	got := runIn(t, tb.ctx, chromedp.Value(chromedp.ID("monthly_housing_cost")))
	tb.shot("demande")
	if got == "165050" {
		t.Fatal(`the amount field dropped the decimal comma of "1650,50": the form would send $165,050.00 a month`)
	}
	if got != "1650,50" && got != "1650.50" {
		t.Fatalf("monthly housing cost field holds %q after typing 1650,50", got)
	}
	tb.do(chromedp.Click(chromedp.ID("submit-apply")), chromedp.WaitVisible(chromedp.ID("credit-limit")))
}

// (f) an untrusted success URL is refused at creation; a page on an
// untrusted origin gets no promo and cannot frame the checkout.
func untrustedOrigin(t *testing.T, w *world, tb *tab) {
	status, out := w.call(t, "POST", "/v1/checkouts", fmt.Sprintf(`{"amount":129999,"currency":"CAD","store_id":%q,
		"success_url":"https://evil.example/thanks","cancel_url":%q}`, w.p.Stores[0].ID, w.shopURL+"/cart"))
	e, _ := out["error"].(map[string]any)
	if status != 400 || e["code"] != "url_not_trusted" || e["param"] != "success_url" {
		t.Fatalf("untrusted success_url: %d %v", status, out)
	}
	status, out = w.call(t, "POST", "/v1/checkouts", fmt.Sprintf(`{"amount":129999,"currency":"CAD","store_id":%q,
		"success_url":%q,"cancel_url":"http://localhost:1/cart"}`, w.p.Stores[0].ID, w.shopURL+"/thanks"))
	if e, _ := out["error"].(map[string]any); status != 400 || e["code"] != "url_not_trusted" || e["param"] != "cancel_url" {
		t.Fatalf("untrusted cancel_url (another port): %d %v", status, out)
	}

	// A page on another origin, say a copy of the shop: the API answers
	// its promo request without CORS, and the checkout refuses its frame.
	_, open := w.call(t, "POST", "/v1/checkouts", fmt.Sprintf(`{"amount":129999,"currency":"CAD","store_id":%q,
		"success_url":%q,"cancel_url":%q}`, w.p.Stores[0].ID, w.shopURL+"/thanks", w.shopURL+"/cart"))
	hosted, _ := open["url"].(string)
	evil := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(rw, `<!doctype html><html lang="en"><body><p id="promo">no promo</p>
<script src="%s/js/v1/openflex.js"></script>
<script>
OpenFlex.promo(document.getElementById("promo"), {clientId: %q, amount: 129999})
  .then(function (b) { document.body.setAttribute("data-promo", b ? "answered" : "refused"); });
</script></body></html>`, w.p.URL, w.keys.ClientID)
	}))
	defer evil.Close()
	_, port, _ := net.SplitHostPort(evil.Listener.Addr().String())
	tb.expectRefusals = true
	tb.do(chromedp.Navigate("http://localhost:"+port+"/"), chromedp.WaitVisible(chromedp.CSS("body[data-promo]")))
	if got := runIn(t, tb.ctx, chromedp.AttributeValue(chromedp.CSS("body"), "data-promo")).Value; got != "refused" || tb.text("#promo") != "no promo" {
		t.Fatalf("promo on an untrusted origin: %s, %q", got, tb.text("#promo"))
	}
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`OpenFlex.checkout({url: %q, mode: "modal"}), undefined`, hosted)))
	f := tb.frame()
	for !tb.sawConsole("frame-ancestors") {
		select {
		case <-tb.ctx.Done():
			t.Fatalf("the checkout did not refuse its frame on an untrusted origin: %v", tb.ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if shown := runIn(t, f.ctx, chromedp.Evaluate[bool](`document.getElementById("page-title") !== null`)); shown {
		t.Fatal("the checkout shows in a frame on an untrusted origin")
	}
	tb.shot("untrusted-frame")
}
