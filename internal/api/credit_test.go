package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/storetest"
)

// The personal data every test applicant gives, which no merchant-facing
// response may repeat.
const (
	piiEmail  = "zoe.private@example.org"
	piiPhone  = "416-555-0199"
	piiLine1  = "123 Rue Secrète"
	piiSIN    = "123 456 782"
	piiDOB    = "1990-04-01"
	piiLast   = "Okonkwo-Tremblay"
	piiPostal = "M5V 2T6"
)

// person is who applies in a test; applicationBody renders the rest.
type person struct {
	first, middle, last, dob string
	province, postal         string
}

// newApplicant is an Ontario adult with the test personal data; middle picks
// the simulator's outcome. Within one test, use a distinct first name per
// person: a repeat within 30 days gets the earlier decision.
func newApplicant(first, middle string) person {
	return person{first: first, middle: middle, last: piiLast, dob: piiDOB, province: "ON", postal: piiPostal}
}

// applicationBody is a POST /v1/applications body for p at storeID, with an
// income and housing cost the default policy approves; edits change it.
func applicationBody(storeID string, p person, edits ...func(map[string]any)) string {
	body := map[string]any{
		"store_id": storeID,
		"applicant": map[string]any{
			"first_name": p.first, "middle_name": p.middle, "last_name": p.last, "date_of_birth": p.dob,
			"email": piiEmail, "phone": piiPhone,
			"address":       map[string]any{"line1": piiLine1, "city": "Toronto", "province": p.province, "postal_code": p.postal},
			"annual_income": 60_000_00, "employment_status": "employed", "housing_status": "rent", "monthly_housing_cost": 1_500_00,
			"sin": piiSIN,
		},
		"consent": map[string]any{"credit_check": true, "terms_accepted": true},
	}
	for _, e := range edits {
		e(body)
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// withField returns an edit that sets the field at a dotted path ("applicant.address.city").
func withField(path string, v any) func(map[string]any) {
	return func(m map[string]any) {
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]any)
		}
		m[keys[len(keys)-1]] = v
	}
}

// withoutField returns an edit that removes the field at a dotted path.
func withoutField(path string) func(map[string]any) {
	return func(m map[string]any) {
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]any)
		}
		delete(m, keys[len(keys)-1])
	}
}

// errorParams lists the params of error.errors, sorted.
func (r reply) errorParams() []string {
	e, _ := r.json["error"].(map[string]any)
	errs, _ := e["errors"].([]any)
	out := []string{}
	for _, fe := range errs {
		p, _ := fe.(map[string]any)["param"].(string)
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// object is the JSON object at key of a reply (nil when absent or null).
func (r reply) object(key string) map[string]any {
	o, _ := r.json[key].(map[string]any)
	return o
}

// listData is the data array of a list reply.
func (r reply) listData() []any {
	d, _ := r.json["data"].([]any)
	return d
}

// openAccount applies for p at storeID and returns the new account's
// number; p's middle name must make the simulator approve.
func (ev *env) openAccount(t testing.TB, auth, storeID string, p person) string {
	t.Helper()
	r := ev.call("POST", "/v1/applications", auth, applicationBody(storeID, p))
	acct := r.object("account")
	if r.status != 201 || r.json["status"] != "approved" || acct == nil {
		t.Fatalf("POST /v1/applications (%s %s) = %d %s, want 201 approved with an account", p.first, p.middle, r.status, r.raw)
	}
	return acct["account_number"].(string)
}

// productionKeys takes mk's merchant live and returns a PRODUCTION bearer
// for it: the same merchant, the other environment.
func (ev *env) productionKeys(t testing.TB, mk merchantKeys) string {
	t.Helper()
	ctx := context.Background()
	if err := ev.merch.Approve(ctx, mk.merchant.ID, "test"); err != nil {
		t.Fatal(err)
	}
	ks, secret, err := ev.keys.Create(ctx, keys.NewKeySet{MerchantID: mk.merchant.ID, Environment: openflex.Production,
		TrustIPs: []string{"0.0.0.0/0", "::/0"}, TrustURLs: []string{"https://shop.example.com"}}, keys.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + ev.token(merchantKeys{merchant: mk.merchant, stores: mk.stores, keySet: ks, secret: secret})
}

// searchPath is GET /v1/customers/search with the given query.
func searchPath(q url.Values) string { return "/v1/customers/search?" + q.Encode() }

// luhnNumbers returns an account number with a valid check digit that no
// account has, and the same number with a wrong check digit.
func luhnNumbers() (valid, typo string) {
	payload := "1234567890123"
	d := openflex.LuhnCheckDigit(payload)
	return payload + string(d), payload + string('0'+(d-'0'+1)%10)
}

func TestApplicationMagicNames(t *testing.T) {
	// What each magic name decides for newApplicant()'s $60,000 income and
	// $1,500 housing cost under the default policy (credit.MagicNames).
	type outcome struct {
		first  string // distinct per case: repeats get the earlier decision
		status string
		risk   string // approvals
		limit  int64  // approvals
		reason string // everything else
	}
	want := map[string]outcome{
		credit.MagicApproveLowRisk:  {"Alice", "approved", "preferred", 12_000_00, ""},
		credit.MagicApproveHighRisk: {"Bruno", "approved", "standard", 6_000_00, ""},
		credit.MagicNoHit:           {"Chloé", "declined", "", 0, credit.ReasonNoCreditFile},
		credit.MagicFraud:           {"Dmitri", "declined", "", 0, credit.ReasonFraudAlert},
		credit.MagicPending:         {"Emma", "pending", "", 0, credit.ReasonManualReview},
		credit.MagicTimeout:         {"Félix", "retry", "", 0, credit.ReasonBureauTimeout},
	}
	var names []string
	for name := range credit.MagicNames {
		names = append(names, name)
	}
	sort.Strings(names)
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				w, ok := want[name]
				if !ok {
					t.Fatalf("magic name %s (%s) has no expected outcome in this table", name, credit.MagicNames[name])
				}
				r := ev.call("POST", "/v1/applications", auth, applicationBody(mk.stores[0].ID, newApplicant(w.first, name)))
				if r.status != 201 || r.json["status"] != w.status {
					t.Fatalf("POST /v1/applications (middle %s) = %d %v, want 201 %s\n%s", name, r.status, r.json["status"], w.status, r.raw)
				}
				if id, _ := r.json["id"].(string); !strings.HasPrefix(id, "app_") || r.json["object"] != "application" || r.json["environment"] != "training" {
					t.Errorf("application envelope = %s", r.raw)
				}
				var codes []string
				for _, x := range r.json["reasons"].([]any) {
					reason := x.(map[string]any)
					if reason["message"] == "" {
						t.Errorf("reason %v has no message", reason["code"])
					}
					codes = append(codes, reason["code"].(string))
				}
				acct := r.object("account")
				if w.status != "approved" {
					if !slices.Equal(codes, []string{w.reason}) || acct != nil {
						t.Fatalf("POST /v1/applications (middle %s) = reasons %v, account %v; want [%s], no account", name, codes, acct, w.reason)
					}
					return
				}
				if len(codes) != 0 || acct == nil {
					t.Fatalf("POST /v1/applications (middle %s) = reasons %v, account %v; want none and an account", name, codes, acct)
				}
				if acct["risk_category"] != w.risk || acct["credit_limit"] != float64(w.limit) || acct["available_credit"] != acct["credit_limit"] ||
					r.json["credit_limit"] != acct["credit_limit"] || r.json["risk_category"] != w.risk || acct["status"] != "normal" {
					t.Fatalf("POST /v1/applications (middle %s) account = %v, want %s with limit %d all available", name, acct, w.risk, w.limit)
				}
			})
		}
		t.Run("case and spaces do not matter", func(t *testing.T) {
			r := ev.call("POST", "/v1/applications", auth, applicationBody(mk.stores[0].ID, newApplicant("Gaston", "  d-no_hit ")))
			if r.status != 201 || r.json["status"] != "declined" {
				t.Fatalf("POST /v1/applications (middle \"  d-no_hit \") = %d %s, want 201 declined", r.status, r.raw)
			}
		})

		t.Run("in French", func(t *testing.T) {
			body := applicationBody(mk.stores[0].ID, newApplicant("Hélène", credit.MagicFraud))
			r := ev.call("POST", "/v1/applications", auth, body, "Accept-Language", "fr-CA")
			reasons, _ := r.json["reasons"].([]any)
			if want := credit.ReasonMessage(credit.ReasonFraudAlert, "fr"); r.status != 201 || len(reasons) != 1 || reasons[0].(map[string]any)["message"] != want {
				t.Fatalf("POST /v1/applications (fr-CA, %s) = %d %s, want the reason %q", credit.MagicFraud, r.status, r.raw, want)
			}
			r = ev.call("POST", "/v1/applications", auth, applicationBody(mk.stores[0].ID, newApplicant("Inès", credit.MagicApproveHighRisk), withField("language", "fr")))
			if acct := r.object("account"); r.status != 201 || acct["language"] != "fr" {
				t.Fatalf("POST /v1/applications (language fr) = %d %s, want an account in French", r.status, r.raw)
			}
		})

		// PRODUCTION has no bureau in the harness: magic names mean nothing
		// there, every application is 503, and nothing is opened.
		prod := ev.merchant(openflex.Production)
		pauth := "Bearer " + ev.token(prod)
		for _, name := range names {
			t.Run("production "+name, func(t *testing.T) {
				p := newApplicant(want[name].first, name)
				for _, key := range []string{"", "prod-" + name, "prod-" + name} {
					r := ev.call("POST", "/v1/applications", pauth, applicationBody(prod.stores[0].ID, p), "Idempotency-Key", key)
					e := r.object("error")
					if r.status != 503 || r.code() != "bureau_unavailable" || e["type"] != "api_error" || r.header.Get("Idempotent-Replayed") != "" {
						t.Fatalf("POST /v1/applications with PRODUCTION keys (middle %s, key %q) = %d %s, want 503 bureau_unavailable, not replayed",
							name, key, r.status, r.raw)
					}
				}
				q := url.Values{"first_name": {p.first}, "last_name": {p.last}, "date_of_birth": {p.dob}}
				if r := ev.call("GET", searchPath(q), pauth, ""); r.status != 200 || len(r.listData()) != 0 {
					t.Fatalf("GET %s with PRODUCTION keys = %d %s, want no account", searchPath(q), r.status, r.raw)
				}
			})
		}
	})
}

func TestApplicationValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		theirs := ev.merchant(openflex.Training).stores[0].ID
		store := mk.stores[0].ID
		// Eighteen and a half: of age in Ontario (18), not in BC (19).
		eighteen := ev.now().AddDate(-18, -6, 0).Format(time.DateOnly)
		inBC := func(p person) person { p.province, p.postal = "BC", "V6B 1A1"; return p }
		aged := func(p person, dob string) person { p.dob = dob; return p }

		// Nadia's application has every problem but her identity, and would
		// be declined (D-NO_HIT) if it were ever decided.
		nadia := newApplicant("Nadia", credit.MagicNoHit)
		tests := []struct {
			name   string
			store  string
			p      person
			edits  []func(map[string]any)
			code   string
			params []string
		}{
			{"every problem at once", theirs, nadia, []func(map[string]any){
				withField("applicant.email", "nadia at example"), withField("applicant.phone", "555-0199"),
				withField("applicant.address.postal_code", "V6B 1A1"), withField("applicant.employment_status", "astronaut"),
				withoutField("applicant.annual_income"), withField("applicant.sin", "123456789"), withoutField("applicant.address.city"),
				withField("consent", map[string]any{"credit_check": false, "terms_accepted": false}), withField("requested_amount", -5),
				withField("language", "de"),
			}, "parameter_invalid", []string{
				"applicant.address.city", "applicant.address.postal_code", "applicant.annual_income", "applicant.email",
				"applicant.employment_status", "applicant.phone", "applicant.sin", "consent.credit_check", "consent.terms_accepted",
				"language", "requested_amount", "store_id",
			}},
			{"identity problems", store, person{first: "", middle: "A-RR_L", last: "R2-D2", dob: "1990-02-30", province: "ON", postal: "M5V 2T6"}, nil,
				"parameter_missing", []string{"applicant.date_of_birth", "applicant.first_name", "applicant.last_name"}},
			{"under 19 in BC", store, inBC(aged(newApplicant("Olivia", credit.MagicApproveLowRisk), eighteen)), nil,
				"parameter_invalid", []string{"applicant.date_of_birth"}},
			{"born tomorrow", store, aged(newApplicant("Paul", credit.MagicApproveLowRisk), ev.now().AddDate(0, 0, 2).Format(time.DateOnly)), nil,
				"parameter_invalid", []string{"applicant.date_of_birth"}},
			{"postal code of another province", store, newApplicant("Quentin", credit.MagicApproveLowRisk),
				[]func(map[string]any){withField("applicant.address.postal_code", "H2X 1Y4")}, "parameter_invalid", []string{"applicant.address.postal_code"}},
			{"not a Canadian postal code", store, newApplicant("Rosa", credit.MagicApproveLowRisk),
				[]func(map[string]any){withField("applicant.address.postal_code", "90210")}, "parameter_invalid", []string{"applicant.address.postal_code"}},
			{"no credit-check consent", store, newApplicant("Sami", credit.MagicApproveLowRisk),
				[]func(map[string]any){withField("consent.credit_check", false)}, "parameter_invalid", []string{"consent.credit_check"}},
			{"terms not accepted", store, newApplicant("Tariq", credit.MagicApproveLowRisk),
				[]func(map[string]any){withoutField("consent.terms_accepted")}, "parameter_invalid", []string{"consent.terms_accepted"}},
			{"unknown field", store, newApplicant("Uma", credit.MagicApproveLowRisk),
				[]func(map[string]any){withField("nickname", "Zo")}, "unknown_parameter", []string{"nickname"}},
			{"another merchant's store", theirs, newApplicant("Victor", credit.MagicApproveLowRisk), nil,
				"parameter_invalid", []string{"store_id"}},
			{"no store", "", newApplicant("Wanda", credit.MagicApproveLowRisk), nil, "parameter_missing", []string{"store_id"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := ev.call("POST", "/v1/applications", auth, applicationBody(tc.store, tc.p, tc.edits...))
				if r.status != 400 || r.code() != tc.code {
					t.Fatalf("POST /v1/applications = %d %s, want 400 %s\n%s", r.status, r.code(), tc.code, r.raw)
				}
				if got := r.errorParams(); !slices.Equal(got, tc.params) {
					t.Fatalf("POST /v1/applications error params = %v, want %v\n%s", got, tc.params, r.raw)
				}
				if e := r.object("error"); e["param"] == "" || e["type"] != "invalid_request_error" {
					t.Errorf("error envelope = %s", r.raw)
				}
			})
		}
		t.Run("18 is of age in ON", func(t *testing.T) {
			r := ev.call("POST", "/v1/applications", auth, applicationBody(store, aged(newApplicant("Xavier", credit.MagicApproveLowRisk), eighteen)))
			if r.status != 201 || r.json["status"] != "approved" {
				t.Fatalf("POST /v1/applications (18 in ON) = %d %s, want 201 approved", r.status, r.raw)
			}
		})
		t.Run("19 is of age in BC", func(t *testing.T) {
			p := inBC(aged(newApplicant("Yara", credit.MagicApproveLowRisk), ev.now().AddDate(-19, 0, -1).Format(time.DateOnly)))
			if r := ev.call("POST", "/v1/applications", auth, applicationBody(store, p)); r.status != 201 {
				t.Fatalf("POST /v1/applications (19 in BC) = %d %s, want 201", r.status, r.raw)
			}
		})
		t.Run("a refused application creates nothing", func(t *testing.T) {
			q := url.Values{"first_name": {nadia.first}, "last_name": {nadia.last}, "date_of_birth": {nadia.dob}}
			if r := ev.call("GET", searchPath(q), auth, ""); r.status != 200 || len(r.listData()) != 0 {
				t.Fatalf("GET %s = %d %s, want no account", searchPath(q), r.status, r.raw)
			}
			if r := ev.call("GET", "/v1/applications/"+openflex.NewID(openflex.PrefixApplication), auth, ""); r.status != 404 || r.code() != "resource_missing" {
				t.Fatalf("GET /v1/applications/{unknown} = %d %s, want 404 resource_missing", r.status, r.raw)
			}
			// Had the refused D-NO_HIT application been decided, this one would
			// get its decline back (same person within 30 days).
			nadia.middle = credit.MagicApproveLowRisk
			r := ev.call("POST", "/v1/applications", auth, applicationBody(store, nadia))
			if r.status != 201 || r.json["status"] != "approved" {
				t.Fatalf("POST /v1/applications (Nadia, now valid) = %d %s, want a fresh approval", r.status, r.raw)
			}
		})
	})
}

// TestApplicationUnknownNestedField: API.md names every field by its JSON
// path ("applicant.address.postal_code"); an unknown nested field must be
// named the same way, or the merchant cannot tell where the typo is.
func TestApplicationUnknownNestedField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		r := ev.call("POST", "/v1/applications", auth, applicationBody(mk.stores[0].ID, newApplicant("Zoë", credit.MagicApproveLowRisk),
			withField("applicant.address.postcode", "M5V 2T6")))
		if r.status != 400 || r.code() != "unknown_parameter" || r.param() != "applicant.address.postcode" ||
			!slices.Equal(r.errorParams(), []string{"applicant.address.postcode"}) {
			t.Fatalf("POST /v1/applications (applicant.address.postcode) = %d %s (param %q), want 400 unknown_parameter (param %q)",
				r.status, r.code(), r.param(), "applicant.address.postcode")
		}
	})
}

// TestAgeOfMajorityOnTheStoresCalendar: ages are computed on the store's
// calendar day (credit.ValidateApplicant's contract), not UTC's, so the
// evening before an Ontario applicant's 18th birthday they are still 17.
func TestAgeOfMajorityOnTheStoresCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		// 03:00 UTC is 22:00 or 23:00 the previous day in Toronto.
		now := ev.now().UTC()
		at := time.Date(now.Year(), now.Month(), now.Day()+1, 3, 0, 0, 0, time.UTC)
		if at.Month() == time.February && at.Day() == 29 {
			at = at.AddDate(0, 0, 1)
		}
		ev.advance(at.Sub(now))
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0] // Toronto, ON: age of majority 18
		p := newApplicant("Zoë", credit.MagicApproveLowRisk)
		p.dob = at.AddDate(-18, 0, 0).Format(time.DateOnly) // 18 today in UTC, tomorrow in Toronto
		r := ev.call("POST", "/v1/applications", auth, applicationBody(store.ID, p))
		if r.status != 400 || !slices.Equal(r.errorParams(), []string{"applicant.date_of_birth"}) {
			t.Fatalf("POST /v1/applications at %s (born %s, store in %s) = %d %s, want 400 applicant.date_of_birth: still 17 in Toronto",
				at.Format(time.RFC3339), p.dob, store.TimeZone, r.status, r.raw)
		}
	})
}

// TestSameNameInEitherUnicodeForm: "Zoë" typed as one code point (NFC) or
// as "e" plus a combining diaeresis (NFD, as some keyboards send it) is the
// same person: ValidateApplicant accepts both, so search and the 30-day
// duplicate rule must treat them alike.
func TestSameNameInEitherUnicodeForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		decomposed := newApplicant("Zoe\u0308", credit.MagicApproveLowRisk)
		first := ev.call("POST", "/v1/applications", auth, applicationBody(store, decomposed))
		number, _ := first.object("account")["account_number"].(string)
		if first.status != 201 || number == "" {
			t.Fatalf("POST /v1/applications (Zoe\\u0308) = %d %s, want 201 approved", first.status, first.raw)
		}
		for _, name := range []string{"Zoë", "ZOE"} {
			q := url.Values{"first_name": {name}, "last_name": {piiLast}, "date_of_birth": {piiDOB}}
			if r := ev.call("GET", searchPath(q), auth, ""); len(r.listData()) != 1 {
				t.Errorf("GET %s = %s, want the account %s of \"Zoe\\u0308\"", searchPath(q), r.raw, number)
			}
		}
		again := ev.call("POST", "/v1/applications", auth, applicationBody(store, newApplicant("Zoë", credit.MagicNoHit)))
		if again.json["id"] != first.json["id"] {
			t.Errorf("POST /v1/applications (Zoë, within 30 days) = %s, want the earlier application %v", again.raw, first.json["id"])
		}
	})
}

func TestApplicationIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		zoe := newApplicant("Zoë", credit.MagicApproveLowRisk)
		body := applicationBody(store, zoe)
		post := func(body, key string) reply {
			return ev.call("POST", "/v1/applications", auth, body, "Idempotency-Key", key)
		}

		first := post(body, "k1")
		if first.status != 201 || first.json["status"] != "approved" || first.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("POST /v1/applications = %d %s (replayed %q), want a first 201 approval", first.status, first.raw, first.header.Get("Idempotent-Replayed"))
		}
		id := first.json["id"].(string)
		number := first.object("account")["account_number"].(string)

		again := post(body, "k1")
		if again.status != 201 || string(again.raw) != string(first.raw) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("POST /v1/applications (same key, same body) = %d %s (replayed %q), want the first 201 body replayed",
				again.status, again.raw, again.header.Get("Idempotent-Replayed"))
		}
		if r := post(applicationBody(store, zoe, withField("requested_amount", 500_00)), "k1"); r.status != 422 || r.code() != "idempotency_key_reused" {
			t.Fatalf("POST /v1/applications (same key, other body) = %d %s, want 422 idempotency_key_reused", r.status, r.raw)
		}
		if r := ev.call("GET", "/v1/applications/"+id, auth, ""); r.status != 200 || r.json["id"] != id || r.json["status"] != "approved" {
			t.Fatalf("GET /v1/applications/%s = %d %s, want 200 approved", id, r.status, r.raw)
		}

		// A new key, or none, for the same person within 30 days: the same
		// merchant gets the earlier application back, whatever the middle name.
		for _, tc := range []struct {
			name, key, first, middle string
		}{
			{"new key", "k2", "Zoë", credit.MagicApproveLowRisk},
			{"no key, declining middle name", "", "Zoë", credit.MagicNoHit},
			{"no key, other case and spacing", "", " ZOË ", credit.MagicApproveHighRisk},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := zoe
				p.first, p.middle = tc.first, tc.middle
				r := post(applicationBody(store, p), tc.key)
				if r.status != 201 || r.json["id"] != id || r.json["status"] != "approved" || r.object("account")["account_number"] != number ||
					r.header.Get("Idempotent-Replayed") != "" {
					t.Fatalf("POST /v1/applications (%s) = %d %s, want 201 with the earlier application %s, not a replay", tc.name, r.status, r.raw, id)
				}
			})
		}
		t.Run("a validation error does not claim the key", func(t *testing.T) {
			p := newApplicant("Yann", credit.MagicApproveHighRisk)
			if r := post(applicationBody(store, p, withField("consent.credit_check", false)), "k3"); r.status != 400 {
				t.Fatalf("POST /v1/applications (no consent) = %d %s, want 400", r.status, r.raw)
			}
			r := post(applicationBody(store, p), "k3")
			if r.status != 201 || r.json["status"] != "approved" || r.header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("POST /v1/applications (fixed, same key) = %d %s, want a fresh 201", r.status, r.raw)
			}
		})
		t.Run("another merchant gets its own record of the same decision", func(t *testing.T) {
			other := ev.merchant(openflex.Training)
			r := ev.call("POST", "/v1/applications", "Bearer "+ev.token(other), applicationBody(other.stores[0].ID, zoe), "Idempotency-Key", "k1")
			if r.status != 201 || r.json["id"] == id || r.json["status"] != "approved" || r.object("account")["account_number"] != number ||
				r.header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("POST /v1/applications (other merchant, key k1) = %d %s, want its own application, the same account %s", r.status, r.raw, number)
			}
		})
		q := url.Values{"first_name": {zoe.first}, "last_name": {zoe.last}, "date_of_birth": {zoe.dob}}
		if r := ev.call("GET", searchPath(q), auth, ""); r.status != 200 || len(r.listData()) != 1 {
			t.Fatalf("GET %s = %d %s, want exactly one account", searchPath(q), r.status, r.raw)
		}
	})
}

func TestGetApplication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		created := ev.call("POST", "/v1/applications", auth, applicationBody(mk.stores[0].ID, newApplicant("Zoë", credit.MagicPending)))
		if created.status != 201 {
			t.Fatalf("POST /v1/applications = %d %s", created.status, created.raw)
		}
		id := created.json["id"].(string)
		prodAuth := ev.productionKeys(t, mk)
		otherAuth := "Bearer " + ev.token(ev.merchant(openflex.Training))
		tests := []struct {
			name, auth, id string
			status         int
		}{
			{"own", auth, id, 200},
			{"another merchant's", otherAuth, id, 404},
			{"TRAINING id with PRODUCTION keys", prodAuth, id, 404},
			{"unknown", auth, openflex.NewID(openflex.PrefixApplication), 404},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := ev.call("GET", "/v1/applications/"+tc.id, tc.auth, "")
				if r.status != tc.status {
					t.Fatalf("GET /v1/applications/%s = %d %s, want %d", tc.id, r.status, r.raw, tc.status)
				}
				if tc.status == 404 {
					if r.code() != "resource_missing" {
						t.Fatalf("GET /v1/applications/%s code = %s, want resource_missing", tc.id, r.code())
					}
					return
				}
				if string(r.raw) != string(created.raw) {
					t.Fatalf("GET /v1/applications/%s = %s, want what POST answered: %s", tc.id, r.raw, created.raw)
				}
			})
		}
	})
}

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		number := ev.openAccount(t, auth, mk.stores[0].ID, newApplicant("Zoë", credit.MagicApproveLowRisk))
		unknown, typo := luhnNumbers()
		prodAuth := ev.productionKeys(t, mk)
		otherAuth := "Bearer " + ev.token(ev.merchant(openflex.Training))
		tests := []struct {
			name, auth, number string
			status             int
			code, param        string
		}{
			{"own customer", auth, number, 200, "", ""},
			{"any merchant may look an account up", otherAuth, number, 200, "", ""},
			{"TRAINING account with PRODUCTION keys", prodAuth, number, 404, "resource_missing", ""},
			{"unknown number", auth, unknown, 404, "resource_missing", ""},
			{"wrong check digit", auth, typo, 400, "parameter_invalid", "number"},
			{"13 digits", auth, number[:13], 400, "parameter_invalid", "number"},
			{"letters", auth, "12345678901abc", 400, "parameter_invalid", "number"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := ev.call("GET", "/v1/accounts/"+tc.number, tc.auth, "")
				if r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
					t.Fatalf("GET /v1/accounts/%s = %d %s (param %q), want %d %s (param %q)\n%s",
						tc.number, r.status, r.code(), r.param(), tc.status, tc.code, tc.param, r.raw)
				}
			})
		}
		t.Run("exactly the API.md fields and this merchant's consent", func(t *testing.T) {
			r := ev.call("GET", "/v1/accounts/"+number, auth, "")
			var got []string
			for k := range r.json {
				got = append(got, k)
			}
			sort.Strings(got)
			want := []string{"account_number", "available_credit", "consent", "created", "credit_limit", "currency", "environment", "first_name",
				"language", "last_initial", "object", "province", "risk_category", "status"}
			if !slices.Equal(got, want) {
				t.Fatalf("GET /v1/accounts/%s fields = %v, want %v", number, got, want)
			}
			wantValues := map[string]any{"account_number": number, "object": "account", "environment": "training", "status": "normal",
				"first_name": "Zoë", "last_initial": "O", "credit_limit": float64(12_000_00), "available_credit": float64(12_000_00),
				"currency": "CAD", "province": "ON", "language": "en", "risk_category": "preferred"}
			for k, v := range wantValues {
				if r.json[k] != v {
					t.Errorf("GET /v1/accounts/%s %s = %v, want %v", number, k, r.json[k], v)
				}
			}
			if _, err := time.Parse(time.RFC3339, r.json["created"].(string)); err != nil {
				t.Errorf("GET /v1/accounts/%s created = %v, want RFC 3339", number, r.json["created"])
			}
			// The account was opened by this merchant's application: that is
			// the customer's consent to it, and only to it.
			c, _ := r.json["consent"].(map[string]any)
			if c["status"] != "active" || c["source"] != "application" || c["account_number"] != number {
				t.Errorf("GET /v1/accounts/%s consent = %v, want active, from the application", number, r.json["consent"])
			}
			other := "Bearer " + ev.token(ev.merchant(openflex.Training))
			if r := ev.call("GET", "/v1/accounts/"+number, other, ""); r.status != 200 || r.json["consent"] != nil {
				t.Errorf("another merchant's GET /v1/accounts/%s = %d consent %v, want 200 and null\n%s", number, r.status, r.json["consent"], r.raw)
			}
		})
	})
}

func TestNoPersonalDataInResponses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		zoe := newApplicant("Zoë", credit.MagicApproveLowRisk)
		created := ev.call("POST", "/v1/applications", auth, applicationBody(store, zoe))
		number, _ := created.object("account")["account_number"].(string)
		pending := ev.call("POST", "/v1/applications", auth, applicationBody(store, newApplicant("Amélie", credit.MagicPending)))
		id, _ := pending.json["id"].(string)
		q := url.Values{"first_name": {zoe.first}, "last_name": {zoe.last}, "date_of_birth": {zoe.dob}, "postal_code": {zoe.postal}}
		replies := map[string]reply{
			"POST /v1/applications (approved)":            created,
			"POST /v1/applications (pending)":             pending,
			"GET /v1/applications/{id}":                   ev.call("GET", "/v1/applications/"+created.json["id"].(string), auth, ""),
			"GET /v1/accounts/{n}":                        ev.call("GET", "/v1/accounts/"+number, auth, ""),
			"GET /v1/customers/search":                    ev.call("GET", searchPath(q), auth, ""),
			"POST /v1/accounts/{n}/verifications (sms)":   ev.call("POST", "/v1/accounts/"+number+"/verifications", auth, `{"channel":"sms"}`),
			"POST /v1/accounts/{n}/verifications (email)": ev.call("POST", "/v1/accounts/"+number+"/verifications", auth, `{"channel":"email"}`),
			"POST /v1/test_helpers/applications/{id}/decide": ev.call("POST", "/v1/test_helpers/applications/"+id+"/decide", auth,
				`{"status":"approved"}`),
		}
		secrets := []string{piiDOB, strings.ReplaceAll(piiDOB, "-", ""), piiSIN, strings.ReplaceAll(piiSIN, " ", ""), piiLine1, "Secr",
			piiPostal, strings.ReplaceAll(piiPostal, " ", ""), piiPhone, "4165550199", "555-0199", piiEmail, "zoe.private", piiLast, "Okonkwo"}
		for name, r := range replies {
			t.Run(name, func(t *testing.T) {
				if r.status >= 300 {
					t.Fatalf("%s = %d %s, want success", name, r.status, r.raw)
				}
				for _, s := range secrets {
					if strings.Contains(string(r.raw), s) {
						t.Errorf("%s contains %q:\n%s", name, s, r.raw)
					}
				}
			})
		}
	})
}

func TestCustomerSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		zoe := newApplicant("Zoë", credit.MagicApproveLowRisk)
		number := ev.openAccount(t, auth, mk.stores[0].ID, zoe)
		// Zoe, without the accent, is someone else to the bureau simulator but
		// the same search key: both come back, newest first.
		tests := []struct {
			name        string
			query       string
			status      int
			code, param string
			params      []string // error.errors
			found       int
		}{
			{"exact", "first_name=Zo%C3%AB&last_name=Okonkwo-Tremblay&date_of_birth=1990-04-01", 200, "", "", nil, 1},
			{"case and accents", "first_name=ZOE&last_name=okonkwo-tremblay&date_of_birth=1990-04-01", 200, "", "", nil, 1},
			{"spaces around", "first_name=+zo%C3%AB+&last_name=OKONKWO-TREMBLAY&date_of_birth=1990-04-01", 200, "", "", nil, 1},
			{"postal code", "first_name=Zoe&last_name=Okonkwo-Tremblay&date_of_birth=1990-04-01&postal_code=M5V+2T6", 200, "", "", nil, 1},
			{"postal code, no space, lower case", "first_name=Zoe&last_name=Okonkwo-Tremblay&date_of_birth=1990-04-01&postal_code=m5v2t6", 200, "", "", nil, 1},
			{"other postal code", "first_name=Zoe&last_name=Okonkwo-Tremblay&date_of_birth=1990-04-01&postal_code=K1A+0B1", 200, "", "", nil, 0},
			{"other date of birth", "first_name=Zoe&last_name=Okonkwo-Tremblay&date_of_birth=1990-04-02", 200, "", "", nil, 0},
			{"other last name", "first_name=Zoe&last_name=Okonkwo&date_of_birth=1990-04-01", 200, "", "", nil, 0},
			{"nothing", "", 400, "parameter_missing", "first_name", []string{"date_of_birth", "first_name", "last_name"}, 0},
			{"only a first name", "first_name=Zoe", 400, "parameter_missing", "last_name", []string{"date_of_birth", "last_name"}, 0},
			{"bad date and postal code", "first_name=Zoe&last_name=O&date_of_birth=01/04/1990&postal_code=12345", 400, "parameter_invalid", "date_of_birth",
				[]string{"date_of_birth", "postal_code"}, 0},
			{"unknown parameter", "first_name=Zoe&last_name=Okonkwo-Tremblay&date_of_birth=1990-04-01&sin=123456782", 400, "unknown_parameter", "sin",
				nil, 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := ev.call("GET", "/v1/customers/search?"+tc.query, auth, "")
				if r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
					t.Fatalf("GET /v1/customers/search?%s = %d %s (param %q), want %d %s (param %q)\n%s",
						tc.query, r.status, r.code(), r.param(), tc.status, tc.code, tc.param, r.raw)
				}
				if tc.params != nil {
					if got := r.errorParams(); !slices.Equal(got, tc.params) {
						t.Fatalf("GET /v1/customers/search?%s error params = %v, want %v", tc.query, got, tc.params)
					}
				}
				if tc.status != 200 {
					return
				}
				data := r.listData()
				if r.json["object"] != "list" || len(data) != tc.found {
					t.Fatalf("GET /v1/customers/search?%s = %s, want a list of %d", tc.query, r.raw, tc.found)
				}
				if tc.found == 1 {
					if a := data[0].(map[string]any); a["account_number"] != number || a["object"] != "account" || a["last_initial"] != "O" {
						t.Fatalf("GET /v1/customers/search?%s = %v, want account %s", tc.query, a, number)
					}
				}
			})
		}
	})
}

// authorizationBody is a $100.00 POST /v1/authorizations body; verification
// is {id, code} (or nil), financing {plan_id, term_months} (or nil).
func authorizationBody(number, storeID, channel string, amount int64, verification, financing map[string]any) string {
	body := map[string]any{"account_number": number, "amount": amount, "currency": "CAD", "store_id": storeID, "channel": channel}
	if verification != nil {
		body["verification"] = verification
	}
	if financing != nil {
		body["financing"] = financing
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// startVerification starts an sms verification of number and returns its id.
func (ev *env) startVerification(t testing.TB, auth, number string) string {
	t.Helper()
	r := ev.call("POST", "/v1/accounts/"+number+"/verifications", auth, `{"channel":"sms"}`)
	id, _ := r.json["id"].(string)
	if r.status != 201 || !strings.HasPrefix(id, "ver_") {
		t.Fatalf("POST /v1/accounts/%s/verifications = %d %s, want 201 ver_…", number, r.status, r.raw)
	}
	return id
}

func TestVerifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		number := ev.openAccount(t, auth, store, newApplicant("Zoë", credit.MagicApproveLowRisk))
		unknown, typo := luhnNumbers()
		authorize := func(verID, code string) reply {
			var v map[string]any
			if verID != "" {
				v = map[string]any{"id": verID, "code": code}
			}
			return ev.call("POST", "/v1/authorizations", auth, authorizationBody(number, store, "in_store", 100_00, v, nil))
		}

		t.Run("start", func(t *testing.T) {
			tests := []struct {
				name, number, body string
				status             int
				code, param        string
			}{
				{"sms", number, `{"channel":"sms"}`, 201, "", ""},
				{"email", number, `{"channel":"email"}`, 201, "", ""},
				{"no channel", number, `{}`, 400, "parameter_missing", "channel"},
				{"unknown channel", number, `{"channel":"pigeon"}`, 400, "parameter_invalid", "channel"},
				{"unknown field", number, `{"channel":"sms","to":"+14165550100"}`, 400, "unknown_parameter", "to"},
				{"wrong check digit", typo, `{"channel":"sms"}`, 400, "parameter_invalid", "number"},
				{"unknown account", unknown, `{"channel":"sms"}`, 404, "resource_missing", ""},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					before := ev.now()
					r := ev.call("POST", "/v1/accounts/"+tc.number+"/verifications", auth, tc.body)
					if r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
						t.Fatalf("POST /v1/accounts/%s/verifications %s = %d %s (param %q), want %d %s (param %q)\n%s",
							tc.number, tc.body, r.status, r.code(), r.param(), tc.status, tc.code, tc.param, r.raw)
					}
					if tc.status != 201 {
						return
					}
					sentTo, _ := r.json["sent_to"].(string)
					expires, err := time.Parse(time.RFC3339, fmt.Sprint(r.json["expires_at"]))
					if sentTo == "" || strings.Contains(sentTo, "555-0199") || strings.Contains(sentTo, "4165550199") || strings.Contains(sentTo, "zoe.private") ||
						err != nil || expires.Before(before.Add(9*time.Minute)) || expires.After(before.Add(11*time.Minute)) || r.json["account_number"] != number {
						t.Fatalf("POST /v1/accounts/%s/verifications %s = %s, want a masked sent_to expiring in 10 minutes", tc.number, tc.body, r.raw)
					}
					if tc.name == "sms" && !strings.HasSuffix(sentTo, "0199") {
						t.Errorf("sms sent_to = %q, want the last four digits shown", sentTo)
					}
				})
			}
		})

		// A day later, the codes above no longer count against the account's
		// limits (at most 3 codes in 10 minutes; TestVerificationLimits).
		ev.advance(credit.LimitDay)
		auth = "Bearer " + ev.token(mk)
		// Each step uses the verification of an earlier step, so they run in order.
		passed := ev.startVerification(t, auth, number)
		locked := ev.startVerification(t, auth, number)
		tests := []struct {
			name, verification, code string
			status                   int
			want                     string // error code
		}{
			{"TRAINING code passes", passed, credit.TrainingCode, 201, ""},
			{"used once only", passed, credit.TrainingCode, 402, "verification_failed"},
			{"wrong code 1", locked, "111111", 402, "verification_failed"},
			{"wrong code 2", locked, "333333", 402, "verification_failed"},
			{"wrong code 3", locked, "444444", 402, "verification_failed"},
			{"wrong code 4", locked, "555555", 402, "verification_failed"},
			{"wrong code 5 locks", locked, "666666", 402, "verification_failed"},
			{"wrong code 6", locked, "777777", 402, "verification_failed"},
			{"locked: even the TRAINING code fails", locked, credit.TrainingCode, 402, "verification_failed"},
			{"no verification in store", "", "", 402, "verification_required"},
			{"unknown verification", openflex.NewID(openflex.PrefixVerification), credit.TrainingCode, 404, "resource_missing"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := authorize(tc.verification, tc.code)
				if r.status != tc.status || r.code() != tc.want {
					t.Fatalf("POST /v1/authorizations (verification %s, code %s) = %d %s, want %d %s\n%s",
						tc.verification, tc.code, r.status, r.code(), tc.status, tc.want, r.raw)
				}
			})
		}
		t.Run("a refused purchase leaves the verification usable", func(t *testing.T) {
			v := ev.startVerification(t, auth, number)
			body := authorizationBody(number, store, "in_store", 100_000_00, map[string]any{"id": v, "code": credit.TrainingCode}, nil)
			if r := ev.call("POST", "/v1/authorizations", auth, body); r.status != 402 || r.code() != "insufficient_credit" {
				t.Fatalf("POST /v1/authorizations ($100,000.00) = %d %s, want 402 insufficient_credit", r.status, r.raw)
			}
			if r := authorize(v, credit.TrainingCode); r.status != 201 {
				t.Fatalf("POST /v1/authorizations (same verification, $100.00) = %d %s, want 201", r.status, r.raw)
			}
		})
		t.Run("online needs none", func(t *testing.T) {
			if r := ev.call("POST", "/v1/authorizations", auth, authorizationBody(number, store, "online", 100_00, nil, nil)); r.status != 201 {
				t.Fatalf("POST /v1/authorizations (online, no verification) = %d %s, want 201", r.status, r.raw)
			}
		})
		t.Run("another account's verification", func(t *testing.T) {
			other := ev.openAccount(t, auth, store, newApplicant("Agathe", credit.MagicApproveHighRisk))
			v := ev.startVerification(t, auth, other)
			if r := authorize(v, credit.TrainingCode); r.status != 402 || r.code() != "verification_failed" {
				t.Fatalf("POST /v1/authorizations (verification of %s for %s) = %d %s, want 402 verification_failed", other, number, r.status, r.raw)
			}
		})
		t.Run("expired after 10 minutes", func(t *testing.T) {
			ev.advance(10 * time.Minute) // the account's 3 codes in 10 minutes are spent
			auth = "Bearer " + ev.token(mk)
			v := ev.startVerification(t, auth, number)
			ev.advance(11 * time.Minute)
			auth = "Bearer " + ev.token(mk)
			if r := authorize(v, credit.TrainingCode); r.status != 402 || r.code() != "verification_failed" {
				t.Fatalf("POST /v1/authorizations (verification 11 minutes old) = %d %s, want 402 verification_failed", r.status, r.raw)
			}
		})
	})
}

func TestDecideHelper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		apply := func(first, middle string) string {
			t.Helper()
			r := ev.call("POST", "/v1/applications", auth, applicationBody(store, newApplicant(first, middle)))
			if r.status != 201 {
				t.Fatalf("POST /v1/applications = %d %s", r.status, r.raw)
			}
			return r.json["id"].(string)
		}
		toApprove, toDecline, approved := apply("Zoë", credit.MagicPending), apply("Amélie", credit.MagicPending), apply("Bruno", credit.MagicApproveHighRisk)
		prodAuth := ev.productionKeys(t, mk)
		otherAuth := "Bearer " + ev.token(ev.merchant(openflex.Training))
		tests := []struct {
			name, auth, id, body string
			status               int
			code, param          string
			decision, reason     string
		}{
			{"approve", auth, toApprove, `{"status":"approved"}`, 200, "", "", "approved", ""},
			{"approve again", auth, toApprove, `{"status":"approved"}`, 400, "parameter_invalid", "status", "", ""},
			{"decline", auth, toDecline, `{"status":"declined"}`, 200, "", "", "declined", credit.ReasonManualReviewDeclined},
			{"decline again", auth, toDecline, `{"status":"approved"}`, 400, "parameter_invalid", "status", "", ""},
			{"not pending", auth, approved, `{"status":"declined"}`, 400, "parameter_invalid", "status", "", ""},
			{"unknown status", auth, toApprove, `{"status":"maybe"}`, 400, "parameter_invalid", "status", "", ""},
			{"unknown application", auth, openflex.NewID(openflex.PrefixApplication), `{"status":"approved"}`, 404, "resource_missing", "", "", ""},
			{"another merchant's", otherAuth, toDecline, `{"status":"approved"}`, 404, "resource_missing", "", "", ""},
			{"PRODUCTION keys", prodAuth, toApprove, `{"status":"approved"}`, 404, "resource_missing", "", "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				path := "/v1/test_helpers/applications/" + tc.id + "/decide"
				r := ev.call("POST", path, tc.auth, tc.body)
				if r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
					t.Fatalf("POST %s %s = %d %s (param %q), want %d %s (param %q)\n%s",
						path, tc.body, r.status, r.code(), r.param(), tc.status, tc.code, tc.param, r.raw)
				}
				if tc.status != 200 {
					return
				}
				acct := r.object("account")
				if r.json["id"] != tc.id || r.json["status"] != tc.decision || (acct != nil) != (tc.decision == "approved") {
					t.Fatalf("POST %s = %s, want %s (with an account only when approved)", path, r.raw, tc.decision)
				}
				if tc.reason != "" {
					reasons := r.json["reasons"].([]any)
					if len(reasons) != 1 || reasons[0].(map[string]any)["code"] != tc.reason {
						t.Fatalf("POST %s reasons = %v, want [%s]", path, reasons, tc.reason)
					}
				}
				if got := ev.call("GET", "/v1/applications/"+tc.id, auth, ""); got.json["status"] != tc.decision {
					t.Fatalf("GET /v1/applications/%s after deciding = %s, want %s", tc.id, got.raw, tc.decision)
				}
				if acct != nil {
					number := acct["account_number"].(string)
					if got := ev.call("GET", "/v1/accounts/"+number, auth, ""); got.status != 200 || got.json["available_credit"] != acct["credit_limit"] {
						t.Fatalf("GET /v1/accounts/%s after approval = %d %s", number, got.status, got.raw)
					}
				}
			})
		}
	})
}

// financingPlans are the plans the lender set up for a test merchant.
type financingPlans struct {
	regular, equal, deferred, production *openflex.Plan
}

// createPlans sets up, for mk's merchant: a regular plan at 29.99 %; 12
// equal payments at 0 % with a $49.99 fee, from $300 to $5,000, for
// preferred accounts only; 6 months deferred at 29.99 % in QC only — all
// TRAINING plans — and a PRODUCTION plan.
func (ev *env) createPlans(t testing.TB, mk merchantKeys) financingPlans {
	t.Helper()
	create := func(np plans.NewPlan) *openflex.Plan {
		t.Helper()
		np.MerchantID = mk.merchant.ID
		if np.Environment == "" {
			np.Environment = openflex.Training
		}
		p, err := plans.Build(np, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.stores.Data(np.Environment).CreatePlan(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return financingPlans{
		regular: create(plans.NewPlan{Name: "Revolving", NameFR: "Crédit renouvelable", Category: openflex.PlanRegular, Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 29990}}}),
		equal: create(plans.NewPlan{Name: "12 equal payments", Category: openflex.PlanEqualPayments,
			Terms:     []openflex.PlanTerm{{Months: 12, AnnualRate: 0, AdminFee: 49_99}},
			MinAmount: 300_00, MaxAmount: 5_000_00, RiskCategories: []openflex.RiskCategory{openflex.RiskPreferred}}),
		deferred: create(plans.NewPlan{Name: "Nothing to pay for 6 months", Category: openflex.PlanDeferred,
			Terms: []openflex.PlanTerm{{Months: 6, AnnualRate: 29990}}, Provinces: []openflex.Province{"QC"}}),
		production: create(plans.NewPlan{Name: "Production only", Environment: openflex.Production, Category: openflex.PlanEqualPayments,
			Terms: []openflex.PlanTerm{{Months: 24, AnnualRate: 9990}}}),
	}
}

// addStore opens a store of mk's merchant in province.
func (ev *env) addStore(t testing.TB, mk merchantKeys, name string, province openflex.Province) string {
	t.Helper()
	s := &openflex.Store{ID: openflex.NewID(openflex.PrefixStore), MerchantID: mk.merchant.ID, Name: name, Province: province,
		TimeZone: province.TimeZone(), Status: openflex.StoreActive, Created: time.Now().UTC().Truncate(time.Microsecond)}
	if err := ev.stores.Control.CreateStore(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func TestListPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		fp := ev.createPlans(t, mk)
		ev.createPlans(t, ev.merchant(openflex.Training)) // another merchant's plans never show
		prodAuth := ev.productionKeys(t, mk)
		for _, tc := range []struct {
			name, auth string
			want       []*openflex.Plan
		}{
			{"TRAINING", auth, []*openflex.Plan{fp.regular, fp.equal, fp.deferred}},
			{"PRODUCTION", prodAuth, []*openflex.Plan{fp.production}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := ev.call("GET", "/v1/plans", tc.auth, "")
				if r.status != 200 || r.json["object"] != "list" {
					t.Fatalf("GET /v1/plans = %d %s", r.status, r.raw)
				}
				got := map[string]map[string]any{}
				var order []string
				for _, x := range r.listData() {
					p := x.(map[string]any)
					got[p["id"].(string)] = p
					order = append(order, p["id"].(string))
				}
				if !slices.IsSortedFunc(order, func(a, b string) int { return strings.Compare(b, a) }) {
					t.Errorf("GET /v1/plans lists %v, want newest first like every list", order)
				}
				if len(got) != len(tc.want) {
					t.Fatalf("GET /v1/plans = %d plans, want %d\n%s", len(got), len(tc.want), r.raw)
				}
				for _, want := range tc.want {
					p, ok := got[want.ID]
					if !ok {
						t.Fatalf("GET /v1/plans lacks %s (%s)", want.ID, want.Name)
					}
					terms := p["terms"].([]any)
					term := terms[0].(map[string]any)
					wantMax := any(nil)
					if want.MaxAmount > 0 {
						wantMax = float64(want.MaxAmount)
					}
					wantRate := map[int64]string{0: "0", 29990: "29.99", 9990: "9.99"}[want.Terms[0].AnnualRate]
					wantFR := any(nil)
					if want.NameFR != "" {
						wantFR = want.NameFR
					}
					if p["object"] != "plan" || p["name"] != want.Name || p["name_fr"] != wantFR || p["environment"] != string(want.Environment) || p["category"] != string(want.Category) || len(terms) != len(want.Terms) ||
						term["months"] != float64(want.Terms[0].Months) || term["annual_interest_rate"] != wantRate ||
						term["admin_fee"] != float64(want.Terms[0].AdminFee) || p["min_amount"] != float64(want.MinAmount) || p["max_amount"] != wantMax {
						t.Errorf("GET /v1/plans %s = %v, want %+v", want.ID, p, want)
					}
				}
			})
		}
	})
}

func TestQuotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		fp := ev.createPlans(t, mk)
		on, bc, qc := mk.stores[0].ID, mk.stores[1].ID, ev.addStore(t, mk, "Montréal", "QC")
		preferred := ev.openAccount(t, auth, on, newApplicant("Zoë", credit.MagicApproveLowRisk))   // $12,000.00
		standard := ev.openAccount(t, auth, on, newApplicant("Bruno", credit.MagicApproveHighRisk)) // $6,000.00
		theirs := ev.merchant(openflex.Training).stores[0].ID
		unknown, typo := luhnNumbers()
		names := map[string]string{fp.regular.ID: "regular", fp.equal.ID: "equal", fp.deferred.ID: "deferred", fp.production.ID: "production"}
		tests := []struct {
			name, number, store string
			amount              int64
			want                []string // plan/term; nil for errors
			status              int
			code, param         string
		}{
			{"preferred in ON", preferred, on, 1_000_00, []string{"equal/12", "regular/0"}, 200, "", ""},
			{"preferred in BC", preferred, bc, 1_000_00, []string{"equal/12", "regular/0"}, 200, "", ""},
			{"the store's province, not the customer's", preferred, qc, 1_000_00, []string{"deferred/6", "equal/12", "regular/0"}, 200, "", ""},
			{"standard loses the preferred plan", standard, qc, 1_000_00, []string{"deferred/6", "regular/0"}, 200, "", ""},
			{"below the minimum", preferred, on, 299_99, []string{"regular/0"}, 200, "", ""},
			{"at the minimum", preferred, on, 300_00, []string{"equal/12", "regular/0"}, 200, "", ""},
			{"at the maximum", preferred, on, 5_000_00, []string{"equal/12", "regular/0"}, 200, "", ""},
			{"above the maximum", preferred, on, 5_000_01, []string{"regular/0"}, 200, "", ""},
			{"all the available credit", standard, qc, 6_000_00, []string{"deferred/6", "regular/0"}, 200, "", ""},
			{"above the available credit", standard, qc, 6_000_01, []string{}, 200, "", ""},
			{"far above the available credit", preferred, qc, 12_000_01, []string{}, 200, "", ""},
			{"no amount", preferred, on, 0, nil, 400, "parameter_invalid", "amount"},
			{"another merchant's store", preferred, theirs, 1_000_00, nil, 400, "parameter_invalid", "store_id"},
			{"wrong check digit", typo, on, 1_000_00, nil, 400, "parameter_invalid", "number"},
			{"unknown account", unknown, on, 1_000_00, nil, 404, "resource_missing", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				path := "/v1/accounts/" + tc.number + "/quotes"
				body := fmt.Sprintf(`{"amount":%d,"store_id":%q}`, tc.amount, tc.store)
				r := ev.call("POST", path, auth, body)
				if r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
					t.Fatalf("POST %s %s = %d %s (param %q), want %d %s (param %q)\n%s",
						path, body, r.status, r.code(), r.param(), tc.status, tc.code, tc.param, r.raw)
				}
				if tc.status != 200 {
					return
				}
				got := []string{}
				for _, x := range r.json["options"].([]any) {
					o := x.(map[string]any)
					got = append(got, fmt.Sprintf("%s/%v", names[o["plan_id"].(string)], o["term_months"]))
					if o["disclosure"] == "" || o["apr"] == "" || o["total_to_pay"] != float64(tc.amount)+o["total_cost_of_borrowing"].(float64) {
						t.Errorf("POST %s option %v: want a disclosure, an APR and total_to_pay = amount + cost of borrowing", path, o)
					}
					if o["plan_id"] == fp.equal.ID && (o["admin_fee"] != float64(49_99) || o["total_cost_of_borrowing"] != float64(49_99) ||
						o["annual_interest_rate"] != "0" || o["apr"] == "0") {
						t.Errorf("POST %s equal-payments option = %v, want $49.99 fee as the whole cost at 0%% interest, APR above 0", path, o)
					}
				}
				sort.Strings(got)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("POST %s %s options = %v, want %v", path, body, got, tc.want)
				}
			})
		}
		t.Run("French disclosures", func(t *testing.T) {
			path := "/v1/accounts/" + preferred + "/quotes"
			body := fmt.Sprintf(`{"amount":100000,"store_id":%q}`, qc)
			en := ev.call("POST", path, auth, body)
			fr := ev.call("POST", path, auth, body, "Accept-Language", "fr-CA")
			enOpts, _ := en.json["options"].([]any)
			frOpts, _ := fr.json["options"].([]any)
			if fr.status != 200 || len(frOpts) != 3 || len(enOpts) != 3 {
				t.Fatalf("POST %s (fr-CA) = %d %s, want 3 options", path, fr.status, fr.raw)
			}
			for i, x := range frOpts {
				d, _ := x.(map[string]any)["disclosure"].(string)
				if !strings.Contains(d, "TAC") && !strings.Contains(d, "taux") || d == enOpts[i].(map[string]any)["disclosure"] {
					t.Errorf("POST %s (fr-CA) disclosure = %q, want French", path, d)
				}
			}
			// Plan names follow the language too: the French name where
			// the plan has one, else the only name.
			for lang, opts := range map[string][]any{"en": enOpts, "fr": frOpts} {
				want := map[string]string{fp.regular.ID: fp.regular.NameIn(lang), fp.equal.ID: fp.equal.Name, fp.deferred.ID: fp.deferred.Name}
				for _, x := range opts {
					o := x.(map[string]any)
					if o["plan_name"] != want[o["plan_id"].(string)] {
						t.Errorf("POST %s (%s) plan_name = %v, want %q", path, lang, o["plan_name"], want[o["plan_id"].(string)])
					}
				}
			}
		})
	})
}

// TestQuotesSurviveAnUnquotablePlan: a plan the quote engine refuses must
// not take every other plan's quote down with a 500.
func TestQuotesSurviveAnUnquotablePlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		ev.createPlans(t, mk)
		p, err := plans.Build(plans.NewPlan{MerchantID: mk.merchant.ID, Environment: openflex.Training, Name: "Revolving with a monthly fee", Category: openflex.PlanRegular,
			Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 19990, AdminFee: 5_00, FeeKind: "monthly"}}}, time.Now())
		if err != nil {
			return // Build refuses it: nothing unquotable can be stored
		}
		if err := ev.stores.Data(openflex.Training).CreatePlan(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		number := ev.openAccount(t, auth, mk.stores[0].ID, newApplicant("Zoë", credit.MagicApproveLowRisk))
		body := fmt.Sprintf(`{"amount":100000,"store_id":%q}`, mk.stores[0].ID)
		r := ev.call("POST", "/v1/accounts/"+number+"/quotes", auth, body)
		if opts, _ := r.json["options"].([]any); r.status != 200 || len(opts) != 2 {
			t.Fatalf("POST /v1/accounts/%s/quotes %s = %d %s, want 200 with the 2 other plans' options", number, body, r.status, r.raw)
		}
		// A quote is an object like the others: an id and created first.
		if id, _ := r.json["id"].(string); !strings.HasPrefix(id, "quo_") || r.json["created"] == nil ||
			!strings.HasPrefix(string(r.raw), `{"id":"quo_`) {
			t.Errorf("quote = %s, want it to start with its id and carry created", r.raw)
		}
	})
}

func TestFinancedAuthorization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		fp := ev.createPlans(t, mk)
		on, qc := mk.stores[0].ID, ev.addStore(t, mk, "Montréal", "QC")
		preferred := ev.openAccount(t, auth, on, newApplicant("Zoë", credit.MagicApproveLowRisk))
		standard := ev.openAccount(t, auth, on, newApplicant("Bruno", credit.MagicApproveHighRisk))
		theirs := ev.createPlans(t, ev.merchant(openflex.Training))
		financing := func(p *openflex.Plan, months int) map[string]any {
			return map[string]any{"plan_id": p.ID, "term_months": months}
		}
		tests := []struct {
			name, number, store string
			amount              int64
			financing           map[string]any
			lang                string
			status              int
			code, param         string
		}{
			{"equal payments", preferred, on, 1_000_00, financing(fp.equal, 12), "", 201, "", ""},
			{"regular", standard, on, 1_000_00, financing(fp.regular, 0), "", 201, "", ""},
			{"deferred in QC, in French", standard, qc, 1_000_00, financing(fp.deferred, 6), "fr-CA", 201, "", ""},
			{"deferred outside QC", standard, on, 1_000_00, financing(fp.deferred, 6), "", 400, "plan_not_available", "financing.plan_id"},
			{"no such term", preferred, on, 1_000_00, financing(fp.equal, 24), "", 400, "plan_not_available", "financing.term_months"},
			{"preferred plan, standard account", standard, on, 1_000_00, financing(fp.equal, 12), "", 400, "plan_not_available", "financing.plan_id"},
			{"below the plan's minimum", preferred, on, 100_00, financing(fp.equal, 12), "", 400, "plan_not_available", "financing.plan_id"},
			{"PRODUCTION-only plan", preferred, on, 1_000_00, financing(fp.production, 24), "", 400, "plan_not_available", "financing.plan_id"},
			{"another merchant's plan", preferred, on, 1_000_00, financing(theirs.regular, 0), "", 400, "plan_not_available", "financing.plan_id"},
			{"no plan id", preferred, on, 1_000_00, map[string]any{"term_months": 12}, "", 400, "parameter_missing", "financing.plan_id"},
			{"more than the available credit", standard, qc, 6_000_01, financing(fp.deferred, 6), "", 402, "insufficient_credit", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				body := authorizationBody(tc.number, tc.store, "online", tc.amount, nil, tc.financing)
				r := ev.call("POST", "/v1/authorizations", auth, body, "Accept-Language", tc.lang)
				if r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
					t.Fatalf("POST /v1/authorizations %s = %d %s (param %q), want %d %s (param %q)\n%s",
						body, r.status, r.code(), r.param(), tc.status, tc.code, tc.param, r.raw)
				}
				if tc.status != 201 {
					return
				}
				f := r.object("financing")
				d, _ := f["disclosure"].(string)
				if f["plan_id"] != tc.financing["plan_id"] || f["term_months"] != float64(tc.financing["term_months"].(int)) || d == "" {
					t.Fatalf("POST /v1/authorizations financing = %v, want the plan and term with a disclosure", f)
				}
				if tc.lang != "" && !strings.Contains(d, "TAC") && !strings.Contains(d, "taux") {
					t.Errorf("POST /v1/authorizations (%s) disclosure = %q, want French", tc.lang, d)
				}
			})
		}
	})
}
