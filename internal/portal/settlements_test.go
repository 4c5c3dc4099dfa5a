package portal_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/axetest"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

var settlementLinkRE = regexp.MustCompile(`href="/portal/settlements/training/(stl_[0-9a-z]{26})/lines.csv"`)

// settlementHarness is a portal with the Settlements page, and the services
// to make a merchant's history on its clock.
func settlementHarness(t *testing.T, e storetest.Engine) (*webtest.Harness, map[openflex.Environment]*settlement.Service) {
	t.Helper()
	h := webtest.New(t, e, func(c *webtest.Config) { c.Settlements = true })
	return h, h.Settlements
}

// history sells at the merchant's first store on the 12 days before today
// (noon, Toronto), returns part of some sales, leaves a day negative,
// cuts after each day, and pays all but the last settlement. It returns
// the total of the unpaid settlements.
func history(t *testing.T, h *webtest.Harness, svc *settlement.Service, merchantID string) (pending int64) {
	t.Helper()
	ctx := context.Background()
	db := h.Stores.Data(openflex.Training)
	stores, _, err := h.Stores.Control.Stores(ctx, merchantID, openflex.ListParams{Limit: 10})
	if err != nil || len(stores) == 0 {
		t.Fatalf("stores: %v", err)
	}
	lend := &lending.Service{Env: openflex.Training, Store: db, Now: h.Clock.Now}
	chart := "" // the plan the chart's purchases are on
	tor, _ := time.LoadLocation("America/Toronto")
	real := time.Now()
	var last *openflex.Capture
	for day := 12; day >= 1; day-- {
		d := real.In(tor).AddDate(0, 0, -day)
		h.Clock.Set(time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, tor))
		cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: "en", Created: h.Clock.Now(), Applicant: openflex.Applicant{
			FirstName: "Chart", LastName: fmt.Sprint("Buyer", day), DateOfBirth: "1980-01-01", Address: openflex.Address{Province: "ON", PostalCode: "M5V 2T6"}}}
		if err := db.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		acct := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: 10_000_000,
			Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "ON", Language: "en", FirstName: "Chart", LastName: "Buyer", Created: h.Clock.Now()}
		if err := db.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		// The customer authorized the merchant at its checkout.
		if _, err := db.GrantConsent(ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: acct.Number,
			MerchantID: merchantID, Source: openflex.ConsentByCheckout, CheckoutID: "chk_chart", Created: h.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		for i := range 1 + day%3 {
			if chart == "" {
				chart = storetest.FeePlan(t, db, openflex.Training, merchantID, openflex.MerchantFee{Bps: 600})
			}
			v, err := lend.Authorize(ctx, lending.AuthorizeRequest{MerchantID: merchantID, StoreID: stores[0].ID, AccountNumber: acct.Number,
				Amount: int64(40_000 + 13_579*((day*7+i)%9)), Currency: openflex.CAD, Channel: "online", AutoCapture: true,
				Financing: &lending.FinancingChoice{PlanID: chart}})
			if err != nil {
				t.Fatal(err)
			}
			if day == 5 && last != nil { // a day of returns larger than its sales: carried forward
				if _, err := lend.Return(ctx, lending.ReturnRequest{MerchantID: merchantID, CaptureID: last.ID, Full: true}); err != nil {
					t.Fatal(err)
				}
				last = nil
			}
			last = v.Captures[0]
		}
		if day%4 == 0 {
			if _, err := lend.Return(ctx, lending.ReturnRequest{MerchantID: merchantID, CaptureID: last.ID, Amount: 10_000}); err != nil {
				t.Fatal(err)
			}
		}
		h.Clock.Set(time.Date(d.Year(), d.Month(), d.Day()+1, 6, 0, 0, 0, tor))
		if _, err := svc.CutDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	due, err := svc.Due(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range due {
		if i == len(due)-1 {
			pending = st.Amount()
			break
		}
		if err := svc.Pay(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	h.Clock.Set(real.UTC())
	return pending
}

// TestSettlementsPage checks the page, a settlement's lines and the CSV
// over plain HTTP.
func TestSettlementsPage(t *testing.T) {
	h, svcs := settlementHarness(t, storetest.Engines(t)[0])
	b := h.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	pending := history(t, h, svcs[openflex.Training], m.ID)

	r := b.Get("/portal/settlements/training")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("settlements page = %d:\n%s", r.StatusCode, r.Body)
	}
	for _, want := range []string{`<svg class="chart"`, `<rect class="bar gross"`, `<polyline class="net"`, "carried forward", "Upcoming payout",
		openflex.FormatCAD(pending, "en")} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("settlements page lacks %q", want)
		}
	}
	if n := strings.Count(r.Body, `<rect class="bar gross"`); n != 12 {
		t.Errorf("chart has %d days of bars, want 12", n)
	}
	id := webtest.Find(t, settlementLinkRE, r.Body)
	one := b.Get("/portal/settlements/training/" + id)
	if one.StatusCode != http.StatusOK || !strings.Contains(one.Body, "capture") {
		t.Fatalf("settlement page = %d:\n%s", one.StatusCode, one.Body)
	}
	c := b.Get("/portal/settlements/training/" + id + "/lines.csv")
	rows, err := csv.NewReader(strings.NewReader(c.Body)).ReadAll()
	if c.StatusCode != http.StatusOK || err != nil || len(rows) < 2 || rows[0][0] != "settlement_id" || rows[1][0] != id {
		t.Fatalf("csv = %d %v:\n%s", c.StatusCode, err, c.Body)
	}
	if r := b.Get("/portal/settlements/training/stl_00000000000000000000000000"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown settlement = %d, want 404", r.StatusCode)
	}
	other := h.Browser(t)
	other.VerifiedMerchant("Birch Beds", "dev@birch.example")
	if r := other.Get("/portal/settlements/training/" + id); r.StatusCode != http.StatusNotFound {
		t.Errorf("another merchant's settlement = %d, want 404", r.StatusCode)
	}
}

// TestSettlementsBrowser renders the page in headless Chromium: the chart
// draws (its bars have size), and the screenshot is the guide's
// (OPENFLEX_UPDATE_SCREENSHOTS=1 rewrites docs/images/settlements.png).
func TestSettlementsBrowser(t *testing.T) {
	tab := newChromium(t)
	h, svcs := settlementHarness(t, storetest.Engines(t)[0])
	b := h.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	history(t, h, svcs[openflex.Training], m.ID)
	base := h.Srv.URL
	if err := chromedp.Do(tab,
		chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(base+"/portal/login"),
		chromedp.SendKeys(chromedp.ID("email"), "dev@maple.example"),
		chromedp.SendKeys(chromedp.ID("password"), webtest.Password),
		chromedp.Click(`form[action="/portal/login"] button[type="submit"]`),
		chromedp.WaitVisible(`a[aria-current="page"][href="/portal/"]`),
		chromedp.Navigate(base+"/portal/settlements/training"),
		chromedp.WaitVisible(`svg.chart rect.bar.gross`),
	); err != nil {
		t.Fatalf("open the settlements page: %v", err)
	}
	bars, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect.bar.gross").length`))
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := chromedp.Run(tab, chromedp.Evaluate[bool](`[...document.querySelectorAll("svg.chart rect.bar.gross")].every(r => r.getBoundingClientRect().height > 0)`))
	if err != nil {
		t.Fatal(err)
	}
	if bars != 12 || !drawn {
		t.Fatalf("chart: %d bars, all drawn: %v; want 12 drawn", bars, drawn)
	}
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if os.Getenv("OPENFLEX_UPDATE_SCREENSHOTS") != "" {
		dir = filepath.Join("..", "..", "docs", "images")
	}
	if err := os.WriteFile(filepath.Join(dir, "settlements.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTillDaySettlesFor checks the clerk's store day shows what the day
// will settle for: the store's captures less returns and merchant fees.
func TestTillDaySettlesFor(t *testing.T) {
	e := storetest.Engines(t)[0]
	th := webtest.New(t, e, webtest.WithTill, func(c *webtest.Config) { c.Settlements = true })
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	_, err := th.Lending[openflex.Training].Authorize(context.Background(), lending.AuthorizeRequest{MerchantID: m.ID, StoreID: st.ID,
		AccountNumber: acct.Number, Amount: 100000, Currency: openflex.CAD, Channel: "online", AutoCapture: true,
		Financing: &lending.FinancingChoice{PlanID: storetest.FeePlan(t, th.Stores.Data(openflex.Training), openflex.Training, m.ID, openflex.MerchantFee{Bps: 600})}})
	if err != nil {
		t.Fatal(err)
	}
	r := b.Get("/portal/store/training/" + st.ID)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `id="settles"`) || !strings.Contains(r.Body, "$940.00") {
		t.Fatalf("store day = %d, want what it settles for ($1,000.00 less the 6 %% fee = $940.00):\n%s", r.StatusCode, r.Body)
	}
}

// TestAdminSettlements: the lender's staff set a merchant's bank account
// (shown masked), see the pending settlement and mark it paid.
func TestAdminSettlements(t *testing.T) {
	h, svcs := settlementHarness(t, storetest.Engines(t)[0])
	ctx := context.Background()
	b := h.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	pending := history(t, h, svcs[openflex.Training], m.ID)
	if err := h.Users.BootstrapAdmin(ctx, "ops@lender.example", webtest.Password); err != nil {
		t.Fatal(err)
	}
	admin := h.Browser(t)
	admin.LogIn("ops@lender.example", webtest.Password)
	if r := b.Get("/portal/admin/settlements"); r.StatusCode != http.StatusNotFound {
		t.Errorf("a merchant user sees the admin settlements: %d", r.StatusCode)
	}
	bank := "/portal/admin/merchants/" + m.ID + "/bank-account"
	for _, name := range []string{"Maple\x00Furniture", "Maple\tFurniture", "家具店", strings.Repeat("é", 31)} {
		r := admin.Submit("/portal/admin/settlements", bank, url.Values{"institution": {"004"}, "transit": {"12345"}, "account": {"9876543"},
			"holder_name": {name}})
		webtest.Want(t, r, http.StatusBadRequest, "holder name "+name, "holder_name must be 1 to 30 characters: letters A-Z")
	}
	if r := admin.Submit("/portal/admin/settlements", bank, url.Values{"institution": {"004"}, "transit": {"12345"}, "account": {"9876543"},
		"holder_name": {"Meubles Éléphant & Fils Québec"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set bank account = %d:\n%s", r.StatusCode, r.Body)
	}
	if got, err := h.Stores.Control.BankAccount(ctx, m.ID); err != nil || got.Account != "9876543" {
		t.Fatalf("stored bank account = %+v, %v", got, err)
	}
	r := admin.Get("/portal/admin/settlements")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "004-12345-•••543") || strings.Contains(r.Body, "9876543") ||
		!strings.Contains(r.Body, openflex.FormatCAD(pending, "en")) {
		t.Fatalf("admin settlements page = %d:\n%s", r.StatusCode, r.Body)
	}
	due, err := svcs[openflex.Training].Due(ctx, "")
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %d, %v", len(due), err)
	}
	pay := fmt.Sprintf("/portal/admin/settlements/training/%s/%s/pay", m.ID, due[0].ID)
	if r := admin.Submit("/portal/admin/settlements", pay, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark paid = %d:\n%s", r.StatusCode, r.Body)
	}
	if st, err := svcs[openflex.Training].Get(ctx, m.ID, due[0].ID); err != nil || st.Status != openflex.SettlementPaid {
		t.Fatalf("after mark paid: %+v, %v", st, err)
	}
	if bad, err := h.Stores.Data(openflex.Training).VerifyPayables(ctx); err != nil || len(bad) != 0 {
		t.Fatalf("payables after the admin payout: %+v, %v", bad, err)
	}
}

// TestSettlementsPageOpenDayOnly: with only today's sale, the page says no
// day has closed yet (rather than "no settlements" under today's bar) and
// counts the day's lines in lower case, singular for one.
func TestSettlementsPageOpenDayOnly(t *testing.T) {
	h, _ := settlementHarness(t, storetest.Engines(t)[0])
	b := h.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	ctx := context.Background()
	db := h.Stores.Data(openflex.Training)
	stores, _, err := h.Stores.Control.Stores(ctx, m.ID, openflex.ListParams{Limit: 10})
	if err != nil || len(stores) == 0 {
		t.Fatalf("stores: %v", err)
	}
	h.Clock.Set(time.Now())
	cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: "en", Created: h.Clock.Now(), Applicant: openflex.Applicant{
		FirstName: "Today", LastName: "Buyer", DateOfBirth: "1980-01-01", Address: openflex.Address{Province: "ON", PostalCode: "M5V 2T6"}}}
	acct := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: 10_000_000,
		Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "ON", Language: "en", FirstName: "Today", LastName: "Buyer", Created: h.Clock.Now()}
	if err := db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantConsent(ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: acct.Number,
		MerchantID: m.ID, Source: openflex.ConsentByCheckout, CheckoutID: "chk_today", Created: h.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	lend := &lending.Service{Env: openflex.Training, Store: db, Now: h.Clock.Now}
	if _, err := lend.Authorize(ctx, lending.AuthorizeRequest{MerchantID: m.ID, StoreID: stores[0].ID, AccountNumber: acct.Number,
		Amount: 500_00, Currency: openflex.CAD, Channel: "online", AutoCapture: true}); err != nil {
		t.Fatal(err)
	}
	r := b.Get("/portal/settlements/training")
	for _, want := range []string{"(1 line)", "No day has closed in the last 30 days yet"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("settlements page with an open day only lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "No settlements in the last 30 days") || strings.Contains(r.Body, "Lines)") {
		t.Errorf("settlements page contradicts its chart or capitalises its line count:\n%s", r.Body)
	}
}

// TestSettlementsCloseToday: TRAINING's Settlements page closes today on
// demand and says so after a redirect (a reload posts nothing); the day is
// then listed paid, a second click has nothing to close, and PRODUCTION's
// page has no such button (nor route).
func TestSettlementsCloseToday(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill, func(c *webtest.Config) { c.Settlements = true })
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	saleToday(t, th, m.ID, 500_00)
	const page, action = "/portal/settlements/training", "/portal/settlements/training/close"
	if r := b.Get("/portal/settlements/production"); strings.Contains(r.Body, action) || strings.Contains(r.Body, "Close today now") {
		t.Errorf("PRODUCTION's settlements page offers to close the day")
	}
	r := b.Submit(page, action, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page+"?done=settlements_closed" {
		t.Fatalf("close = %d to %q, want 303 to %s?done=settlements_closed:\n%s", r.StatusCode, r.Header.Get("Location"), page, r.Body)
	}
	after := b.Get(r.Header.Get("Location"))
	webtest.Want(t, after, http.StatusOK, "after the close", "Today is closed and paid", "<td>paid</td>", "$500.00")
	if strings.Contains(after.Body, "Open days") || strings.Contains(after.Body, "No day has closed") {
		t.Errorf("after the close the page still shows an open day:\n%s", after.Body)
	}
	again := b.Submit(page, action, nil)
	if again.Header.Get("Location") != page+"?done=settlements_nothing" {
		t.Errorf("a second close = %d to %q, want nothing to close", again.StatusCode, again.Header.Get("Location"))
	}
	webtest.Want(t, b.Get(again.Header.Get("Location")), http.StatusOK, "nothing to close", "Nothing to close")
	if p := b.Post("/portal/settlements/production/close", url.Values{"csrf": {b.SessionToken("/portal/settlements/production/close")}}); p.StatusCode < 400 {
		t.Errorf("PRODUCTION close = %d, want a refusal", p.StatusCode)
	}
	if r := b.Post(action, url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a close without its CSRF token = %d, want 403", r.StatusCode)
	}
}

// saleToday captures amount at merchantID's first store now, on a new
// TRAINING account that authorized the merchant at its checkout.
func saleToday(t *testing.T, th *webtest.Harness, merchantID string, amount int64) {
	t.Helper()
	st := th.FirstStore(t, merchantID)
	acct := th.OpenAccount(t, openflex.Training, merchantID, st.ID)
	th.Clock.Set(time.Now())
	ctx := context.Background()
	if _, err := th.Stores.Data(openflex.Training).GrantConsent(ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent),
		AccountNumber: acct.Number, MerchantID: merchantID, Source: openflex.ConsentByCheckout, CheckoutID: "chk_today", Created: th.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	lend := &lending.Service{Env: openflex.Training, Store: th.Stores.Data(openflex.Training), Now: th.Clock.Now}
	if _, err := lend.Authorize(ctx, lending.AuthorizeRequest{MerchantID: merchantID, StoreID: st.ID, AccountNumber: acct.Number,
		Amount: amount, Currency: openflex.CAD, Channel: "online", AutoCapture: true}); err != nil {
		t.Fatal(err)
	}
	th.Clock.Advance(time.Second)
}

// TestBrowserCloseTodayAndConfirmations: at phone and desktop width, in
// English and French, TRAINING's Settlements page with its "close today"
// button passes axe-core, and after the click the confirmation has the
// focus, in view; so does the console's after a plan's fee is saved, where
// the page scrolls to the plan (it was at the top, out of view).
func TestBrowserCloseTodayAndConfirmations(t *testing.T) {
	axetest.Script(t)
	tab := newChromium(t)
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill, func(c *webtest.Config) { c.Settlements = true })
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	var plan *openflex.Plan
	for range 4 { // enough plans that the last one's form is far down the page
		plan = th.TwelveMonths(t, m.ID)
	}
	if err := th.Users.BootstrapAdmin(context.Background(), "ops@lender.example", webtest.Password); err != nil {
		t.Fatal(err)
	}
	base := th.Srv.URL
	// inView reports the focused element's id and whether it is on screen.
	const inView = `(() => { const e = document.activeElement, r = e.getBoundingClientRect();
	  return e.id + "|" + e.className + "|" + (r.top >= 0 && r.bottom <= window.innerHeight) })()`
	focusedIn := func(state, wantClass string) {
		t.Helper()
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](inView))
		if err != nil {
			t.Fatal(err)
		}
		if parts := strings.Split(got, "|"); len(parts) != 3 || !strings.Contains(parts[1], wantClass) || parts[2] != "true" {
			t.Errorf("%s: focus on %q, want the confirmation (%s), in view", state, got, wantClass)
		}
	}
	widths := []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"phone", 360, 740, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}}, {"desktop", 1280, 800, nil}}
	logIn(t, tab, base, "dev@maple.example")
	for _, size := range widths {
		for _, lang := range []string{"en", "fr"} {
			saleToday(t, th, m.ID, 123_00)
			state := "settlements " + size.name + " " + lang
			if err := chromedp.Do(tab, chromedp.EmulateViewport(size.w, size.h, size.opts...),
				chromedp.Navigate(base+"/portal/settlements/training?lang="+lang), chromedp.WaitVisible(`#close-today button`)); err != nil {
				t.Fatalf("%s: %v", state, err)
			}
			axetest.Check(t, tab, state)
			if err := chromedp.Do(tab, chromedp.Click(`#close-today button`), chromedp.WaitVisible(`p.flash`)); err != nil {
				t.Fatalf("%s: close: %v", state, err)
			}
			axetest.Check(t, tab, state+" closed")
			focusedIn(state+" closed", "flash")
		}
	}
	if err := chromedp.Do(tab, chromedp.Click(`form[action="/portal/logout"] button`), chromedp.WaitVisible(`form[action="/portal/login"]`)); err != nil {
		t.Fatal(err)
	}
	logIn(t, tab, base, "ops@lender.example")
	plans := base + "/portal/admin/merchants/" + m.ID + "/plans?env=training"
	for _, size := range widths {
		state := "plan fee saved " + size.name
		if err := chromedp.Do(tab, chromedp.EmulateViewport(size.w, size.h, size.opts...), chromedp.Navigate(plans),
			chromedp.SetValue(chromedp.ID("bps-"+plan.ID), "250"),
			chromedp.Click(`form[action$="/`+plan.ID+`/merchant-fee"] button[type="submit"]`), chromedp.WaitVisible(chromedp.ID("saved"))); err != nil {
			t.Fatalf("%s: %v", state, err)
		}
		axetest.Check(t, tab, state)
		focusedIn(state, "flash")
	}
}
