package storefront_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/examples/shop/storefront"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// env is a platform and the shop on its own origin, trusted by its keys.
type env struct {
	p    *apptest.Platform
	keys apptest.Keys
	shop *storefront.Shop
	url  string // the shop
}

func start(t *testing.T, e storetest.Engine) *env {
	t.Helper()
	p := apptest.Start(t, e)
	ts := httptest.NewUnstartedServer(nil)
	shopURL := "http://" + ts.Listener.Addr().String()
	keys := p.NewKeys(t, p.Merchant.ID, openflex.Training, shopURL)
	shop, err := storefront.New(storefront.Config{OpenFlexURL: p.URL, ClientID: keys.ClientID, ClientSecret: keys.ClientSecret,
		StoreID: p.Stores[0].ID, PublicURL: shopURL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = shop
	ts.Start()
	t.Cleanup(ts.Close)
	return &env{p: p, keys: keys, shop: shop, url: shopURL}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type reply struct {
	status   int
	body     string
	location string
	header   http.Header
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, string(b), res.Header.Get("Location"), res.Header}
}

func get(t *testing.T, u string) reply {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return do(t, req)
}

func post(t *testing.T, u, contentType, body, origin string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return do(t, req)
}

func (e *env) api(t *testing.T, method, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, e.p.URL+path, strings.NewReader(body))
	req.SetBasicAuth(e.keys.ClientID, e.keys.ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	r := do(t, req)
	var out map[string]any
	json.Unmarshal([]byte(r.body), &out)
	if r.status >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
	}
	return out
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// pay completes a hosted checkout as a shopper without JavaScript would:
// apply (approved), take the 12-month plan, confirm.
func (e *env) pay(t *testing.T, hosted string) {
	t.Helper()
	m := csrfRE.FindStringSubmatch(get(t, hosted+"/apply").body)
	if m == nil {
		t.Fatal("no CSRF token on the application form")
	}
	form := url.Values{"csrf": {m[1]}, "first_name": {"Store"}, "middle_name": {"A-RR_L"}, "last_name": {"Tester"},
		"date_of_birth": {"1990-05-05"}, "email": {"store.tester@example.com"}, "phone": {"416-555-0142"}, "line1": {"10 Queen St"},
		"city": {"Toronto"}, "province": {"ON"}, "postal_code": {"M5H 2N2"}, "annual_income": {"72000"}, "employment_status": {"employed"},
		"housing_status": {"rent"}, "monthly_housing_cost": {"1650"}, "consent_credit_check": {"1"}, "consent_terms_accepted": {"1"}}
	if r := post(t, hosted+"/apply", "application/x-www-form-urlencoded", form.Encode(), e.p.URL); r.status != 200 || !strings.Contains(r.body, "credit-limit") {
		t.Fatalf("apply: %d\n%s", r.status, r.body)
	}
	var twelve string
	for _, pl := range e.p.Plans {
		if strings.HasPrefix(pl.Name, "12 months") {
			twelve = pl.ID + ":12"
		}
	}
	r := post(t, hosted+"/plans", "application/x-www-form-urlencoded", url.Values{"csrf": {m[1]}, "option": {twelve}}.Encode(), e.p.URL)
	if r.status != 303 {
		t.Fatalf("choose plan: %d %s", r.status, r.body)
	}
	r = post(t, hosted+"/confirm", "application/x-www-form-urlencoded", url.Values{"csrf": {m[1]}}.Encode(), e.p.URL)
	if r.status != 303 || !strings.HasPrefix(r.location, e.url+"/thanks?checkout_id=chk_") {
		t.Fatalf("confirm: %d %q", r.status, r.location)
	}
}

func TestShop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		e := start(t, eng)
		var pages []reply

		home := get(t, e.url+"/")
		pages = append(pages, home)
		if home.status != 200 || !strings.Contains(home.body, `<script src="`+e.p.URL+`/js/v1/openflex.js"`) ||
			!strings.Contains(home.body, `id="promo"`) || !strings.Contains(home.body, `data-client-id="`+e.keys.ClientID+`"`) ||
			!strings.Contains(home.body, "$1,299.99") || strings.Contains(home.body, `id="setup-error"`) {
			t.Fatalf("product page: %d\n%s", home.status, home.body)
		}
		if csp := home.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src "+e.p.URL) || !strings.Contains(csp, "script-src 'self' "+e.p.URL) {
			t.Fatalf("CSP = %q", csp)
		}
		if fr := get(t, e.url+"/?lang=fr"); !strings.Contains(fr.body, `lang="fr"`) || !strings.Contains(fr.body, "1\u00a0299,99\u00a0$") {
			t.Fatalf("French product page:\n%s", fr.body)
		}

		// The shop's POST endpoints refuse other sites (CSRF) and non-JSON.
		if r := post(t, e.url+"/checkout", "application/json", `{}`, "https://evil.example"); r.status != 403 {
			t.Fatalf("cross-site POST /checkout: %d", r.status)
		}
		if r := post(t, e.url+"/checkout", "application/x-www-form-urlencoded", `lang=en`, ""); r.status != 400 {
			t.Fatalf("form POST /checkout: %d", r.status)
		}

		// Pay with OpenFlex: the shop creates the checkout server-side.
		r := post(t, e.url+"/checkout", "application/json", `{"lang":"en"}`, e.url)
		var created struct{ CheckoutID, URL string }
		json.Unmarshal([]byte(r.body), &struct {
			ID  *string `json:"checkout_id"`
			URL *string `json:"url"`
		}{&created.CheckoutID, &created.URL})
		if r.status != 200 || !strings.HasPrefix(created.URL, e.p.URL+"/checkout/") {
			t.Fatalf("POST /checkout: %d %s", r.status, r.body)
		}
		c := e.api(t, "GET", "/v1/checkouts/"+created.CheckoutID, "")
		orders := e.shop.Orders()
		if len(orders) != 1 || c["status"] != "open" || c["amount"] != float64(129999) || c["auto_capture"] != false ||
			c["success_url"] != e.url+"/thanks" || c["cancel_url"] != e.url+"/cart" || c["reference"] != orders[0].ID {
			t.Fatalf("checkout %v for orders %+v", c, orders)
		}
		// Coming back before paying (the back button) is not a sale.
		if r := get(t, e.url+"/thanks?checkout_id="+created.CheckoutID); r.status != 303 || r.location != "/cart?checkout_id="+created.CheckoutID {
			t.Fatalf("thanks before paying: %d %s", r.status, r.location)
		}
		if r := get(t, e.url+"/thanks?checkout_id=chk_forged"); r.status != 404 {
			t.Fatalf("thanks for a forged checkout: %d", r.status)
		}

		e.pay(t, created.URL)
		thanks := get(t, e.url+"/thanks?checkout_id="+created.CheckoutID)
		pages = append(pages, thanks)
		c = e.api(t, "GET", "/v1/checkouts/"+created.CheckoutID, "")
		authID, _ := c["authorization_id"].(string)
		if thanks.status != 200 || authID == "" || !strings.Contains(thanks.body, `<code id="authorization-id">`+authID+`</code>`) ||
			!strings.Contains(thanks.body, `data-status="paid"`) || !strings.Contains(thanks.body, "12 months") {
			t.Fatalf("thanks: %d %v\n%s", thanks.status, c, thanks.body)
		}
		if a := e.api(t, "GET", "/v1/authorizations/"+authID, ""); a["status"] != "pending" {
			t.Fatalf("authorization before shipping: %v", a)
		}

		// Ship: capture. A second click captures nothing more.
		id := e.shop.Orders()[0].ID
		ordersPage := get(t, e.url+"/orders")
		pages = append(pages, ordersPage)
		if !strings.Contains(ordersPage.body, `id="ship-`+id+`"`) {
			t.Fatalf("orders page:\n%s", ordersPage.body)
		}
		if r := post(t, e.url+"/orders/"+id+"/ship", "application/x-www-form-urlencoded", "", e.url); r.status != 303 {
			t.Fatalf("ship: %d %s", r.status, r.body)
		}
		if r := post(t, e.url+"/orders/"+id+"/ship", "application/x-www-form-urlencoded", "", e.url); r.status != 303 {
			t.Fatalf("ship twice: %d %s", r.status, r.body)
		}
		if a := e.api(t, "GET", "/v1/authorizations/"+authID, ""); a["status"] != "captured" || a["captured_amount"] != float64(129999) ||
			len(a["captures"].([]any)) != 1 {
			t.Fatalf("authorization after shipping: %v", a)
		}
		if o := e.shop.Orders()[0]; o.Status != storefront.Shipped || o.CaptureID == "" {
			t.Fatalf("order after shipping: %+v", o)
		}
		pages = append(pages, get(t, e.url+"/orders"))

		// Cancelled: back on the cart with a notice.
		r = post(t, e.url+"/checkout", "application/json", `{"lang":"fr"}`, e.url)
		json.Unmarshal([]byte(r.body), &struct {
			ID  *string `json:"checkout_id"`
			URL *string `json:"url"`
		}{&created.CheckoutID, &created.URL})
		m := csrfRE.FindStringSubmatch(get(t, created.URL).body)
		post(t, created.URL+"/cancel", "application/x-www-form-urlencoded", url.Values{"csrf": {m[1]}}.Encode(), e.p.URL)
		cart := get(t, e.url+"/cart?checkout_id="+created.CheckoutID)
		pages = append(pages, cart)
		if !strings.Contains(cart.body, `id="cart-notice"`) || !strings.Contains(cart.body, "annulé") {
			t.Fatalf("cart after cancel:\n%s", cart.body)
		}

		// The client secret is in no page and no asset the browser gets.
		for _, asset := range []string{"/static/shop.js", "/static/shop.css", "/static/table.svg", "/static/logo.svg"} {
			pages = append(pages, get(t, e.url+asset))
		}
		for i, pg := range pages {
			if pg.status != 200 {
				t.Errorf("page %d: status %d", i, pg.status)
			}
			if strings.Contains(pg.body, e.keys.ClientSecret) || strings.Contains(pg.body, "ofs_") {
				t.Fatalf("page %d shows the client secret:\n%s", i, pg.body)
			}
		}
	})
}

// A store whose public URL is not a Trust URL of its keys cannot create a
// checkout: OpenFlex refuses the success URL (url_not_trusted).
func TestShopUntrustedPublicURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		p := apptest.Start(t, eng)
		keys := p.NewKeys(t, p.Merchant.ID, openflex.Training)
		var logs strings.Builder
		shop, err := storefront.New(storefront.Config{OpenFlexURL: p.URL, ClientID: keys.ClientID, ClientSecret: keys.ClientSecret,
			StoreID: p.Stores[0].ID, PublicURL: "https://untrusted.example", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(shop)
		defer ts.Close()
		// The product page says why there is no promotion line.
		res, err := http.Get(ts.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), `id="setup-error"`) || !strings.Contains(string(page), "https://untrusted.example is not a Trust URL") {
			t.Fatalf("the product page of an untrusted shop does not say why:\n%s", page)
		}
		r := post(t, ts.URL+"/checkout", "application/json", `{}`, "")
		if r.status != 502 || !strings.Contains(r.body, "couldn't start the OpenFlex checkout") || !strings.Contains(logs.String(), "url_not_trusted") {
			t.Fatalf("untrusted public URL: %d %s\nlog: %s", r.status, r.body, logs.String())
		}
		if o := shop.Orders(); len(o) != 1 || o[0].Status != storefront.Cancelled {
			t.Fatalf("orders: %+v", o)
		}
	})
}

func TestNewNeedsEveryField(t *testing.T) {
	_, err := storefront.New(storefront.Config{OpenFlexURL: "http://127.0.0.1:8080", ClientID: "ofk_train_x"})
	if err == nil || !strings.Contains(fmt.Sprint(err), "required") {
		t.Fatalf("New with a partial config: %v", err)
	}
}
