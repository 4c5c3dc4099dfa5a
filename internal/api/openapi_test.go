package api

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/storetest"
)

// loadOpenAPI loads and validates the embedded document.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// routePatterns reads the route table from routes() in server.go: every
// m.Handle("METHOD /path", …) line, as "METHOD /path" in OpenAPI syntax.
func routePatterns(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("server.go")
	if err != nil {
		t.Fatal(err)
	}
	body := string(src)
	start := strings.Index(body, "func (s *Server) routes() {")
	if start < 0 {
		t.Fatal("server.go: func (s *Server) routes() not found")
	}
	body = body[start:]
	if end := strings.Index(body, "\n}\n"); end >= 0 {
		body = body[:end]
	}
	re := regexp.MustCompile(`m\.Handle(?:Func)?\("([A-Z]+) (/[^"]*)"`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	if len(out) == 0 {
		t.Fatal("no m.Handle(\"METHOD /path\", …) found in routes()")
	}
	return out
}

// openAPIPath turns a ServeMux path pattern into an OpenAPI path: {name}
// is the same, {name...} becomes {name} and a trailing {$} goes.
func openAPIPath(p string) string {
	p = strings.TrimSuffix(p, "{$}")
	return regexp.MustCompile(`\{([^}.]+)\.\.\.\}`).ReplaceAllString(p, "{$1}")
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	srv := New(Config{})
	doc := loadOpenAPI(t)

	routes := map[string]bool{}
	for _, pattern := range routePatterns(t) {
		method, path, _ := strings.Cut(pattern, " ")
		// The source scan must agree with the live route table.
		concrete := regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(strings.TrimSuffix(path, "{$}"), "x1")
		if _, got := srv.mux.Handler(httptest.NewRequest(method, concrete, nil)); got != pattern {
			t.Errorf("server.go declares %q but the mux routes %s %s to %q", pattern, method, concrete, got)
		}
		routes[method+" "+openAPIPath(path)] = true
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}

	var missing, extra []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routes[d] {
			extra = append(extra, d)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json documents operations that are not in the route table:\n  %s", strings.Join(extra, "\n  "))
	}
}

func TestOpenAPIDocumentValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := strings.ToUpper(method) + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %q", where, other, op.OperationID)
			} else {
				ids[op.OperationID] = where
			}
			if strings.TrimSpace(op.Summary) == "" {
				t.Errorf("%s has no summary", where)
			}
			if !strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/v1/public/") {
				continue // public endpoints take no credentials: no 401/403 and no key-set rate limit
			}
			// The shared errors of API.md every /v1 call can meet.
			want := []int{401, 403, 429, 500}
			if method == "POST" {
				want = append(want, 400, 409, 413, 422)
				if !hasParam(op, "header", "Idempotency-Key") {
					t.Errorf("%s does not document the Idempotency-Key header", where)
				}
				if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
					t.Errorf("%s documents no application/json request body", where)
				}
			}
			for _, status := range want {
				if op.Responses.Status(status) == nil {
					t.Errorf("%s does not list status %d", where, status)
				}
			}
			if !hasParam(op, "header", "Accept-Language") {
				t.Errorf("%s does not document Accept-Language", where)
			}
		}
	}
}

func hasParam(op *openapi3.Operation, in, name string) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == in && strings.EqualFold(p.Value.Name, name) {
			return true
		}
	}
	return false
}

// TestOpenAPIContractTour calls every /v1 route, successes and the errors
// of API.md, so that checkContract validates each real response against
// the document.
func TestOpenAPIContractTour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		store := mk.stores[0].ID
		auth := "Bearer " + ev.token(mk)
		fr := []string{"Accept-Language", "fr-CA"}
		expect := func(r reply, status int, code string) reply {
			t.Helper()
			if r.status != status || (code != "" && r.code() != code) {
				t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, code)
			}
			return r
		}
		str := func(r reply, key string) string {
			t.Helper()
			s, ok := r.json[key].(string)
			if !ok {
				t.Fatalf("no %s in %s", key, r.raw)
			}
			return s
		}

		for _, np := range []plans.NewPlan{
			{MerchantID: mk.merchant.ID, Environment: openflex.Training, Name: "Regular", NameFR: "Achat régulier", Category: openflex.PlanRegular,
				Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 29990}}},
			{MerchantID: mk.merchant.ID, Environment: openflex.Training, Name: "12 equal payments", Category: openflex.PlanEqualPayments,
				Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 0, AdminFee: 4999}}, MinAmount: 300_00, MaxAmount: 5000_00,
				Provinces: []openflex.Province{"ON"}, RiskCategories: []openflex.RiskCategory{openflex.RiskPreferred}},
		} {
			p, err := plans.Build(np, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := ev.stores.Data(openflex.Training).CreatePlan(context.Background(), p); err != nil {
				t.Fatal(err)
			}
		}
		plansList := expect(ev.call("GET", "/v1/plans", auth, ""), 200, "")
		var planID string
		for _, p := range plansList.json["data"].([]any) {
			if p := p.(map[string]any); p["category"] == "equal_payments" {
				planID = p["id"].(string)
			}
		}

		apply := func(middle, last string, headers ...string) reply {
			t.Helper()
			body := fmt.Sprintf(`{"store_id":%q,"applicant":{"first_name":"Tour","middle_name":%q,"last_name":%q,
				"date_of_birth":"1984-02-29","email":"tour@example.com","phone":"(416) 555-0123",
				"address":{"line1":"10 King St W","line2":"Suite 5","city":"Toronto","province":"ON","postal_code":"M5H1A1"},
				"annual_income":8000000,"employment_status":"employed","housing_status":"rent","monthly_housing_cost":150000},
				"requested_amount":300000,"consent":{"credit_check":true,"terms_accepted":true},"language":"en"}`, store, middle, last)
			return ev.call("POST", "/v1/applications", auth, body, headers...)
		}
		// Applications: approved (with its account), declined, pending then
		// decided, and the validation errors.
		app := expect(apply("A-RR_L", "Approved", "Idempotency-Key", "tour-app-1"), 201, "")
		expect(apply("A-RR_L", "Approved", "Idempotency-Key", "tour-app-1"), 201, "")
		expect(apply("A-RR_L", "Different", "Idempotency-Key", "tour-app-1"), 422, "idempotency_key_reused")
		acct := app.json["account"].(map[string]any)["account_number"].(string)
		expect(ev.call("GET", "/v1/applications/"+str(app, "id"), auth, "", fr...), 200, "")
		expect(apply("D-NO_HIT", "Declined", fr...), 201, "")
		pending := expect(apply("P-CREDIT", "Pending"), 201, "")
		expect(ev.call("POST", "/v1/test_helpers/applications/"+str(pending, "id")+"/decide", auth, `{"status":"declined"}`), 200, "")
		expect(ev.call("POST", "/v1/test_helpers/applications/"+str(pending, "id")+"/decide", auth, `{"status":"approved"}`), 400, "parameter_invalid")
		expect(ev.call("POST", "/v1/test_helpers/applications/app_nope/decide", auth, `{"status":"approved"}`), 404, "resource_missing")
		expect(ev.call("POST", "/v1/applications", auth, `{"store_id":"str_nope","applicant":{},"consent":{}}`, fr...), 400, "")
		expect(ev.call("POST", "/v1/applications", auth, `{"bogus":1}`), 400, "unknown_parameter")
		expect(ev.call("POST", "/v1/applications", auth, `{"store_id":`+strings.Repeat(" ", 1<<20)+`"x"}`), 413, "body_too_large")
		expect(ev.call("GET", "/v1/applications/app_nope", auth, ""), 404, "resource_missing")

		// Accounts, search, verifications, quotes.
		expect(ev.call("GET", "/v1/accounts/"+acct, auth, ""), 200, "")
		expect(ev.call("GET", "/v1/accounts/12345678901234", auth, ""), 400, "parameter_invalid")
		expect(ev.call("GET", "/v1/accounts/"+acct[:13]+string("0123456789"[(int(acct[13]-'0')+5)%10]), auth, ""), 400, "")
		expect(ev.call("GET", "/v1/customers/search?first_name=Tour&last_name=Approved&date_of_birth=1984-02-29&postal_code=m5h+1a1", auth, ""), 200, "")
		expect(ev.call("GET", "/v1/customers/search?first_name=Tour", auth, ""), 400, "parameter_missing")
		expect(ev.call("GET", "/v1/customers/search?limit=5", auth, ""), 400, "unknown_parameter")
		ver := expect(ev.call("POST", "/v1/accounts/"+acct+"/verifications", auth, `{"channel":"sms"}`), 201, "")
		expect(ev.call("POST", "/v1/accounts/"+acct+"/verifications", auth, `{"channel":"email"}`), 201, "")
		expect(ev.call("POST", "/v1/accounts/"+acct+"/verifications", auth, `{}`), 400, "parameter_missing")
		expect(ev.call("POST", "/v1/accounts/"+acct+"/verifications", auth, `{"channel":"fax"}`), 400, "parameter_invalid")
		expect(ev.call("POST", "/v1/accounts/40000000000002/verifications", auth, `{"channel":"sms"}`), 404, "resource_missing")
		q := expect(ev.call("POST", "/v1/accounts/"+acct+"/quotes", auth, fmt.Sprintf(`{"amount":120000,"store_id":%q}`, store), fr...), 200, "")
		if opts := q.json["options"].([]any); len(opts) != 2 {
			t.Fatalf("quote options: %s", q.raw)
		}
		expect(ev.call("POST", "/v1/accounts/"+acct+"/quotes", auth, `{"amount":0}`), 400, "")

		// Authorizations: in store with a verification and financing.
		authBody := func(amount int64, extra string) string {
			return fmt.Sprintf(`{"account_number":%q,"amount":%d,"currency":"CAD","store_id":%q,"channel":"online"%s}`, acct, amount, store, extra)
		}
		inStore := fmt.Sprintf(`,"channel":"in_store","verification":{"id":%q,"code":"222222"},"financing":{"plan_id":%q,"term_months":12},
			"reference":"INV-1","employee_id":"e1","register_id":"r2","items":[{"sku":"SOFA","description":"Sofa","quantity":1,"unit_price":113000}],
			"taxes":{"gst_hst":14690,"pst":0},"metadata":{"order":"1"}`, str(ver, "id"), planID)
		a := expect(ev.call("POST", "/v1/authorizations", auth, strings.Replace(authBody(127690, inStore), `"channel":"online",`, "", 1), fr...), 201, "")
		id := str(a, "id")
		expect(ev.call("POST", "/v1/authorizations", auth, strings.Replace(authBody(1000, `,"channel":"in_store"`), `"channel":"online",`, "", 1)), 402, "verification_required")
		expect(ev.call("POST", "/v1/authorizations", auth, authBody(9_000_000_00, "")), 402, "insufficient_credit")
		expect(ev.call("POST", "/v1/authorizations", auth, authBody(1000, fmt.Sprintf(`,"financing":{"plan_id":%q,"term_months":6}`, planID))), 400, "plan_not_available")
		expect(ev.call("POST", "/v1/authorizations", auth, `{"amount":-1,"currency":"USD"}`), 400, "")
		expect(ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":"40000000000002","amount":100,"currency":"CAD","store_id":%q,"channel":"online"}`, store)), 404, "resource_missing")
		expect(ev.call("GET", "/v1/authorizations/"+id, auth, ""), 200, "")
		expect(ev.call("GET", "/v1/authorizations/auth_nope", auth, ""), 404, "resource_missing")
		expect(ev.call("GET", "/v1/authorizations?status=pending&store_id="+store+"&account_number="+acct+"&reference=INV-1&limit=5", auth, ""), 200, "")
		expect(ev.call("GET", "/v1/authorizations?limit=0", auth, ""), 400, "parameter_invalid")

		// Captures and returns.
		a = expect(ev.call("POST", "/v1/authorizations/"+id+"/captures", auth, `{"amount":50000,"reference":"CAP-1"}`, "Idempotency-Key", "tour-cap"), 201, "")
		capID := a.json["captures"].([]any)[0].(map[string]any)["id"].(string)
		expect(ev.call("POST", "/v1/authorizations/"+id+"/captures", auth, `{"amount":50000,"reference":"CAP-1"}`, "Idempotency-Key", "tour-cap"), 201, "")
		expect(ev.call("POST", "/v1/authorizations/"+id+"/captures", auth, `{"amount":99999999}`), 409, "amount_exceeds_remaining")
		expect(ev.call("POST", "/v1/authorizations/auth_nope/captures", auth, ``), 404, "resource_missing")
		expect(ev.call("GET", "/v1/captures/"+capID, auth, ""), 200, "")
		expect(ev.call("GET", "/v1/captures/cap_nope", auth, ""), 404, "resource_missing")
		expect(ev.call("GET", "/v1/captures?authorization_id="+id, auth, ""), 200, "")
		ret := expect(ev.call("POST", "/v1/captures/"+capID+"/returns", auth, `{"amount":1000,"reference":"R1","reason":"scratched"}`), 201, "")
		expect(ev.call("POST", "/v1/captures/"+capID+"/returns", auth, `{"full":true}`), 201, "")
		expect(ev.call("POST", "/v1/captures/"+capID+"/returns", auth, `{"full":true}`), 409, "return_exceeds_captured")
		expect(ev.call("POST", "/v1/captures/"+capID+"/returns", auth, `{}`), 400, "parameter_missing")
		expect(ev.call("GET", "/v1/returns/"+str(ret, "id"), auth, ""), 200, "")
		expect(ev.call("GET", "/v1/returns/ret_nope", auth, ""), 404, "resource_missing")
		expect(ev.call("GET", "/v1/returns?capture_id="+capID, auth, ""), 200, "")
		expect(ev.call("POST", "/v1/authorizations/"+id+"/release", auth, ``), 200, "")
		expect(ev.call("POST", "/v1/authorizations/"+id+"/release", auth, `{}`), 409, "authorization_not_open")
		expect(ev.call("POST", "/v1/authorizations/"+id+"/release", auth, `{"now":true}`), 400, "unknown_parameter")

		// Expiry, payments, history, events.
		b := expect(ev.call("POST", "/v1/authorizations", auth, authBody(2000, `,"auto_capture":false`)), 201, "")
		expect(ev.call("POST", "/v1/test_helpers/authorizations/"+str(b, "id")+"/expire", auth, ""), 200, "")
		expect(ev.call("POST", "/v1/test_helpers/authorizations/"+str(b, "id")+"/expire", auth, ""), 409, "authorization_not_open")
		expect(ev.call("POST", "/v1/authorizations", auth, authBody(3000, `,"auto_capture":true`)), 201, "")
		expect(ev.call("POST", "/v1/test_helpers/accounts/"+acct+"/payments", auth, `{"amount":100}`), 200, "")
		expect(ev.call("POST", "/v1/test_helpers/accounts/"+acct+"/payments", auth, `{"amount":9999999999}`), 402, "payment_limit_exceeded")
		expect(ev.call("POST", "/v1/test_helpers/accounts/"+acct+"/payments", auth, `{"amount":0}`), 400, "parameter_invalid")

		// In-store payments and test clocks.
		pv := expect(ev.call("POST", "/v1/accounts/"+acct+"/verifications", auth, `{"channel":"sms"}`), 201, "")
		payBody := func(extra string) string {
			return fmt.Sprintf(`{"amount":2500,"currency":"CAD","channel":"in_store","store_id":%q,"register_id":"R2","employee_id":"E7"%s}`, store, extra)
		}
		expect(ev.call("POST", "/v1/accounts/"+acct+"/payments", auth, payBody("")), 400, "parameter_missing")
		expect(ev.call("POST", "/v1/accounts/"+acct+"/payments", auth, strings.Replace(payBody(`,"verification":{"id":"ver_x","code":"1"}`), "in_store", "online", 1)), 400, "parameter_invalid")
		expect(ev.call("POST", "/v1/accounts/"+acct+"/payments", auth, payBody(fmt.Sprintf(`,"verification":{"id":%q,"code":"222222"}`, str(pv, "id")))), 201, "")
		clock := expect(ev.call("POST", "/v1/test_helpers/test_clocks", auth, `{"frozen_time":"2025-03-01T12:00:00-05:00","name":"tour"}`), 201, "")
		expect(ev.call("POST", "/v1/test_helpers/test_clocks", auth, `{"frozen_time":"March 1st"}`), 400, "parameter_invalid")
		expect(ev.call("GET", "/v1/test_helpers/test_clocks/"+str(clock, "id"), auth, ""), 200, "")
		expect(ev.call("GET", "/v1/test_helpers/test_clocks/clock_nope", auth, ""), 404, "resource_missing")
		expect(ev.call("POST", "/v1/test_helpers/test_clocks/"+str(clock, "id")+"/attach", auth, fmt.Sprintf(`{"account_number":%q}`, acct)), 400, "parameter_invalid")
		expect(ev.call("POST", "/v1/test_helpers/test_clocks/"+str(clock, "id")+"/advance", auth, `{"frozen_time":"2025-04-01T12:00:00-04:00"}`), 200, "")
		expect(ev.call("POST", "/v1/test_helpers/test_clocks/"+str(clock, "id")+"/advance", auth, `{"frozen_time":"2025-03-01T12:00:00-05:00"}`), 400, "parameter_invalid")
		expect(ev.call("GET", "/v1/transactions?type=return&account_number="+acct+"&created_from=2020-01-01&created_to="+time.Now().UTC().Format(time.RFC3339), auth, ""), 200, "")
		expect(ev.call("GET", "/v1/transactions", auth, ""), 200, "")
		expect(ev.call("GET", "/v1/transactions?type=payment", auth, ""), 400, "parameter_invalid")
		evs := expect(ev.call("GET", "/v1/events?limit=100", auth, ""), 200, "")
		if len(evs.json["data"].([]any)) == 0 {
			t.Fatalf("no events: %s", evs.raw)
		}
		expect(ev.call("GET", "/v1/events?created_from=yesterday", auth, ""), 400, "parameter_invalid")
		expect(ev.call("GET", "/v1/stores/"+store+"/summary?date="+time.Now().Format(time.DateOnly), auth, ""), 200, "")
		expect(ev.call("GET", "/v1/stores/"+store+"/summary?date=23/11/2026", auth, ""), 400, "parameter_invalid")
		expect(ev.call("GET", "/v1/stores/str_nope/summary", auth, ""), 404, "resource_missing")

		// Shared errors: authentication and the test helpers in PRODUCTION.
		expect(ev.call("GET", "/v1/plans", "Bearer oft_train_nope", ""), 401, "invalid_token")
		expect(ev.call("POST", "/v1/authorizations", "", authBody(100, "")), 401, "")
		prod := ev.merchant(openflex.Production)
		pauth := "Bearer " + ev.token(prod)
		expect(ev.call("POST", "/v1/test_helpers/accounts/"+acct+"/payments", pauth, `{"amount":100}`), 404, "resource_missing")
		expect(ev.call("POST", "/v1/test_helpers/applications/"+str(app, "id")+"/decide", pauth, `{"status":"approved"}`), 404, "resource_missing")
		expect(ev.call("POST", "/v1/applications", pauth, strings.Replace(fmt.Sprintf(`{"store_id":%q,"applicant":{"first_name":"Prod","last_name":"Person",
			"date_of_birth":"1980-01-01","email":"p@example.com","phone":"416-555-0100",
			"address":{"line1":"1 Bay St","city":"Toronto","province":"ON","postal_code":"M5J 2N8"},
			"annual_income":5000000,"employment_status":"employed","housing_status":"own","monthly_housing_cost":0},
			"consent":{"credit_check":true,"terms_accepted":true}}`, prod.stores[0].ID), "\n", "", -1)), 503, "bureau_unavailable")
		expect(ev.call("POST", "/v1/accounts/"+acct+"/verifications", pauth, `{"channel":"sms"}`), 404, "resource_missing")
		expect(ev.call("POST", "/v1/test_helpers/test_clocks", pauth, `{"frozen_time":"2025-03-01T12:00:00-05:00"}`), 404, "resource_missing")
		expect(ev.call("GET", "/v1/test_helpers/test_clocks/"+str(clock, "id"), pauth, ""), 404, "resource_missing")
	})
}
