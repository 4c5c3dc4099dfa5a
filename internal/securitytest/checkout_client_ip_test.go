package securitytest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// Second review, LOW 8: behind --trusted-proxies the hosted checkout
// recorded the proxy's address as the applicant's consenting address. It
// uses the API's client-address rule (api.Server.ClientIP): the nearest
// untrusted X-Forwarded-For hop behind a trusted proxy, the peer otherwise.

var checkoutCSRF = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// checkoutApply has a shopper apply on a new hosted checkout of p's
// merchant, through a proxy that adds X-Forwarded-For: forwardedFor, and
// returns the consenting address the application recorded.
func checkoutApply(t *testing.T, p *apptest.Platform, last, forwardedFor string) string {
	t.Helper()
	m := consentMerchant{ID: p.Merchant.ID, Env: openflex.Training, Keys: p.Training, Store: p.Stores[0].ID}
	cp := &consentPlatform{Platform: p}
	ck := cp.consentMust(t, 201, cp.consentCall(t, m, "POST", "/v1/checkouts", "", fmt.Sprintf(
		`{"amount":12000,"currency":"CAD","store_id":%q,"success_url":"https://shop.example.com/ok","cancel_url":"https://shop.example.com/no"}`, m.Store)), "checkout")
	hosted := ck.json["url"].(string)
	do := func(req *http.Request) string {
		req.Header.Set("X-Forwarded-For", forwardedFor)
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 400 {
			t.Fatalf("%s %s = %d:\n%s", req.Method, req.URL, res.StatusCode, b)
		}
		return string(b)
	}
	get, _ := http.NewRequest("GET", hosted+"/apply", nil)
	token := checkoutCSRF.FindStringSubmatch(do(get))
	if token == nil {
		t.Fatal("no CSRF token on the apply page")
	}
	form := url.Values{"csrf": {token[1]}, "first_name": {"Proxied"}, "middle_name": {"A-RR_L"}, "last_name": {last}, "date_of_birth": {"1990-05-05"},
		"email": {"proxied@example.com"}, "phone": {"416-555-0142"}, "line1": {"10 Queen St"}, "city": {"Toronto"}, "province": {"ON"},
		"postal_code": {"M5H 2N2"}, "annual_income": {"72,000"}, "employment_status": {"employed"}, "housing_status": {"rent"},
		"monthly_housing_cost": {"1,650.00"}, "consent_credit_check": {"1"}, "consent_terms_accepted": {"1"}}
	post, _ := http.NewRequest("POST", hosted+"/apply", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", p.URL)
	do(post)
	app, err := p.Main.Stores.Data(openflex.Training).RecentApplication(context.Background(), "Proxied", last, "1990-05-05", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return app.Consent.IP
}

// TestCheckoutRecordsTheClientAddress: behind a trusted proxy the hosted
// checkout's application records the shopper's address; without one, a
// forged X-Forwarded-For is ignored and the peer is recorded, as on the API.
func TestCheckoutRecordsTheClientAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		proxied := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.TrustedProxies = []string{"127.0.0.1/32"} }})
		if got := checkoutApply(t, proxied, "Behindproxy", "203.0.113.7, 127.0.0.1"); got != "203.0.113.7" {
			t.Errorf("behind a trusted proxy the consent address = %q, want the shopper's 203.0.113.7", got)
		}
		direct := apptest.Start(t, e)
		if got := checkoutApply(t, direct, "Direct", "203.0.113.7"); got != "127.0.0.1" {
			t.Errorf("without trusted proxies the consent address = %q, want the peer 127.0.0.1 (X-Forwarded-For is forged)", got)
		}
	})
}
