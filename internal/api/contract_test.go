package api

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/storetest"
)

// TestQuoteHonoursIdempotencyKey: the quote route declares
// Idempotency-Key like every POST, so it checks and honours it like every
// POST: a key of 256 characters or with non-ASCII is refused, the same key
// with another body is 422, a retry is replayed.
func TestQuoteHonoursIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		number := ev.openAccount(t, auth, store, newApplicant("Zoë", credit.MagicApproveLowRisk))
		path := "/v1/accounts/" + number + "/quotes"
		body := func(amount int) string { return fmt.Sprintf(`{"amount":%d,"store_id":%q}`, amount, store) }
		tests := []struct {
			name, key, body string
			status          int
			code, replayed  string
		}{
			{"first", "quote-1", body(1000_00), 200, "", ""},
			{"retry", "quote-1", body(1000_00), 200, "", "true"},
			{"same key, another amount", "quote-1", body(2000_00), 422, "idempotency_key_reused", ""},
			{"a key of 256 characters", strings.Repeat("k", 256), body(1000_00), 400, "parameter_invalid", ""},
			{"a non-ASCII key", "clé-1", body(1000_00), 400, "parameter_invalid", ""},
		}
		for _, tc := range tests {
			r := ev.call("POST", path, auth, tc.body, "Idempotency-Key", tc.key)
			if r.status != tc.status || r.code() != tc.code || r.header.Get("Idempotent-Replayed") != tc.replayed {
				t.Errorf("%s: POST %s = %d %s (Idempotent-Replayed %q), want %d %s (%q)\n%s", tc.name, path, r.status, r.code(),
					r.header.Get("Idempotent-Replayed"), tc.status, tc.code, tc.replayed, r.raw)
			}
		}
	})
}

// TestParametersNamedAsDocumented: a missing amount is parameter_missing
// on every route, a path's account number is named "number" as the path
// names it, and an account_number filter is checked like the account
// route checks it (a malformed one used to list nothing, silently).
func TestParametersNamedAsDocumented(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		number := ev.openAccount(t, auth, store, newApplicant("Zoë", credit.MagicApproveLowRisk))
		_, typo := luhnNumbers()
		tests := []struct {
			method, path, auth, body string
			code, param              string
		}{
			{"POST", "/v1/accounts/" + number + "/quotes", auth, fmt.Sprintf(`{"store_id":%q}`, store), "parameter_missing", "amount"},
			{"GET", "/v1/public/promotions?client_id=" + mk.keySet.ClientID, "", "", "parameter_missing", "amount"},
			{"GET", "/v1/accounts/" + typo, auth, "", "parameter_invalid", "number"},
			{"GET", "/v1/accounts/123", auth, "", "parameter_invalid", "number"},
			{"POST", "/v1/accounts/" + typo + "/quotes", auth, fmt.Sprintf(`{"amount":100,"store_id":%q}`, store), "parameter_invalid", "number"},
			{"POST", "/v1/accounts/" + typo + "/consent/revoke", auth, `{}`, "parameter_invalid", "number"},
			{"POST", "/v1/test_helpers/accounts/" + typo + "/payments", auth, `{"amount":100}`, "parameter_invalid", "number"},
			{"GET", "/v1/transactions?account_number=12", auth, "", "parameter_invalid", "account_number"},
			{"GET", "/v1/authorizations?account_number=" + typo, auth, "", "parameter_invalid", "account_number"},
		}
		for _, tc := range tests {
			r := ev.call(tc.method, tc.path, tc.auth, tc.body)
			if r.status != 400 || r.code() != tc.code || r.param() != tc.param {
				t.Errorf("%s %s %s = %d %s (param %q), want 400 %s (param %q)\n%s", tc.method, tc.path, tc.body, r.status, r.code(), r.param(), tc.code, tc.param, r.raw)
			}
		}
	})
}

// TestSettlementIDsPerEnvironment: a settlement id is one environment's,
// as every other id: a TRAINING settlement's id answers 404 with
// PRODUCTION keys, and a day without lines makes no settlement, so a
// PRODUCTION merchant with no sales lists none (an open, empty day was
// listed, and the TRAINING id answered with PRODUCTION's empty day).
func TestSettlementIDsPerEnvironment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		var svcs map[openflex.Environment]*settlement.Service
		ev := newEnv(t, e, func(c *Config) {
			c.Settlements = func(env openflex.Environment) *settlement.Service { return svcs[env] }
		})
		svcs = map[openflex.Environment]*settlement.Service{}
		for _, env := range openflex.Environments {
			svcs[env] = &settlement.Service{Env: env, Store: ev.stores.Data(env), Catalog: ev.stores.Control, Render: RenderEvent(env), Now: ev.now}
		}
		mk := ev.merchant(openflex.Training)
		auth := "Basic " + mk.keySet.ClientID + ":" + mk.secret
		if r := ev.call("GET", "/v1/settlements", auth, ""); r.status != 200 || len(r.json["data"].([]any)) != 0 {
			t.Fatalf("TRAINING settlements before any sale = %d %s, want an empty list", r.status, r.raw)
		}
		acct := ev.purchaseAccount(mk, auth, 5000_00)
		r := ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":%q,"amount":10000,"currency":"CAD","store_id":%q,"channel":"online","auto_capture":true}`,
			acct, mk.stores[0].ID))
		if r.status != 201 {
			t.Fatalf("purchase: %d %s", r.status, r.raw)
		}
		r = ev.call("GET", "/v1/settlements", auth, "")
		data, _ := r.json["data"].([]any)
		if r.status != 200 || len(data) != 1 {
			t.Fatalf("TRAINING settlements after a sale = %d %s, want today's", r.status, r.raw)
		}
		id := data[0].(map[string]any)["id"].(string)
		prod := ev.productionKeys(t, mk)
		for _, path := range []string{"/v1/settlements/" + id, "/v1/settlements/" + id + "/lines", "/v1/settlements/" + id + "/lines.csv"} {
			if r := ev.call("GET", path, prod, ""); r.status != 404 || r.code() != "resource_missing" {
				t.Errorf("GET %s with PRODUCTION keys = %d %s, want 404 resource_missing", path, r.status, r.raw)
			}
		}
		if r := ev.call("GET", "/v1/settlements", prod, ""); r.status != 200 || len(r.json["data"].([]any)) != 0 {
			t.Errorf("PRODUCTION settlements without a sale = %d %s, want an empty list", r.status, r.raw)
		}
		if r := ev.call("GET", "/v1/settlements/"+id, auth, ""); r.status != 200 {
			t.Errorf("GET /v1/settlements/%s with TRAINING keys = %d %s, want 200", id, r.status, r.raw)
		}
	})
}

// TestUnknownCursorRefused: a cursor that is none of the listed objects is
// refused naming it; read as "from the start" it made a paging client
// start over without noticing.
func TestUnknownCursorRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		var svcs map[openflex.Environment]*settlement.Service
		ev := newEnv(t, e, func(c *Config) {
			c.Settlements = func(env openflex.Environment) *settlement.Service { return svcs[env] }
		})
		svcs = map[openflex.Environment]*settlement.Service{}
		for _, env := range openflex.Environments {
			svcs[env] = &settlement.Service{Env: env, Store: ev.stores.Data(env), Catalog: ev.stores.Control, Render: RenderEvent(env), Now: ev.now}
		}
		mk := ev.merchant(openflex.Training)
		auth := "Basic " + mk.keySet.ClientID + ":" + mk.secret
		acct := ev.purchaseAccount(mk, auth, 5000_00)
		a := ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":%q,"amount":10000,"currency":"CAD","store_id":%q,"channel":"online","auto_capture":true}`,
			acct, mk.stores[0].ID))
		if a.status != 201 {
			t.Fatalf("purchase: %d %s", a.status, a.raw)
		}
		st := ev.call("GET", "/v1/settlements", auth, "")
		settlementID := st.json["data"].([]any)[0].(map[string]any)["id"].(string)
		for _, list := range []string{"/v1/stores", "/v1/authorizations", "/v1/captures", "/v1/returns", "/v1/transactions", "/v1/events",
			"/v1/settlements", "/v1/settlements/" + settlementID + "/lines"} {
			for _, param := range []string{"starting_after", "ending_before"} {
				path := list + "?" + param + "=evt_nope"
				if r := ev.call("GET", path, auth, ""); r.status != 400 || r.code() != "parameter_invalid" || r.param() != param {
					t.Errorf("GET %s = %d %s, want 400 parameter_invalid naming %s", path, r.status, r.raw, param)
				}
			}
			// A real cursor still pages.
			first := ev.call("GET", list+"?limit=1", auth, "")
			if data, _ := first.json["data"].([]any); len(data) == 1 {
				next := list + "?limit=1&starting_after=" + data[0].(map[string]any)["id"].(string)
				if r := ev.call("GET", next, auth, ""); r.status != 200 {
					t.Errorf("GET %s = %d %s, want 200", next, r.status, r.raw)
				}
			}
		}
	})
}

// TestReferenceIDDeclared: the server echoes X-Reference-Id on every
// answer, so every response of the document declares it (a generated
// client reads only declared headers).
func TestReferenceIDDeclared(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range item.Operations() {
			for status, ref := range op.Responses.Map() {
				if ref.Value.Headers["X-Reference-Id"] == nil {
					t.Errorf("%s %s → %s does not declare X-Reference-Id", method, path, status)
				}
			}
		}
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		r := ev.call("GET", "/v1/stores", "Basic "+mk.keySet.ClientID+":"+mk.secret, "", "X-Reference-Id", "till-7/receipt-42")
		if got := r.header.Get("X-Reference-Id"); got != "till-7/receipt-42" {
			t.Errorf("X-Reference-Id = %q, want it echoed", got)
		}
	})
}

// TestOpenAPIGeneratorShapes keeps request schemas in shapes generators
// type as the server reads them: no default in a request schema or a
// parameter (openapi-typescript makes such a property required, so a
// client had to send auto_capture and final), and no anyOf/oneOf beside
// properties (ReturnRequest's "amount or full" typed as unknown, so
// {"amout":1,"ful":"yes"} compiled).
func TestOpenAPIGeneratorShapes(t *testing.T) {
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas    map[string]any `json:"schemas"`
			Parameters map[string]any `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIDocument, &d); err != nil {
		t.Fatal(err)
	}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["default"]; ok {
				t.Errorf("%s: a default in a request schema or parameter (say it in the description)", where)
			}
			_, props := v["properties"]
			for _, k := range []string{"anyOf", "oneOf", "allOf"} {
				if _, ok := v[k]; ok && props {
					t.Errorf("%s: %s beside properties types as unknown; make each alternative a whole object", where, k)
				}
			}
			for k, c := range v {
				walk(where+"."+k, c)
			}
		case []any:
			for i, c := range v {
				walk(fmt.Sprintf("%s[%d]", where, i), c)
			}
		}
	}
	for name, s := range d.Components.Schemas {
		if strings.HasSuffix(name, "Request") || name == "LineItem" || name == "Taxes" || name == "Metadata" {
			walk(name, s)
		}
	}
	walk("parameters", d.Components.Parameters)
	for path, item := range d.Paths {
		for method, raw := range item {
			var op struct {
				Parameters any `json:"parameters"`
			}
			json.Unmarshal(raw, &op)
			walk(method+" "+path, op.Parameters)
		}
	}
}

// TestTypeScriptClientCallsEveryOperation keeps tools/openapi-ts/client.ts
// (type-checked by scripts/test against the types openapi-typescript
// generates from the document) calling every operation.
func TestTypeScriptClientCallsEveryOperation(t *testing.T) {
	src, err := os.ReadFile("../../tools/openapi-ts/client.ts")
	if err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if method == "OPTIONS" {
				continue // a browser's pre-flight, not a client call
			}
			call := fmt.Sprintf("client.%s(%q", method, path)
			if !strings.Contains(string(src), call) {
				t.Errorf("tools/openapi-ts/client.ts does not call %s %s (%s…)", method, path, call)
			}
		}
	}
}
