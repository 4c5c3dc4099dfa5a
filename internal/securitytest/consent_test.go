package securitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// Section 2 of the security review: a merchant that knows a customer's
// name and date of birth finds the account number by search. The number
// alone must never move money; the customer's consent to that merchant
// (a completed checkout, or a code passed with an online authorization)
// must, until the customer or the lender's staff revokes it. In-store
// purchases need a code every time.

// consentPlatform is a whole platform whose PRODUCTION text messages land
// in an inbox the test reads the codes from (TRAINING's code is 222222).
type consentPlatform struct {
	*apptest.Platform
	mu    sync.Mutex
	texts []string
}

func consentStart(t *testing.T, e storetest.Engine) *consentPlatform {
	t.Helper()
	cp := &consentPlatform{}
	sms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Body string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		cp.mu.Lock()
		cp.texts = append(cp.texts, m.Body)
		cp.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(sms.Close)
	cp.Platform = apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.SMSURL = sms.URL }})
	return cp
}

var consentCodeRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// consentCode is the code the customer received for the last verification.
func (cp *consentPlatform) consentCode(t *testing.T, env openflex.Environment) string {
	t.Helper()
	if env == openflex.Training {
		return "222222"
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if len(cp.texts) == 0 {
		t.Fatal("no text message was sent")
	}
	code := consentCodeRE.FindString(cp.texts[len(cp.texts)-1])
	if code == "" {
		t.Fatalf("no code in the text %q", cp.texts[len(cp.texts)-1])
	}
	return code
}

// consentMerchant is a merchant's key set and first store in one environment.
type consentMerchant struct {
	ID    string
	Env   openflex.Environment
	Keys  apptest.Keys
	Store string
}

// consentNewMerchant onboards another merchant, approved for go-live.
func (cp *consentPlatform) consentNewMerchant(t *testing.T, env openflex.Environment, name string) consentMerchant {
	t.Helper()
	m, stores := cp.NewMerchant(t, name)
	if err := cp.Main.Merchants.Approve(context.Background(), m.ID, "test"); err != nil {
		t.Fatal(err)
	}
	return consentMerchant{ID: m.ID, Env: env, Keys: cp.NewKeys(t, m.ID, env), Store: stores[0].ID}
}

func (cp *consentPlatform) consentFirstMerchant(env openflex.Environment) consentMerchant {
	k := cp.Training
	if env == openflex.Production {
		k = cp.Production
	}
	return consentMerchant{ID: cp.Merchant.ID, Env: env, Keys: k, Store: cp.Stores[0].ID}
}

type consentReply struct {
	status int
	json   map[string]any
	raw    string
}

func (r consentReply) errorField(f string) string {
	e, _ := r.json["error"].(map[string]any)
	s, _ := e[f].(string)
	return s
}

// consentCall makes one API call as merchant m.
func (cp *consentPlatform) consentCall(t *testing.T, m consentMerchant, method, path, idemKey, body string) consentReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, cp.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(m.Keys.ClientID, m.Keys.ClientSecret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := consentReply{status: res.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &out.json)
	return out
}

func (cp *consentPlatform) consentMust(t *testing.T, want int, r consentReply, what string) consentReply {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s = %d, want %d\n%s", what, r.status, want, r.raw)
	}
	return r
}

// consentPerson is an applicant the TRAINING (and the simulated
// PRODUCTION) bureau approves.
type consentPerson struct{ first, last, dob string }

func (p consentPerson) applicant() openflex.Applicant {
	return openflex.Applicant{FirstName: p.first, MiddleName: "A-RR_L", LastName: p.last, DateOfBirth: p.dob, Email: "zoe@example.com",
		Phone: "416-555-0199", AnnualIncome: 85_000_00, EmploymentStatus: "employed", HousingStatus: "rent", MonthlyHousingCost: 1_800_00,
		Address: openflex.Address{Line1: "1 King St W", City: "Toronto", Province: "ON", PostalCode: "M5H 1A1"}}
}

func (p consentPerson) body(store string) string {
	b, _ := json.Marshal(map[string]any{"store_id": store, "consent": map[string]any{"credit_check": true, "terms_accepted": true},
		"applicant": map[string]any{"first_name": p.first, "middle_name": "A-RR_L", "last_name": p.last, "date_of_birth": p.dob,
			"email": "zoe@example.com", "phone": "416-555-0199", "annual_income": 85_000_00, "employment_status": "employed",
			"housing_status": "rent", "monthly_housing_cost": 1_800_00,
			"address": map[string]any{"line1": "1 King St W", "city": "Toronto", "province": "ON", "postal_code": "M5H 1A1"}}})
	return string(b)
}

// consentOpenAccount has p apply through merchant m; it returns the new
// account's number.
func (cp *consentPlatform) consentOpenAccount(t *testing.T, m consentMerchant, p consentPerson) string {
	t.Helper()
	r := cp.consentMust(t, 201, cp.consentCall(t, m, "POST", "/v1/applications", "", p.body(m.Store)), "POST /v1/applications")
	acct, _ := r.json["account"].(map[string]any)
	number, _ := acct["account_number"].(string)
	if r.json["status"] != "approved" || number == "" {
		t.Fatalf("application = %s", r.raw)
	}
	return number
}

func consentPurchase(number, store, channel string, verification map[string]string) string {
	body := map[string]any{"account_number": number, "amount": 120_00, "currency": "CAD", "store_id": store, "channel": channel,
		"auto_capture": channel == "online"}
	if verification != nil {
		body["verification"] = verification
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// consentVerify starts a verification of number as m and returns it with
// the code the customer received.
func (cp *consentPlatform) consentVerify(t *testing.T, m consentMerchant, number string) map[string]string {
	t.Helper()
	r := cp.consentMust(t, 201, cp.consentCall(t, m, "POST", "/v1/accounts/"+number+"/verifications", "", `{"channel":"sms"}`),
		"POST /v1/accounts/{n}/verifications")
	return map[string]string{"id": r.json["id"].(string), "code": cp.consentCode(t, m.Env)}
}

// consentAccount returns the account as m sees it, with m's consent.
func (cp *consentPlatform) consentAccount(t *testing.T, m consentMerchant, number string) (available float64, consent map[string]any) {
	t.Helper()
	r := cp.consentMust(t, 200, cp.consentCall(t, m, "GET", "/v1/accounts/"+number, "", ""), "GET /v1/accounts/{n}")
	c, _ := r.json["consent"].(map[string]any)
	return r.json["available_credit"].(float64), c
}

// consentListed counts m's objects of a list endpoint.
func (cp *consentPlatform) consentListed(t *testing.T, m consentMerchant, path string) int {
	t.Helper()
	r := cp.consentMust(t, 200, cp.consentCall(t, m, "GET", path, "", ""), "GET "+path)
	data, _ := r.json["data"].([]any)
	return len(data)
}

// consentRefused checks that an authorization attempt is refused with
// code and changed nothing the attacker or the customer could see.
func (cp *consentPlatform) consentRefused(t *testing.T, m consentMerchant, number, idemKey, body string, status int, code string) {
	t.Helper()
	owner := cp.consentFirstMerchant(m.Env)
	before, _ := cp.consentAccount(t, owner, number)
	auths := cp.consentListed(t, m, "/v1/authorizations?account_number="+number)
	txns := cp.consentListed(t, m, "/v1/transactions?account_number="+number)
	events := cp.consentListed(t, m, "/v1/events?limit=100")
	r := cp.consentCall(t, m, "POST", "/v1/authorizations", idemKey, body)
	if r.status != status || r.errorField("code") != code {
		t.Fatalf("POST /v1/authorizations = %d %s, want %d %s\n%s", r.status, r.errorField("code"), status, code, r.raw)
	}
	if code == string(openflex.CodeConsentRequired) &&
		(r.errorField("param") != "verification" || r.errorField("type") != "permission_error" || !strings.Contains(r.errorField("message"), "checkout")) {
		t.Fatalf("the refusal does not say what proof is missing: %s", r.raw)
	}
	after, _ := cp.consentAccount(t, owner, number)
	if after != before {
		t.Fatalf("available credit %v → %v after a refused purchase", before, after)
	}
	if n := cp.consentListed(t, m, "/v1/authorizations?account_number="+number); n != auths {
		t.Fatalf("authorizations %d → %d after a refused purchase", auths, n)
	}
	if n := cp.consentListed(t, m, "/v1/transactions?account_number="+number); n != txns {
		t.Fatalf("transactions %d → %d after a refused purchase", txns, n)
	}
	if n := cp.consentListed(t, m, "/v1/events?limit=100"); n != events {
		t.Fatalf("events %d → %d after a refused purchase", events, n)
	}
}

func (cp *consentPlatform) consentHasEvent(t *testing.T, m consentMerchant, typ, number, want string) {
	t.Helper()
	r := cp.consentMust(t, 200, cp.consentCall(t, m, "GET", "/v1/events?type="+url.QueryEscape(typ)+"&limit=100", "", ""), "GET /v1/events")
	data, _ := r.json["data"].([]any)
	for _, d := range data {
		ev, _ := d.(map[string]any)
		obj, _ := ev["data"].(map[string]any)["object"].(map[string]any)
		if obj["account_number"] == number && (want == "" || obj["status"] == want) {
			return
		}
	}
	t.Fatalf("no %s event for account %s among %s", typ, number, r.raw)
}

// TestConsentAccountNumberAloneNeverMovesMoney is the attack end to
// end, then every way consent is given and taken back, in both
// environments, on every engine.
func TestConsentAccountNumberAloneNeverMovesMoney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cp := consentStart(t, e)
		for i, env := range []openflex.Environment{openflex.Training, openflex.Production} {
			t.Run(string(env), func(t *testing.T) {
				ctx := context.Background()
				owner := cp.consentFirstMerchant(env)
				victim := consentPerson{first: "Zoë", last: fmt.Sprintf("Tremblay%c", 'a'+i), dob: "1988-03-14"}
				number := cp.consentOpenAccount(t, owner, victim)
				attacker := cp.consentNewMerchant(t, env, "Careless Merchant")

				// The attack: search by name and date of birth, then charge
				// the number online. Refused; the key stays free.
				q := url.Values{"first_name": {victim.first}, "last_name": {victim.last}, "date_of_birth": {victim.dob}}
				found := cp.consentMust(t, 200, cp.consentCall(t, attacker, "GET", "/v1/customers/search?"+q.Encode(), "", ""), "search")
				if data, _ := found.json["data"].([]any); len(data) != 1 || data[0].(map[string]any)["account_number"] != number {
					t.Fatalf("search = %s, want the victim's account", found.raw)
				}
				if _, c := cp.consentAccount(t, attacker, number); c != nil {
					t.Fatalf("the attacker holds consent %v before anything", c)
				}
				cp.consentRefused(t, attacker, number, "order-1", consentPurchase(number, attacker.Store, "online", nil), 403, "customer_consent_required")
				cp.consentRefused(t, attacker, number, "", consentPurchase(number, attacker.Store, "in_store", nil), 402, "verification_required")

				// Consent by verification: the customer gives the merchant
				// the code; the same Idempotency-Key now goes through.
				ver := cp.consentVerify(t, attacker, number)
				r := cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/authorizations", "order-1",
					consentPurchase(number, attacker.Store, "online", ver)), "online authorization with a code")
				if r.json["status"] != "captured" {
					t.Fatalf("auto-captured authorization = %s", r.raw)
				}
				_, c := cp.consentAccount(t, attacker, number)
				if c["status"] != "active" || c["source"] != "verification" || c["verification_id"] != ver["id"] {
					t.Fatalf("consent after a verified purchase = %v", c)
				}
				cp.consentHasEvent(t, attacker, "consent.granted", number, "active")

				// Card on file: online purchases need no new code; captures
				// follow their authorization.
				held := cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/authorizations", "",
					strings.Replace(consentPurchase(number, attacker.Store, "online", nil), `"auto_capture":true`, `"auto_capture":false`, 1)), "card-on-file authorization")
				authID := held.json["id"].(string)
				cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/authorizations/"+authID+"/captures", "", `{"amount":5000}`), "capture")
				// In store: a code every time, consent or not.
				cp.consentRefused(t, attacker, number, "", consentPurchase(number, attacker.Store, "in_store", nil), 402, "verification_required")
				// Consent is per merchant.
				other := cp.consentNewMerchant(t, env, "Another Merchant")
				cp.consentRefused(t, other, number, "", consentPurchase(number, other.Store, "online", nil), 403, "customer_consent_required")

				// The customer revokes it, through the merchant, with a code.
				ver = cp.consentVerify(t, attacker, number)
				rv := cp.consentMust(t, 200, cp.consentCall(t, attacker, "POST", "/v1/accounts/"+number+"/consent/revoke", "",
					fmt.Sprintf(`{"verification":{"id":%q,"code":%q},"reason":"stop charging me"}`, ver["id"], ver["code"])), "customer revocation")
				if rv.json["status"] != "revoked" || rv.json["revoked_by"] != "customer" {
					t.Fatalf("revocation = %s", rv.raw)
				}
				cp.consentHasEvent(t, attacker, "consent.revoked", number, "revoked")
				cp.consentRefused(t, attacker, number, "", consentPurchase(number, attacker.Store, "online", nil), 403, "customer_consent_required")
				// A wrong code revokes nothing and says so.
				if r := cp.consentCall(t, attacker, "POST", "/v1/accounts/"+number+"/consent/revoke", "",
					fmt.Sprintf(`{"verification":{"id":%q,"code":"000000"}}`, ver["id"])); r.status != 402 || r.errorField("code") != "verification_failed" {
					t.Fatalf("revocation with a used verification = %d %s", r.status, r.raw)
				}
				// Releases and returns give credit back: no consent needed.
				cp.consentMust(t, 200, cp.consentCall(t, attacker, "POST", "/v1/authorizations/"+authID+"/release", "", `{}`), "release after revocation")
				caps := cp.consentMust(t, 200, cp.consentCall(t, attacker, "GET", "/v1/captures?authorization_id="+authID, "", ""), "list captures")
				capID := caps.json["data"].([]any)[0].(map[string]any)["id"].(string)
				cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/captures/"+capID+"/returns", "", `{"amount":1000}`), "return after revocation")

				// Consent by checkout: the shopper signs in with a code on
				// the hosted page and confirms.
				ck := cp.consentMust(t, 201, cp.consentCall(t, other, "POST", "/v1/checkouts", "", fmt.Sprintf(
					`{"amount":12000,"currency":"CAD","store_id":%q,"success_url":"https://shop.example.com/ok","cancel_url":"https://shop.example.com/no"}`, other.Store)), "checkout")
				token := ck.json["url"].(string)
				token = token[strings.LastIndex(token, "/")+1:]
				svc := cp.Main.Checkouts[env]
				chk, err := svc.ByToken(ctx, token)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.SendCode(ctx, chk, number, "sms"); err != nil {
					t.Fatal(err)
				}
				if err := svc.CheckCode(ctx, chk, cp.consentCode(t, env)); err != nil {
					t.Fatal(err)
				}
				if err := svc.Confirm(ctx, chk, nil, "", "en"); err != nil {
					t.Fatal(err)
				}
				if _, c := cp.consentAccount(t, other, number); c["source"] != "checkout" || c["checkout_id"] != chk.ID {
					t.Fatalf("consent after a checkout = %v", c)
				}
				cp.consentMust(t, 201, cp.consentCall(t, other, "POST", "/v1/authorizations", "", consentPurchase(number, other.Store, "online", nil)),
					"card-on-file purchase after a checkout")

				// The lender's staff revoke it (what `openflex consents revoke` runs).
				if _, err := cp.Main.Lending[env].RevokeConsent(ctx, lending.RevokeRequest{MerchantID: other.ID, AccountNumber: number,
					By: openflex.RevokedByStaff, Reason: "complaint"}); err != nil {
					t.Fatal(err)
				}
				cp.consentRefused(t, other, number, "", consentPurchase(number, other.Store, "online", nil), 403, "customer_consent_required")

				// The account's own merchant got consent when the customer
				// applied through it.
				if _, c := cp.consentAccount(t, owner, number); c["source"] != "application" {
					t.Fatalf("the applying merchant's consent = %v", c)
				}
				bad, err := cp.Main.Stores.Data(env).VerifyLedger(ctx)
				if err != nil || len(bad) > 0 {
					t.Fatalf("ledger: %v %v", bad, err)
				}
			})
		}
	})
}

// TestConsentRepeatApplicationSignsNobodyIn: a repeat application (name and
// date of birth of an existing customer) answers the earlier decision and
// account, so it must not stand for the customer: neither through the API
// nor on the hosted checkout, where it would otherwise sign the shopper in.
func TestConsentRepeatApplicationSignsNobodyIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cp := consentStart(t, e)
		ctx := context.Background()
		env := openflex.Training
		owner := cp.consentFirstMerchant(env)
		victim := consentPerson{first: "Ana", last: "Roy", dob: "1979-06-02"}
		number := cp.consentOpenAccount(t, owner, victim)
		attacker := cp.consentNewMerchant(t, env, "Copycat Merchant")

		// Through the API: the repeat returns the account, grants nothing.
		r := cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/applications", "", victim.body(attacker.Store)), "repeat application")
		if acct, _ := r.json["account"].(map[string]any); acct == nil || acct["account_number"] != number {
			t.Fatalf("repeat application = %s, want the earlier account", r.raw)
		}
		cp.consentRefused(t, attacker, number, "", consentPurchase(number, attacker.Store, "online", nil), 403, "customer_consent_required")

		// On the hosted checkout: the repeat does not sign the shopper in.
		ck := cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/checkouts", "", fmt.Sprintf(
			`{"amount":12000,"currency":"CAD","store_id":%q,"success_url":"https://shop.example.com/ok","cancel_url":"https://shop.example.com/no"}`, attacker.Store)), "checkout")
		token := ck.json["url"].(string)
		svc := cp.Main.Checkouts[env]
		chk, err := svc.ByToken(ctx, token[strings.LastIndex(token, "/")+1:])
		if err != nil {
			t.Fatal(err)
		}
		if _, acct, err := svc.Apply(ctx, chk, victim.applicant(), openflex.Consent{CreditCheck: true, TermsAccepted: true, IP: "203.0.113.9"}, "en", nil); err != nil || acct == nil {
			t.Fatalf("Apply = %v, %v", acct, err)
		}
		if chk.Verified {
			t.Fatal("a repeat application signed the shopper in to an existing account")
		}
		if err := svc.Confirm(ctx, chk, nil, "", "en"); openflex.ErrorCode(err) != openflex.CodeVerifyRequired {
			t.Fatalf("Confirm after a repeat application = %v, want verification_required", err)
		}
		if _, c := cp.consentAccount(t, attacker, number); c != nil {
			t.Fatalf("the copycat holds consent %v", c)
		}
	})
}
