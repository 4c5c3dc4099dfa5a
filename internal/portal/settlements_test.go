package portal_test

import (
	"context"
	"encoding/csv"
	"errors"
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
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

var settlementLinkRE = regexp.MustCompile(`href="/portal/settlements/training/(stl_[0-9a-z]{26})/lines.csv"`)

// settlementHarness is a portal with the Settlements page, and the services
// to make a merchant's history on its clock.
func settlementHarness(t *testing.T, e storetest.Engine) (*webtest.Harness, map[openflex.Environment]*settlement.Service) {
	t.Helper()
	svcs := map[openflex.Environment]*settlement.Service{}
	h := webtest.New(t, e, func(c *webtest.Config) {
		c.Settlements = func(env openflex.Environment) *settlement.Service { return svcs[env] }
	})
	for _, env := range openflex.Environments {
		svcs[env] = &settlement.Service{Env: env, Store: h.Stores.Data(env), Catalog: h.Stores.Control, Now: h.Clock.Now,
			IsDuplicate: func(err error) bool { return errors.Is(err, sqlstore.ErrDuplicate) }}
	}
	return h, svcs
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
	lend := &lending.Service{Store: db, Now: h.Clock.Now}
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
			v, err := lend.Authorize(ctx, lending.AuthorizeRequest{MerchantID: merchantID, StoreID: stores[0].ID, AccountNumber: acct.Number,
				Amount: int64(40_000 + 13_579*((day*7+i)%9)), Currency: openflex.CAD, Channel: "online", AutoCapture: true,
				Financing: &openflex.Financing{PlanID: "plan_chart", TermMonths: 12, MerchantFee: openflex.MerchantFee{Bps: 600}}})
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
		"$" + openflex.FormatCents(pending)} {
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
	svcs := map[openflex.Environment]*settlement.Service{}
	th := webtest.New(t, e, webtest.WithTill, func(c *webtest.Config) {
		c.Settlements = func(env openflex.Environment) *settlement.Service { return svcs[env] }
	})
	for _, env := range openflex.Environments {
		svcs[env] = &settlement.Service{Env: env, Store: th.Stores.Data(env), Catalog: th.Stores.Control, Now: th.Clock.Now}
	}
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	_, err := th.Lending[openflex.Training].Authorize(context.Background(), lending.AuthorizeRequest{MerchantID: m.ID, StoreID: st.ID,
		AccountNumber: acct.Number, Amount: 100000, Currency: openflex.CAD, Channel: "online", AutoCapture: true,
		Financing: &openflex.Financing{PlanID: "plan_x", TermMonths: 12, MerchantFee: openflex.MerchantFee{Bps: 600}}})
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
		!strings.Contains(r.Body, "$"+openflex.FormatCents(pending)) {
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
