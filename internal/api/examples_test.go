package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// examplesOrder is the order the documented examples run in, so each one
// finds what it acts on (the capture after the authorization, the
// consent revoked last). Every operation of the document is here or in
// examplesSkipped.
var examplesOrder = []string{
	"healthz", "readyz", "openapi", "createToken",
	"listStores", "getStore", "getStoreSummary", "listPlans",
	"createApplication", "getApplication", "getAccount", "searchCustomers", "createVerification", "createQuote",
	"createAuthorization", "listAuthorizations", "getAuthorization", "createCapture", "listCaptures", "getCapture",
	"createReturn", "listReturns", "getReturn", "releaseAuthorization",
	"testExpireAuthorization", "testCreatePayment", "testDecideApplication",
	"testCreateTestClock", "testGetTestClock", "testAdvanceTestClock",
	"listTransactions", "listEvents",
	"createWebhookEndpoint", "listWebhookEndpoints", "getWebhookEndpoint", "rollWebhookSecret", "redeliverEvent", "listWebhookDeliveries",
	"createCheckout", "getCheckout", "cancelCheckout", "getPromotion", "preflightPromotion",
	"listSettlements", "getSettlement", "listSettlementLines", "downloadSettlementLines", "testCloseSettlements",
	"revokeConsent", "deleteWebhookEndpoint", "getKeySet", "replaceKeySetTrust",
}

// examplesSkipped are operations the harness does not call, and why.
var examplesSkipped = map[string]string{
	"createPayment": "needs a verification passed at the till, and the walk's is consumed by its in-store authorization; " +
		"TestInStorePaymentOverHTTP runs it end to end",
	"testAttachTestClock": "needs an account with no purchase yet, and the walk's has them; TestWorkedFiguresOnATestClock attaches fresh accounts",
}

// examplesOp is one documented operation.
type examplesOp struct {
	id, method, path string
	op               *openapi3.Operation
}

// examplesWorld runs requests against a real server and validates each
// request and response against the served document.
type examplesWorld struct {
	t      *testing.T
	p      *apptest.Platform
	doc    *openapi3.T
	router routers.Router
	// ids maps each id the document's examples use to the real object
	// standing in for it, filled as the examples create them.
	ids map[string]string
}

type examplesReply struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

// real substitutes the examples' ids with the world's.
func (w *examplesWorld) real(s string) string {
	keys := make([]string, 0, len(w.ids))
	for k := range w.ids {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, w.ids[k])
	}
	return s
}

// request builds op's documented example: path and required query
// parameters from their examples, the filters of a list too (not its
// cursors and dates, which name objects of another list or another day),
// and the body's example.
func (w *examplesWorld) request(o examplesOp, auth bool) (*http.Request, []byte) {
	w.t.Helper()
	path := o.path
	q := url.Values{}
	for _, ref := range o.op.Parameters {
		p := ref.Value
		ex := fmt.Sprint(p.Example)
		switch {
		case p.In == "path":
			if p.Example == nil {
				w.t.Fatalf("%s: path parameter %s has no example", o.id, p.Name)
			}
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(w.real(ex)))
		case p.In != "query":
		case p.Example == nil:
			w.t.Errorf("%s: query parameter %s has no example", o.id, p.Name)
		case p.Required || !slices.Contains([]string{"limit", "starting_after", "ending_before", "created_from", "created_to"}, p.Name):
			q.Set(p.Name, w.real(ex))
		}
	}
	u := w.p.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body []byte
	var contentType string
	if rb := o.op.RequestBody; rb != nil {
		for ct, mt := range rb.Value.Content {
			if mt.Example == nil {
				w.t.Fatalf("%s: the %s body has no example", o.id, ct)
			}
			contentType = ct
			if ct == "application/x-www-form-urlencoded" {
				f := url.Values{}
				for k, v := range mt.Example.(map[string]any) {
					f.Set(k, fmt.Sprint(v))
				}
				body = []byte(f.Encode())
			} else {
				b, _ := json.Marshal(mt.Example)
				body = []byte(w.real(string(b)))
			}
		}
	}
	req, err := http.NewRequest(o.method, u, bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if o.method == http.MethodOptions {
		req.Header.Set("Origin", "https://shop.example.com")
	}
	if auth && (o.op.Security == nil || len(*o.op.Security) > 0) && !strings.HasPrefix(o.path, "/v1/public/") {
		req.SetBasicAuth(w.p.Training.ClientID, w.p.Training.ClientSecret)
	}
	return req, body
}

// send sends req and validates it (with its body) and its answer against
// the document; checkRequest is false for requests broken on purpose.
func (w *examplesWorld) send(o examplesOp, req *http.Request, body []byte, checkRequest bool) examplesReply {
	w.t.Helper()
	route, params, err := w.router.FindRoute(req)
	if err != nil {
		w.t.Fatalf("%s: %s %s is not a route of the document: %v", o.id, req.Method, req.URL, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if checkRequest {
		req.Body = io.NopCloser(bytes.NewReader(body))
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			w.t.Errorf("%s: the documented example request does not match the document: %v", o.id, err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := examplesReply{status: res.StatusCode, header: res.Header, raw: raw}
	json.Unmarshal(raw, &r.json)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		w.t.Errorf("%s: %s %s → %d does not match the document: %v\n%s", o.id, req.Method, req.URL, res.StatusCode, err, raw)
	}
	return r
}

// examplesDNS answers every webhook host with one public address.
type examplesDNS struct{}

func (examplesDNS) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}

// TestDocumentedExamples runs every operation's documented example against
// a real server, in an order where each finds what it acts on, validating
// each request (body included) and each answer against the served
// OpenAPI document; then, for every operation, the error cases the
// document lists: no credentials (401), an id that does not exist (404), an
// unknown body member and an unknown query parameter (400).
func TestDocumentedExamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) {
			c.NoJobs = true
			c.WebhookResolver = examplesDNS{}
		}})
		res, err := http.Get(p.URL + "/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		served, _ := io.ReadAll(res.Body)
		res.Body.Close()
		doc, err := openapi3.NewLoader().LoadFromData(served)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(served, api.OpenAPIDocument) {
			// The served document names this server; that is all that differs.
			doc.Servers = nil
		}
		doc.Servers = openapi3.Servers{{URL: p.URL}}
		router, err := legacy.NewRouter(doc)
		if err != nil {
			t.Fatal(err)
		}
		w := &examplesWorld{t: t, p: p, doc: doc, router: router, ids: map[string]string{}}

		ops := map[string]examplesOp{}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				ops[op.OperationID] = examplesOp{id: op.OperationID, method: method, path: path, op: op}
			}
		}
		for id := range ops {
			if _, skip := examplesSkipped[id]; !skip && !slices.Contains(examplesOrder, id) {
				t.Errorf("operation %s is neither in examplesOrder nor in examplesSkipped", id)
			}
		}

		// The ids the examples name, standing for the world's objects.
		ex := func(id, param string) string {
			o := ops[id]
			for _, ref := range o.op.Parameters {
				if ref.Value.Name == param && ref.Value.Example != nil {
					return fmt.Sprint(ref.Value.Example)
				}
			}
			t.Fatalf("%s has no example for %s", id, param)
			return ""
		}
		w.ids[ex("getStore", "id")] = p.Stores[0].ID
		w.ids[ex("getPromotion", "client_id")] = p.Training.ClientID
		// The Trust IPs of the example must keep allowing the harness.
		w.ids["203.0.113.7"] = "127.0.0.1"
		authEx := ops["createAuthorization"].op.RequestBody.Value.Content.Get("application/json").Example.(map[string]any)
		w.ids[authEx["financing"].(map[string]any)["plan_id"].(string)] = p.Plans[1].ID

		// What the example of each creating operation stands for.
		learn := map[string]func(r examplesReply){
			"testCreateTestClock": func(r examplesReply) {
				w.ids[ex("testGetTestClock", "id")] = r.json["id"].(string)
			},
			"createApplication": func(r examplesReply) {
				w.ids[ex("getApplication", "id")] = r.json["id"].(string)
				w.ids[ex("getAccount", "number")] = r.json["account"].(map[string]any)["account_number"].(string)
			},
			"createAuthorization": func(r examplesReply) {
				w.ids[ex("getAuthorization", "id")] = r.json["id"].(string)
				// Another pending authorization for the expiry helper, and a
				// pending application for the decision helper.
				expire := w.call("POST", "/v1/authorizations", w.real(fmt.Sprintf(`{"account_number":%q,"amount":5000,"currency":"CAD","store_id":%q,"channel":"online"}`,
					ex("getAccount", "number"), ex("getStore", "id"))))
				w.ids[ex("testExpireAuthorization", "id")] = expire["id"].(string)
				pending := w.call("POST", "/v1/applications", w.real(fmt.Sprintf(`{"store_id":%q,"consent":{"credit_check":true,"terms_accepted":true},
					"applicant":{"first_name":"Léa","middle_name":"P-CREDIT","last_name":"Gagnon","date_of_birth":"1990-06-01","email":"lea@example.com",
					"phone":"514-555-0142","annual_income":6000000,"employment_status":"employed","housing_status":"rent","monthly_housing_cost":120000,
					"address":{"line1":"2 Rue Sherbrooke","city":"Toronto","province":"ON","postal_code":"M5H 1A1"}}}`, ex("getStore", "id"))))
				w.ids[ex("testDecideApplication", "id")] = pending["id"].(string)
			},
			"createCapture": func(r examplesReply) {
				w.ids[ex("getCapture", "id")] = r.json["captures"].([]any)[0].(map[string]any)["id"].(string)
			},
			"createReturn":          func(r examplesReply) { w.ids[ex("getReturn", "id")] = r.json["id"].(string) },
			"createWebhookEndpoint": func(r examplesReply) { w.ids[ex("getWebhookEndpoint", "id")] = r.json["id"].(string) },
			"listEvents": func(r examplesReply) {
				all := w.call("GET", "/v1/events?limit=1", "")
				w.ids[ex("redeliverEvent", "id")] = all["data"].([]any)[0].(map[string]any)["id"].(string)
			},
			"createCheckout": func(r examplesReply) { w.ids[ex("getCheckout", "id")] = r.json["id"].(string) },
			"listSettlements": func(r examplesReply) {
				all := w.call("GET", "/v1/settlements", "")
				w.ids[ex("getSettlement", "id")] = all["data"].([]any)[0].(map[string]any)["id"].(string)
			},
		}

		for _, id := range examplesOrder {
			o, ok := ops[id]
			if !ok {
				t.Errorf("examplesOrder names %s, which the document does not have", id)
				continue
			}
			req, body := w.request(o, true)
			r := w.send(o, req, body, true)
			if r.status >= 300 {
				t.Fatalf("%s: the documented example %s %s answered %d: %s", id, req.Method, req.URL, r.status, r.raw)
			}
			if f := learn[id]; f != nil {
				f(r)
			}
		}

		// The error cases, for every operation.
		for _, id := range examplesOrder {
			o := ops[id]
			expect := func(what string, req *http.Request, body []byte, status int, code string) {
				t.Helper()
				r := w.send(o, req, body, false)
				e, _ := r.json["error"].(map[string]any)
				if r.status != status || code != "" && e["code"] != code {
					t.Errorf("%s, %s: %s %s = %d %s, want %d %s", id, what, req.Method, req.URL, r.status, r.raw, status, code)
				}
			}
			if !strings.HasPrefix(o.path, "/v1/") {
				continue
			}
			if !strings.HasPrefix(o.path, "/v1/public/") {
				req, body := w.request(o, false)
				expect("no credentials", req, body, 401, "")
			}
			if o.op.Responses.Status(404) != nil && strings.Contains(o.path, "{") {
				req, body := w.request(o, true)
				for _, ref := range o.op.Parameters {
					if ref.Value.In != "path" {
						continue
					}
					real := w.real(fmt.Sprint(ref.Value.Example))
					unknown := "40000000000002" // a valid check digit, no account
					if i := strings.Index(real, "_"); i > 0 {
						unknown = real[:i] + "_01jd8y4n6p8q0r2s4t6v8w0x00"
					}
					req.URL.Path = strings.Replace(req.URL.Path, real, unknown, 1)
				}
				expect("an id that does not exist", req, body, 404, "resource_missing")
			}
			if o.op.RequestBody != nil && o.op.RequestBody.Value.Content.Get("application/json") != nil {
				req, body := w.request(o, true)
				body = append([]byte(`{"zz_unknown":1,`), bytes.TrimPrefix(body, []byte("{"))...)
				body = bytes.Replace(body, []byte(",}"), []byte("}"), 1)
				req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
				expect("an unknown body member", req, body, 400, "unknown_parameter")
			}
			if o.method != http.MethodOptions {
				req, body := w.request(o, true)
				req.URL.RawQuery = strings.TrimPrefix(req.URL.RawQuery+"&zz_unknown=1", "&")
				expect("an unknown query parameter", req, body, 400, "unknown_parameter")
			}
		}
	})
}

// call is a setup request outside the examples (validated all the same).
func (w *examplesWorld) call(method, path, body string) map[string]any {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.p.URL+path, strings.NewReader(body))
	req.SetBasicAuth(w.p.Training.ClientID, w.p.Training.ClientSecret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	route, _, err := w.router.FindRoute(req)
	if err != nil {
		w.t.Fatal(err)
	}
	o := examplesOp{id: route.Operation.OperationID, method: method, path: route.Path, op: route.Operation}
	r := w.send(o, req, []byte(body), body != "")
	if r.status >= 300 {
		w.t.Fatalf("%s %s = %d %s", method, path, r.status, r.raw)
	}
	return r.json
}
