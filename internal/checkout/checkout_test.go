package checkout_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// shopper is a browser without JavaScript: it follows no redirects by
// itself so each step can be checked.
type shopper struct {
	t    *testing.T
	http *http.Client
	base string
}

func newShopper(t *testing.T, base string) *shopper {
	return &shopper{t: t, base: base, http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (s *shopper) get(u string) page {
	s.t.Helper()
	res, err := s.http.Get(u)
	if err != nil {
		s.t.Fatal(err)
	}
	return read(res)
}

func (s *shopper) post(u string, form url.Values, origin string) page {
	s.t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return read(res)
}

func read(res *http.Response) page {
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return page{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", p.body)
	}
	return m[1]
}

// api calls the merchant API with Basic auth.
func api(t *testing.T, p *apptest.Platform, method, path, body string) map[string]any {
	t.Helper()
	return apiKeyed(t, p, method, path, body)
}

// apiKeyed is api with an Idempotency-Key on POSTs, as real integrations send.
func apiKeyed(t *testing.T, p *apptest.Platform, method, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, p.URL+path, strings.NewReader(body))
	if method == "POST" {
		req.Header.Set("Idempotency-Key", fmt.Sprint("test-", time.Now().UnixNano()))
	}
	req.SetBasicAuth(p.Training.ClientID, p.Training.ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
	}
	return out
}

func newCheckout(t *testing.T, p *apptest.Platform, extra string) (id, hosted string) {
	t.Helper()
	c := apiKeyed(t, p, "POST", "/v1/checkouts", fmt.Sprintf(`{"amount":120000,"currency":"CAD","store_id":%q,"reference":"order-9",
		"success_url":"https://shop.example.com/thanks","cancel_url":"https://shop.example.com/cart"%s}`, p.Stores[0].ID, extra))
	return c["id"].(string), c["url"].(string)
}

var applicant = url.Values{"first_name": {"Shopper"}, "middle_name": {"A-RR_L"}, "last_name": {"Online"}, "date_of_birth": {"1990-05-05"},
	"email": {"shopper@example.com"}, "phone": {"416-555-0142"}, "line1": {"10 Queen St"}, "city": {"Toronto"}, "province": {"ON"},
	"postal_code": {"M5H 2N2"}, "annual_income": {"72,000"}, "employment_status": {"employed"}, "housing_status": {"rent"},
	"monthly_housing_cost": {"1,650.00"}, "consent_credit_check": {"1"}, "consent_terms_accepted": {"1"}}

func TestHostedCheckoutApplyAndBuy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		id, hosted := newCheckout(t, p, `,"auto_capture":true`)
		sh := newShopper(t, p.URL)
		landing := sh.get(hosted)
		if landing.status != 200 || !strings.Contains(landing.body, "Maple Furniture") || !strings.Contains(landing.body, "$1,200.00") {
			t.Fatalf("landing: %d\n%s", landing.status, landing.body)
		}
		csp := landing.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors https://shop.example.com") || !strings.Contains(csp, "script-src 'self'") {
			t.Fatalf("CSP = %q", csp)
		}
		form := sh.get(hosted + "/apply")
		token := csrf(t, form)

		// Missing fields are reported next to the fields; nothing happens.
		bad := url.Values{"csrf": {token}, "first_name": {"Shopper"}}
		r := sh.post(hosted+"/apply", bad, p.URL)
		if r.status != 422 || !strings.Contains(r.body, `id="last_name-error"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Fatalf("invalid application: %d\n%s", r.status, r.body)
		}
		// Without the form's token, or from another site: refused.
		good := url.Values{}
		for k, v := range applicant {
			good[k] = v
		}
		if r := sh.post(hosted+"/apply", good, p.URL); r.status != 403 {
			t.Fatalf("no CSRF token: %d", r.status)
		}
		good.Set("csrf", token)
		if r := sh.post(hosted+"/apply", good, "https://evil.example"); r.status != 403 {
			t.Fatalf("cross-site POST: %d", r.status)
		}
		r = sh.post(hosted+"/apply", good, p.URL)
		if r.status != 200 || !strings.Contains(r.body, "approved") || !strings.Contains(r.body, `id="credit-limit"`) {
			t.Fatalf("approved: %d\n%s", r.status, r.body)
		}
		// The new account's number, in full, this once: the customer signs
		// in to their own pages with it.
		if !regexp.MustCompile(`id="account-number">\d{4} \d{4} \d{4} \d{2}<`).MatchString(r.body) {
			t.Errorf("the approval does not show the new account's number:\n%s", r.body)
		}
		plans := sh.get(hosted + "/plans")
		// The 0 % plan's facts say its interest and its fee before the APR
		// the fee makes.
		if !strings.Contains(plans.body, "12 months, equal payments") || !strings.Contains(plans.body, "$100.00") ||
			!strings.Contains(plans.body, "Interest 0% · Fee $49.99 · APR") {
			t.Fatalf("plans page:\n%s", plans.body)
		}
		var twelve string
		for _, pl := range p.Plans {
			if strings.HasPrefix(pl.Name, "12 months") {
				twelve = pl.ID + ":12"
			}
		}
		r = sh.post(hosted+"/plans", url.Values{"csrf": {token}, "option": {twelve}}, p.URL)
		if r.status != 303 || !strings.Contains(r.location, "/confirm?lang=en") {
			t.Fatalf("choose plan: %d %s", r.status, r.location)
		}
		conf := sh.get(hosted + "/confirm")
		if !strings.Contains(conf.body, "7.75%") {
			t.Fatalf("confirm page lacks the disclosure:\n%s", conf.body)
		}
		// Double-click: two concurrent confirms, one authorization.
		var wg sync.WaitGroup
		results := make([]page, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = sh.post(hosted+"/confirm", url.Values{"csrf": {token}}, p.URL)
			}()
		}
		wg.Wait()
		for _, res := range results {
			if res.status != 303 || res.location != "https://shop.example.com/thanks?checkout_id="+id {
				t.Fatalf("confirm: %d %q", res.status, res.location)
			}
		}
		// A refresh after completion goes back to the store too.
		if again := sh.post(hosted+"/confirm", url.Values{"csrf": {token}}, p.URL); again.status != 303 || !strings.Contains(again.location, "checkout_id="+id) {
			t.Fatalf("confirm after completion: %d", again.status)
		}
		if again := sh.get(hosted + "/confirm"); again.status != 200 || !strings.Contains(again.body, "checkout_id="+id) {
			t.Fatalf("confirm page after completion: %d", again.status)
		}
		c := api(t, p, "GET", "/v1/checkouts/"+id, "")
		if c["status"] != "completed" || c["authorization_id"] == nil {
			t.Fatalf("checkout: %v", c)
		}
		auths := api(t, p, "GET", "/v1/authorizations?reference=order-9", "")
		if data := auths["data"].([]any); len(data) != 1 || data[0].(map[string]any)["status"] != "captured" ||
			data[0].(map[string]any)["financing"].(map[string]any)["term_months"].(float64) != 12 {
			t.Fatalf("authorizations for the order: %v", auths)
		}
		evs := api(t, p, "GET", "/v1/events?type=checkout.completed", "")
		if len(evs["data"].([]any)) != 1 {
			t.Fatalf("checkout.completed events: %v", evs)
		}
	})
}

func TestHostedCheckoutSignInCancelAndFrench(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		// An existing customer: approved through the API first.
		app := api(t, p, "POST", "/v1/applications", fmt.Sprintf(`{"store_id":%q,"applicant":{"first_name":"Returning","middle_name":"A-RR_L",
			"last_name":"Customer","date_of_birth":"1970-01-20","email":"rc@example.com","phone":"4165550177",
			"address":{"line1":"1 Bay St","city":"Toronto","province":"ON","postal_code":"M5J 2T3"},"annual_income":9000000,
			"employment_status":"employed","housing_status":"own","monthly_housing_cost":200000},"consent":{"credit_check":true,"terms_accepted":true}}`, p.Stores[0].ID))
		number := app["account"].(map[string]any)["account_number"].(string)

		_, hosted := newCheckout(t, p, `,"language":"fr"`)
		sh := newShopper(t, p.URL)
		landing := sh.get(hosted)
		if !strings.Contains(landing.body, "Comment voulez-vous continuer") || !strings.Contains(landing.body, "1\u00a0200,00\u00a0$") {
			t.Fatalf("French landing:\n%s", landing.body)
		}
		token := csrf(t, landing)
		r := sh.post(hosted+"/signin", url.Values{"csrf": {token}, "account_number": {"00000000000000"}}, p.URL)
		if r.status != 422 || !strings.Contains(r.body, "aucun compte") {
			t.Fatalf("unknown account: %d", r.status)
		}
		// Find by name, date of birth and postal code.
		r = sh.post(hosted+"/signin", url.Values{"csrf": {token}, "first_name": {"returning"}, "last_name": {"CUSTOMER"},
			"date_of_birth": {"1970-01-20"}, "postal_code": {"m5j2t3"}}, p.URL)
		if r.status != 200 || !strings.Contains(r.body, "0177") || strings.Contains(r.body, "4165550177") {
			t.Fatalf("code page: %d\n%s", r.status, r.body)
		}
		if r := sh.post(hosted+"/code", url.Values{"csrf": {token}, "code": {"000000"}}, p.URL); r.status != 422 {
			t.Fatalf("wrong code: %d", r.status)
		}
		if r := sh.get(hosted + "/plans"); r.status != 303 {
			t.Fatalf("plans before verification: %d", r.status)
		}
		if r := sh.post(hosted+"/code", url.Values{"csrf": {token}, "code": {"222222"}}, p.URL); r.status != 303 {
			t.Fatalf("TRAINING code: %d %s", r.status, r.body)
		}
		if r := sh.get(hosted + "/plans"); r.status != 200 || !strings.Contains(r.body, "TAC") {
			t.Fatalf("French plans: %d", r.status)
		}
		_ = number

		// Cancel closes the checkout and says so on an OpenFlex page (nothing
		// charged) with the way back to the store's cancel URL.
		id2, hosted2 := newCheckout(t, p, "")
		sh2 := newShopper(t, p.URL)
		tok2 := csrf(t, sh2.get(hosted2))
		r = sh2.post(hosted2+"/cancel", url.Values{"csrf": {tok2}}, p.URL)
		if r.status != 200 || !strings.Contains(r.body, "Checkout cancelled") || !strings.Contains(r.body, "Nothing was charged") ||
			!strings.Contains(r.body, `href="https://shop.example.com/cart?checkout_id=`+id2+`"`) || !strings.Contains(r.body, `id="stay"`) {
			t.Fatalf("cancel: %d\n%s", r.status, r.body)
		}
		if c := api(t, p, "GET", "/v1/checkouts/"+id2, ""); c["status"] != "cancelled" {
			t.Fatalf("after cancel: %v", c)
		}
		if r := sh2.get(hosted2 + "/apply"); !strings.Contains(r.body, "no longer open") {
			t.Fatalf("closed checkout page:\n%s", r.body)
		}
		if r := sh2.get(p.URL + "/checkout/train_notarealtokenatallnotreal"); r.status != 404 {
			t.Fatalf("unknown token: %d", r.status)
		}
	})
}

// TestMerchantCancelsCheckout: the merchant closes an open checkout; the
// shopper can no longer complete it, and the hosted URL is never stored in
// clear, even in the idempotency record of its creation.
func TestMerchantCancelsCheckout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		id, hosted := newCheckout(t, p, "")
		if c := api(t, p, "POST", "/v1/checkouts/"+id+"/cancel", ""); c["status"] != "cancelled" {
			t.Fatalf("cancel: %v", c)
		}
		if r := newShopper(t, p.URL).get(hosted + "/apply"); !strings.Contains(r.body, "no longer open") {
			t.Fatalf("cancelled checkout still open to the shopper: %d", r.status)
		}
		req, _ := http.NewRequest("POST", p.URL+"/v1/checkouts/"+id+"/cancel", nil)
		req.SetBasicAuth(p.Training.ClientID, p.Training.ClientSecret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 409 {
			t.Fatalf("second cancel: %d, want 409 checkout_not_open", res.StatusCode)
		}
	})
}

// TestHostedCheckoutRepeatApplicationAsksForACode: applying with the name
// and date of birth of an existing customer finds their account; the page
// must not sign the shopper in to it (name and date of birth are not
// secrets) but send its holder a code, as signing in does.
func TestHostedCheckoutRepeatApplicationAsksForACode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		first := url.Values{}
		for k, v := range applicant {
			first[k] = v
		}
		_, hosted := newCheckout(t, p, "")
		sh := newShopper(t, p.URL)
		first.Set("csrf", csrf(t, sh.get(hosted+"/apply")))
		if r := sh.post(hosted+"/apply", first, p.URL); r.status != 200 || !strings.Contains(r.body, `id="credit-limit"`) {
			t.Fatalf("first application: %d\n%s", r.status, r.body)
		}
		// The same person again, on another checkout.
		_, hosted2 := newCheckout(t, p, "")
		sh2 := newShopper(t, p.URL)
		token := csrf(t, sh2.get(hosted2+"/apply"))
		first.Set("csrf", token)
		r := sh2.post(hosted2+"/apply", first, p.URL)
		if r.status != 200 || !strings.Contains(r.body, `id="existing-account"`) || strings.Contains(r.body, `id="credit-limit"`) {
			t.Fatalf("repeat application: %d\n%s", r.status, r.body)
		}
		if r := sh2.get(hosted2 + "/plans"); r.status != 303 {
			t.Fatalf("plans before the code: %d", r.status)
		}
		if r := sh2.post(hosted2+"/confirm", url.Values{"csrf": {token}}, p.URL); strings.Contains(r.location, "checkout_id=") {
			t.Fatalf("confirm before the code went through: %s", r.location)
		}
		if r := sh2.post(hosted2+"/code", url.Values{"csrf": {token}, "code": {"222222"}}, p.URL); r.status != 303 {
			t.Fatalf("TRAINING code: %d\n%s", r.status, r.body)
		}
		if r := sh2.get(hosted2 + "/plans"); r.status != 200 {
			t.Fatalf("plans after the code: %d", r.status)
		}
	})
}

// getWith is get with request headers (Accept-Language).
func (s *shopper) getWith(u string, header map[string]string) page {
	s.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return read(res)
}

var titleRE = regexp.MustCompile(`<title>([^<]*)</title>`)

func titleOf(t *testing.T, p page) string {
	t.Helper()
	m := titleRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no <title> in page:\n%s", p.body)
	}
	return m[1]
}

// TestHostedCheckoutLanguage: the merchant's language wins, else the
// browser's Accept-Language; the shopper's toggle then holds through every
// link, redirect and form post of the checkout.
func TestHostedCheckoutLanguage(t *testing.T) {
	p := apptest.Start(t, storetest.Engines(t)[0]) // pages, not storage: one engine is enough
	tests := []struct {
		name, extra, accept, want string
	}{
		{"browser fr-CA, merchant silent", "", "fr-CA,fr;q=0.9,en;q=0.8", "fr"},
		{"browser fr, merchant silent", "", "fr", "fr"},
		{"browser prefers English", "", "en-CA,en;q=0.9,fr;q=0.5", "en"},
		{"browser English over French by q", "", "fr;q=0.4,en;q=0.8", "en"},
		{"browser other language", "", "de-DE", "en"},
		{"no header", "", "", "en"},
		{"merchant chose en over a French browser", `,"language":"en"`, "fr-CA", "en"},
		{"merchant chose fr over an English browser", `,"language":"fr"`, "en-US", "fr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, hosted := newCheckout(t, p, tc.extra)
			r := newShopper(t, p.URL).getWith(hosted, map[string]string{"Accept-Language": tc.accept})
			if !strings.Contains(r.body, `<html lang="`+tc.want+`">`) {
				t.Fatalf("page language, want %s:\n%s", tc.want, r.body)
			}
			c := api(t, p, "GET", "/v1/checkouts/"+id, "")
			if tc.extra == "" && c["language"] != nil {
				t.Errorf("language the merchant did not choose = %v, want null", c["language"])
			}
		})
	}

	t.Run("sticks through the checkout", func(t *testing.T) {
		_, hosted := newCheckout(t, p, "")
		sh := newShopper(t, p.URL)
		start := sh.getWith(hosted+"?lang=fr", map[string]string{"Accept-Language": "en"})
		if !strings.Contains(start.body, `href="`+strings.TrimPrefix(hosted, p.URL)+`/apply?lang=fr"`) {
			t.Fatalf("the French start page's apply link does not carry lang=fr:\n%s", start.body)
		}
		if !strings.Contains(start.body, `class="lang" href="`+strings.TrimPrefix(hosted, p.URL)+`?lang=en"`) {
			t.Fatalf("the toggle does not carry its own lang:\n%s", start.body)
		}
		form := sh.getWith(hosted+"/apply?lang=fr", map[string]string{"Accept-Language": "en"})
		if !strings.Contains(form.body, "Soumettre la demande") || !strings.Contains(form.body, `name="lang" value="fr"`) {
			t.Fatalf("French apply form:\n%s", form.body)
		}
		if !strings.Contains(form.body, `class="lang" href="`+strings.TrimPrefix(hosted, p.URL)+`/apply?lang=en"`) {
			t.Fatalf("the toggle leaves the apply form:\n%s", form.body)
		}
		// A failed French submit (the browser says English) answers in French.
		r := sh.post(hosted+"/apply", url.Values{"csrf": {csrf(t, form)}, "lang": {"fr"}}, p.URL)
		if r.status != 422 || !strings.Contains(r.body, `<html lang="fr">`) || !strings.Contains(r.body, "Entrez votre prénom.") {
			t.Fatalf("French errors: %d\n%s", r.status, r.body)
		}
		if got := titleOf(t, r); !strings.HasPrefix(got, "Erreur : Demander un financement") {
			t.Errorf("French error title = %q", got)
		}
	})
}

// TestHostedCheckoutShopperWording: the form speaks to the shopper, never
// in API field paths, and ties every error, the consent boxes' too, to its
// field.
func TestHostedCheckoutShopperWording(t *testing.T) {
	p := apptest.Start(t, storetest.Engines(t)[0]) // pages, not storage: one engine is enough
	_, hosted := newCheckout(t, p, `,"language":"en"`)
	sh := newShopper(t, p.URL)
	form := sh.get(hosted + "/apply")
	bad := url.Values{}
	for k, v := range applicant {
		bad[k] = v
	}
	bad.Del("first_name")
	bad.Del("consent_credit_check")
	bad.Set("postal_code", "12345")
	bad.Set("email", "not-an-email")
	bad.Set("annual_income", "lots")
	bad.Set("monthly_housing_cost", "some")
	bad.Set("csrf", csrf(t, form))
	r := sh.post(hosted+"/apply", bad, p.URL)
	if r.status != 422 {
		t.Fatalf("bad application: %d", r.status)
	}
	for _, want := range []string{
		"Enter your first name.",
		"Enter a postal code such as K1A 0B1",
		"Enter an email address such as name@example.com.",
		"To apply, agree to the credit check.",
		`id="consent_credit_check" name="consent_credit_check" value="1"  required aria-invalid="true" aria-describedby="consent_credit_check-error"`,
		`id="consent_credit_check-error"`,
		`id="error-summary" tabindex="-1"`,
		// Each summary link names its field, so two alike read apart.
		`<a href="#first_name">First name: Enter your first name.</a>`,
		`<a href="#annual_income">Annual income before taxes ($): Enter an amount in dollars`,
		`<a href="#monthly_housing_cost">Monthly rent or mortgage ($): Enter an amount in dollars`,
		`<a href="#consent_credit_check">To apply, agree to the credit check.</a>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, api := range []string{"applicant.", "consent.", "must be true", "is required"} {
		if strings.Contains(r.body, api) {
			t.Errorf("the page shows API wording %q", api)
		}
	}
	if got := titleOf(t, r); got != "Error: Apply for financing · Maple Furniture · OpenFlex" {
		t.Errorf("error title = %q", got)
	}
}

// TestHostedCheckoutPages: every page has its own title, and the order
// shows the line items the merchant sent.
func TestHostedCheckoutPages(t *testing.T) {
	p := apptest.Start(t, storetest.Engines(t)[0]) // pages, not storage: one engine is enough
	_, hosted := newCheckout(t, p, `,"language":"en","items":[{"sku":"SOFA-3","description":"Three-seat sofa","quantity":1,"unit_price":100000},
		{"sku":"CUSH","description":"Cushion","quantity":4,"unit_price":5000}]`)
	sh := newShopper(t, p.URL)
	start := sh.get(hosted)
	for _, want := range []string{"Three-seat sofa", "$1,000.00", "Cushion", "× 4", "$200.00"} {
		if !strings.Contains(start.body, want) {
			t.Errorf("the order lacks %q", want)
		}
	}
	titles := map[string]string{}
	for _, path := range []string{"", "/apply", "/signin"} {
		got := titleOf(t, sh.get(hosted+path))
		if other, dup := titles[got]; dup {
			t.Errorf("%q and %q share the title %q", path, other, got)
		}
		titles[got] = path
	}
}

// TestHostedCheckoutSaysWhenToTryAgain: past the account's code limit (30
// in 10 minutes in TRAINING), the sign-in page refuses and tells the
// shopper when to come back, in their language.
func TestHostedCheckoutSaysWhenToTryAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		api(t, p, "POST", "/v1/applications", fmt.Sprintf(`{"store_id":%q,"applicant":{"first_name":"Returning","middle_name":"A-RR_L",
			"last_name":"Customer","date_of_birth":"1970-01-20","email":"rc@example.com","phone":"4165550177",
			"address":{"line1":"1 Bay St","city":"Toronto","province":"ON","postal_code":"M5J 2T3"},"annual_income":9000000,
			"employment_status":"employed","housing_status":"own","monthly_housing_cost":200000},"consent":{"credit_check":true,"terms_accepted":true}}`, p.Stores[0].ID))
		_, hosted := newCheckout(t, p, `,"language":"fr"`)
		sh := newShopper(t, p.URL)
		token := csrf(t, sh.get(hosted))
		signin := url.Values{"csrf": {token}, "first_name": {"Returning"}, "last_name": {"Customer"}, "date_of_birth": {"1970-01-20"}, "postal_code": {"M5J 2T3"}}
		for i := range 30 {
			if r := sh.post(hosted+"/signin", signin, p.URL); r.status != 200 {
				t.Fatalf("sign-in %d of TRAINING's 30 codes in 10 minutes = %d", i+1, r.status)
			}
		}
		r := sh.post(hosted+"/signin", signin, p.URL)
		if r.status != 429 || !strings.Contains(r.body, "Réessayez dans 10\u00a0minutes") && !strings.Contains(r.body, "Réessayez dans 10 minutes") {
			t.Fatalf("the 31st code = %d, want 429 saying when to try again:\n%s", r.status, r.body)
		}
	})
}

// TestHostedCheckoutOneWayIn: a checkout limited to applying (or to
// signing in) has no choice to offer, so its link goes straight to that
// step, which offers no "Back" to a one-choice page.
func TestHostedCheckoutOneWayIn(t *testing.T) {
	p := apptest.Start(t, storetest.Engines(t)[0])
	for flow, step := range map[string]string{"apply": "/apply", "buy": "/signin"} {
		_, hosted := newCheckout(t, p, `,"flow":"`+flow+`"`)
		sh := newShopper(t, p.URL)
		r := sh.get(hosted)
		if r.status != 303 || !strings.Contains(r.location, step) {
			t.Fatalf("flow %s: landing = %d %q, want 303 to %s", flow, r.status, r.location, step)
		}
		if r := sh.get(p.URL + r.location); r.status != 200 || strings.Contains(r.body, "How would you like to continue") || strings.Contains(r.body, ">Back<") {
			t.Fatalf("flow %s: %s = %d, want the step without a choice or a way back:\n%s", flow, step, r.status, r.body)
		}
	}
}

// TestHostedCheckoutShowsTheAgreement: the application page shows the
// credit agreement (the lender's text when configured, else the default in
// the shopper's language) and its key figures before the box that accepts
// it.
func TestHostedCheckoutShowsTheAgreement(t *testing.T) {
	mine := filepath.Join(t.TempDir(), "agreement.txt")
	if err := os.WriteFile(mine, []byte("Maple Credit Union cardholder agreement.\n\nSection 2: your limit."), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, lang string
		want             []string
	}{
		{"default, English", "", "en", []string{"Credit agreement", "Annual interest rate on regular purchases", "29.99%", "Minimum monthly payment",
			"Returned payment fee", "Regular purchases are charged interest", "I have read the credit agreement above and accept it."}},
		{"default, French", "", "fr", []string{"Convention de crédit", "Taux d'intérêt annuel sur les achats réguliers", "29,99", "Les achats réguliers portent intérêt"}},
		{"the lender's own", mine, "en", []string{"<p>Maple Credit Union cardholder agreement.</p><p>Section 2: your limit.</p>", "29.99%"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := apptest.Start(t, storetest.Engines(t)[0], apptest.Options{Tweak: func(c *app.Config) { c.CreditAgreement = tc.file }})
			_, hosted := newCheckout(t, p, `,"language":"`+tc.lang+`"`)
			r := newShopper(t, p.URL).get(hosted + "/apply")
			body := strings.ReplaceAll(r.body, "&#39;", "'")
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("apply page lacks %q", want)
				}
			}
			if a, box := strings.Index(body, `id="agreement-text"`), strings.Index(body, `id="consent_terms_accepted"`); a < 0 || box < a {
				t.Errorf("the agreement (at %d) is not before the box accepting it (at %d)", a, box)
			}
		})
	}
}
