package securitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// strictWorld is a TRAINING merchant with one of everything a write can
// touch: an approved account, an open authorization, a capture, a hosted
// checkout, a webhook endpoint and an event.
type strictWorld struct {
	p          *apptest.Platform
	keys       apptest.Keys
	storeID    string
	planID     string
	appID      string
	account    string
	authID     string // pending, $500.00
	capturedID string // the authorization of captureID
	// settlementID is today's open settlement (the capture fills it).
	settlementID string
	captureID    string // $200.00 of a $300.00 authorization
	checkoutID   string
	endpointID   string
	eventID      string
}

// strictReply is one API answer.
type strictReply struct {
	status int
	body   map[string]any
	raw    string
}

// errField returns the error object's field (code, param, message).
func (r strictReply) errField(name string) string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e[name].(string)
	return s
}

func (r strictReply) String() string { return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.raw)) }

// strictCall sends body as is (it may hold any bytes) with the TRAINING
// keys and a fresh Idempotency-Key on writes.
func strictCall(t testing.TB, w *strictWorld, method, path, body string) strictReply {
	t.Helper()
	return strictCallKey(t, w, method, path, body, "")
}

func strictCallKey(t testing.TB, w *strictWorld, method, path, body, key string) strictReply {
	t.Helper()
	req, err := http.NewRequest(method, w.p.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(w.keys.ClientID, w.keys.ClientSecret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost {
		if key == "" {
			key = openflex.NewID("test")
		}
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := strictReply{status: res.StatusCode, raw: string(b)}
	json.Unmarshal(b, &out.body)
	return out
}

// strictMust sends a request that must answer want, and returns its body.
func strictMust(t testing.TB, w *strictWorld, want int, method, path string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	if body == nil {
		b = nil
	}
	r := strictCall(t, w, method, path, string(b))
	if r.status != want {
		t.Fatalf("%s %s = %v, want %d", method, path, r, want)
	}
	return r.body
}

// strictApplicant is an Ontario applicant the TRAINING bureau approves.
func strictApplicant() map[string]any {
	return map[string]any{
		"first_name": "Zoë", "middle_name": "A-RR_L", "last_name": "Tremblay", "date_of_birth": "1988-03-14",
		"email": "zoe@example.com", "phone": "416-555-0199", "annual_income": 85_000_00, "employment_status": "employed",
		"housing_status": "rent", "monthly_housing_cost": 1_800_00,
		"address": map[string]any{"line1": "1 King St W", "city": "Toronto", "province": "ON", "postal_code": "M5H 1A1"},
	}
}

// strictSetup starts a platform on e and builds the world. Purchases are
// made with a passed verification code first, which is proof of the
// customer on every version of the consent rules.
// strictPublicDNS answers every name with one public address, so webhook
// endpoints on made-up hosts pass the destination check: this world is about
// request bodies, not about where webhooks may go.
type strictPublicDNS struct{}

func (strictPublicDNS) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}

func strictSetup(t *testing.T, e storetest.Engine) *strictWorld {
	t.Helper()
	// Without background jobs a delivery can only come from a request.
	p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) {
		c.NoJobs = true
		c.WebhookResolver = strictPublicDNS{}
	}})
	w := &strictWorld{p: p, keys: p.Training, storeID: p.Stores[0].ID, planID: p.Plans[1].ID}
	app := strictMust(t, w, 201, "POST", "/v1/applications", map[string]any{"store_id": w.storeID, "applicant": strictApplicant(),
		"consent": map[string]any{"credit_check": true, "terms_accepted": true}})
	w.appID = app["id"].(string)
	acct, _ := app["account"].(map[string]any)
	if acct == nil {
		t.Fatalf("application = %v, want approved with an account", app)
	}
	w.account = acct["account_number"].(string)
	ver := strictMust(t, w, 201, "POST", "/v1/accounts/"+w.account+"/verifications", map[string]any{"channel": "email"})
	a := strictMust(t, w, 201, "POST", "/v1/authorizations", map[string]any{"account_number": w.account, "amount": 300_00,
		"currency": "CAD", "store_id": w.storeID, "channel": "online",
		"verification": map[string]any{"id": ver["id"], "code": "222222"}})
	w.capturedID = a["id"].(string)
	c := strictMust(t, w, 201, "POST", "/v1/authorizations/"+w.capturedID+"/captures", map[string]any{"amount": 200_00})
	w.captureID = c["captures"].([]any)[0].(map[string]any)["id"].(string)
	a = strictMust(t, w, 201, "POST", "/v1/authorizations", map[string]any{"account_number": w.account, "amount": 500_00,
		"currency": "CAD", "store_id": w.storeID, "channel": "online"})
	w.authID = a["id"].(string)
	co := strictMust(t, w, 201, "POST", "/v1/checkouts", map[string]any{"amount": 100_00, "currency": "CAD", "store_id": w.storeID,
		"success_url": "https://shop.example.com/ok", "cancel_url": "https://shop.example.com/cancel"})
	w.checkoutID = co["id"].(string)
	sts := strictMust(t, w, 200, "GET", "/v1/settlements", nil)
	if data, _ := sts["data"].([]any); len(data) > 0 {
		w.settlementID = data[0].(map[string]any)["id"].(string)
	} else {
		t.Fatalf("settlements = %v, want today's open one", sts)
	}
	// The endpoint goes straight to the store: this world is about request
	// bodies, not about which webhook destinations are allowed.
	ks, _, err := p.Main.Keys.Authenticate(context.Background(), p.Training.ClientID, p.Training.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	ep := &openflex.WebhookEndpoint{ID: openflex.NewID("we"), MerchantID: p.Merchant.ID, Environment: openflex.Training, KeySetID: ks.ID,
		URL: "https://shop.example.com/hooks", Events: []string{"*"}, Secret: "whsec_test", Created: time.Now().UTC().Truncate(time.Microsecond)}
	if err := p.Main.Stores.Control.CreateWebhookEndpoint(context.Background(), ep); err != nil {
		t.Fatal(err)
	}
	w.endpointID = ep.ID
	evs := strictMust(t, w, 200, "GET", "/v1/events?limit=1", nil)
	w.eventID = evs["data"].([]any)[0].(map[string]any)["id"].(string)
	return w
}

// strictSnapshot is everything a refused request must leave as it was.
func strictSnapshot(t testing.TB, w *strictWorld) string {
	t.Helper()
	var b strings.Builder
	for _, path := range []string{
		"/v1/accounts/" + w.account,
		"/v1/authorizations/" + w.authID,
		"/v1/authorizations/" + w.capturedID,
		"/v1/captures/" + w.captureID,
		"/v1/checkouts/" + w.checkoutID,
		"/v1/authorizations?limit=100",
		"/v1/returns?limit=100",
		"/v1/events?limit=100",
		"/v1/webhook_endpoints",
		"/v1/webhook_endpoints/" + w.endpointID + "/deliveries?limit=100",
	} {
		r := strictCall(t, w, "GET", path, "")
		if r.status != 200 {
			t.Fatalf("GET %s = %v", path, r)
		}
		fmt.Fprintf(&b, "%s: %s\n", path, r.raw)
	}
	return b.String()
}

// TestStrictJSON: a body two JSON readers could read differently (a proxy
// or WAF that keeps the first of two "amount"s, or folds case, and the
// server) is refused with the member named, and nothing happens.
func TestStrictJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := strictSetup(t, e)
		auth := func(extra string) string {
			return fmt.Sprintf(`{"account_number":%q,"amount":7700,"currency":"CAD","store_id":%q,"channel":"online"%s}`, w.account, w.storeID, extra)
		}
		tests := []struct {
			name, method, path, body string
			code, param              string
		}{
			{"case-folded names", "POST", "/v1/authorizations",
				fmt.Sprintf(`{"ACCOUNT_NUMBER":%q,"AMOUNT":7700,"currency":"CAD","Store_Id":%q,"channel":"online"}`, w.account, w.storeID),
				"unknown_parameter", "ACCOUNT_NUMBER"},
			{"one name case-folded", "POST", "/v1/authorizations/" + w.authID + "/captures", `{"Amount":100}`, "unknown_parameter", "Amount"},
			{"same name twice", "POST", "/v1/authorizations/" + w.authID + "/captures", `{"amount":10000,"amount":8800}`, "duplicate_parameter", "amount"},
			{"same name twice, case-folded second", "POST", "/v1/authorizations", auth(`,"AMOUNT":1`), "unknown_parameter", "AMOUNT"},
			{"duplicate in a nested object", "POST", "/v1/authorizations",
				auth(fmt.Sprintf(`,"financing":{"plan_id":%q,"term_months":12,"term_months":6}`, w.planID)), "duplicate_parameter", "financing.term_months"},
			{"duplicate metadata key", "POST", "/v1/authorizations", auth(`,"metadata":{"order":"1","order":"2"}`), "duplicate_parameter", "metadata.order"},
			{"duplicate in an array element", "POST", "/v1/checkouts",
				fmt.Sprintf(`{"amount":100,"currency":"CAD","store_id":%q,"success_url":"https://shop.example.com/a","cancel_url":"https://shop.example.com/b","items":[{"sku":"a","description":"d","quantity":1,"quantity":2,"unit_price":100}]}`, w.storeID),
				"duplicate_parameter", "items[0].quantity"},
			{"invalid UTF-8 in a value", "POST", "/v1/authorizations", auth(",\"reference\":\"INV-\xff\xfe\""), "body_invalid_json", "reference"},
			{"lone surrogate escape", "POST", "/v1/authorizations/" + w.authID + "/captures", `{"amount":100,"reference":"\ud800"}`, "body_invalid_json", "reference"},
			{"unknown nested member", "POST", "/v1/applications",
				fmt.Sprintf(`{"store_id":%q,"consent":{"credit_check":true,"terms_accepted":true,"marketing":true}}`, w.storeID), "unknown_parameter", "consent.marketing"},
			{"unknown member in an array element", "POST", "/v1/authorizations",
				auth(`,"items":[{"sku":"a","description":"d","quantity":1,"unit_price":7700,"colour":"red"}]`), "unknown_parameter", "items[0].colour"},
			{"unknown member of an empty body", "POST", "/v1/authorizations/" + w.authID + "/release", `{"amount":1}`, "unknown_parameter", "amount"},
			{"wrong type", "POST", "/v1/authorizations/" + w.authID + "/captures", `{"amount":"100"}`, "parameter_invalid", "amount"},
			{"two JSON values", "POST", "/v1/authorizations/" + w.authID + "/captures", `{"amount":100}{"amount":200}`, "body_invalid_json", ""},
			{"not an object", "POST", "/v1/authorizations/" + w.authID + "/captures", `[{"amount":100}]`, "body_invalid_json", ""},
			// null is neither the documented object nor "left out": a null
			// body or amount once captured everything that remained.
			{"a null body", "POST", "/v1/authorizations/" + w.authID + "/captures", `null`, "body_invalid_json", ""},
			{"a null body with spaces", "POST", "/v1/authorizations/" + w.authID + "/release", " null\n", "body_invalid_json", ""},
			{"a null amount", "POST", "/v1/authorizations/" + w.authID + "/captures", `{"amount":null}`, "parameter_invalid", "amount"},
			{"a null array element", "POST", "/v1/authorizations", auth(`,"items":[null]`), "parameter_invalid", "items[0]"},
			{"a null metadata value", "POST", "/v1/authorizations", auth(`,"metadata":{"order":null}`), "parameter_invalid", "metadata.order"},
		}
		before := strictSnapshot(t, w)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := strictCall(t, w, tt.method, tt.path, tt.body)
				if r.status != 400 || r.errField("code") != tt.code || r.errField("param") != tt.param {
					t.Fatalf("%s %s %q = %v; want 400 %s param %q", tt.method, tt.path, tt.body, r, tt.code, tt.param)
				}
			})
		}
		strictUnchanged(t, w, before)
		// The exact names still work.
		strictMust(t, w, 201, "POST", "/v1/authorizations/"+w.authID+"/captures", map[string]any{"amount": 100})
	})
}

// strictUnchanged fails with the lines that differ from before.
func strictUnchanged(t testing.TB, w *strictWorld, before string) {
	t.Helper()
	after := strictSnapshot(t, w)
	if after == before {
		return
	}
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			t.Fatalf("a refused request changed state:\nbefore: %s\nafter:  %s", b[i], a[i])
		}
	}
	t.Fatalf("a refused request changed state:\nbefore:\n%s\nafter:\n%s", before, after)
}
