package securitytest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/storetest"
)

// rangesCase is one request that breaks one documented constraint.
type rangesCase struct {
	op, path, body string
	// code and param are the answer: 400 with this code, naming this member.
	code, param string
	why         string
}

// rangesBase is an otherwise valid request of every operation that takes a
// body or constrained query parameters, with every optional member set so
// each one's constraints can be broken on its own.
func rangesBase(w *strictWorld) map[string]struct {
	path string
	body map[string]any
} {
	type base = struct {
		path string
		body map[string]any
	}
	item := func() map[string]any {
		return map[string]any{"sku": "SOFA-1", "description": "Sofa", "quantity": 1, "unit_price": 400_00}
	}
	return map[string]base{
		"POST /v1/applications": {"/v1/applications", map[string]any{"store_id": w.storeID, "applicant": func() map[string]any {
			a := strictApplicant()
			a["sin"] = "130 692 544"
			a["address"].(map[string]any)["line2"] = "Suite 200"
			return a
		}(), "requested_amount": 100_00, "consent": map[string]any{"credit_check": true, "terms_accepted": true}, "language": "en"}},
		"POST /v1/accounts/{number}/verifications": {"/v1/accounts/" + w.account + "/verifications", map[string]any{"channel": "email"}},
		"POST /v1/accounts/{number}/quotes":        {"/v1/accounts/" + w.account + "/quotes", map[string]any{"amount": 500_00, "store_id": w.storeID}},
		"POST /v1/accounts/{number}/consent/revoke": {"/v1/accounts/" + w.account + "/consent/revoke", map[string]any{"reason": "customer asked",
			"verification": map[string]any{"id": "ver_01jd8y4n6p8q0r2s4t6v8w0x2y", "code": "222222"}}},
		"POST /v1/authorizations": {"/v1/authorizations", map[string]any{"account_number": w.account, "amount": 400_00, "currency": "CAD",
			"store_id": w.storeID, "financing": map[string]any{"plan_id": w.planID, "term_months": 12}, "auto_capture": false,
			"reference": "INV-1", "channel": "online", "verification": map[string]any{"id": "ver_01jd8y4n6p8q0r2s4t6v8w0x2y", "code": "222222"},
			"employee_id": "E1", "register_id": "R1", "items": []any{item()}, "taxes": map[string]any{"gst_hst": 0, "pst": 0},
			"metadata": map[string]any{"order": "1"}}},
		"POST /v1/authorizations/{id}/captures": {"/v1/authorizations/" + w.authID + "/captures", map[string]any{"amount": 100, "reference": "C1", "final": false}},
		"POST /v1/authorizations/{id}/release":  {"/v1/authorizations/" + w.authID + "/release", map[string]any{}},
		"POST /v1/captures/{id}/returns": {"/v1/captures/" + w.captureID + "/returns", map[string]any{"amount": 100, "full": false,
			"reference": "R1", "reason": "damaged"}},
		"POST /v1/webhook_endpoints":                       {"/v1/webhook_endpoints", map[string]any{"url": "https://shop.example.com/hooks2", "events": []any{"*"}}},
		"POST /v1/webhook_endpoints/{id}/roll_secret":      {"/v1/webhook_endpoints/" + w.endpointID + "/roll_secret", map[string]any{}},
		"POST /v1/events/{id}/redeliver":                   {"/v1/events/" + w.eventID + "/redeliver", map[string]any{"endpoint_id": w.endpointID}},
		"POST /v1/test_helpers/applications/{id}/decide":   {"/v1/test_helpers/applications/" + w.appID + "/decide", map[string]any{"status": "approved", "credit_limit": 100_00}},
		"POST /v1/test_helpers/accounts/{number}/payments": {"/v1/test_helpers/accounts/" + w.account + "/payments", map[string]any{"amount": 100}},
		"POST /v1/test_helpers/authorizations/{id}/expire": {"/v1/test_helpers/authorizations/" + w.authID + "/expire", map[string]any{}},
		"POST /v1/test_helpers/settlements/close":          {"/v1/test_helpers/settlements/close", map[string]any{}},
		"POST /v1/checkouts": {"/v1/checkouts", map[string]any{"amount": 400_00, "currency": "CAD", "store_id": w.storeID, "reference": "ORDER-1",
			"items": []any{item()}, "customer": map[string]any{"first_name": "Zoë", "last_name": "Tremblay", "email": "zoe@example.com",
				"phone": "416-555-0199", "date_of_birth": "1988-03-14", "line1": "1 King St W", "line2": "", "city": "Toronto",
				"province": "ON", "postal_code": "M5H 1A1"}, "flow": "apply_or_buy", "auto_capture": false,
			"success_url": "https://shop.example.com/ok", "cancel_url": "https://shop.example.com/cancel", "language": "en"}},
		"POST /v1/checkouts/{id}/cancel": {"/v1/checkouts/" + w.checkoutID + "/cancel", map[string]any{}},
		"POST /v1/accounts/{number}/payments": {"/v1/accounts/" + w.account + "/payments", map[string]any{"amount": 100, "currency": "CAD",
			"channel": "in_store", "store_id": w.storeID, "register_id": "R1", "employee_id": "E1", "reference": "P1",
			"verification": map[string]any{"id": "ver_01jd8y4n6p8q0r2s4t6v8w0x2y", "code": "222222"}}},
		"POST /v1/test_helpers/test_clocks": {"/v1/test_helpers/test_clocks", map[string]any{"frozen_time": "2025-03-01T12:00:00-05:00", "name": "ranges"}},
		"POST /v1/test_helpers/test_clocks/{id}/advance": {"/v1/test_helpers/test_clocks/clock_01jd8y4n6p8q0r2s4t6v8w0x2y/advance",
			map[string]any{"frozen_time": "2025-04-01T12:00:00-04:00"}},
		"POST /v1/test_helpers/test_clocks/{id}/attach": {"/v1/test_helpers/test_clocks/clock_01jd8y4n6p8q0r2s4t6v8w0x2y/attach",
			map[string]any{"account_number": w.account}},

		"POST /v1/key_set/trust": {"/v1/key_set/trust", map[string]any{"trust_urls": []any{"https://shop.example.com"},
			"trust_ips": []any{"127.0.0.1"}}},
		// GET operations: the path with its parameters' valid query.
		"GET /v1/stores":                            {"/v1/stores", nil},
		"GET /v1/stores/{id}/summary":               {"/v1/stores/" + w.storeID + "/summary", nil},
		"GET /v1/customers/search":                  {"/v1/customers/search?first_name=Zo%C3%AB&last_name=Tremblay&date_of_birth=1988-03-14", nil},
		"GET /v1/authorizations":                    {"/v1/authorizations", nil},
		"GET /v1/captures":                          {"/v1/captures", nil},
		"GET /v1/returns":                           {"/v1/returns", nil},
		"GET /v1/transactions":                      {"/v1/transactions", nil},
		"GET /v1/events":                            {"/v1/events", nil},
		"GET /v1/webhook_endpoints/{id}/deliveries": {"/v1/webhook_endpoints/" + w.endpointID + "/deliveries", nil},
		"GET /v1/settlements":                       {"/v1/settlements", nil},
		"GET /v1/settlements/{id}/lines":            {"/v1/settlements/" + w.settlementID + "/lines", nil},
		"GET /v1/public/promotions":                 {"/v1/public/promotions?client_id=" + w.keys.ClientID + "&amount=50000", nil},
	}
}

// rangesDoc is the parts of the OpenAPI document the generator reads.
type rangesDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]map[string]any `json:"schemas"`
		Parameters map[string]map[string]any `json:"parameters"`
	} `json:"components"`
}

func (d *rangesDoc) resolve(s map[string]any) map[string]any {
	for s != nil {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name := ref[strings.LastIndex(ref, "/")+1:]
		if strings.Contains(ref, "/parameters/") {
			s = d.Components.Parameters[name]
		} else {
			s = d.Components.Schemas[name]
		}
	}
	return s
}

// rangesViolations lists, for schema s at path, one value breaking each of
// its constraints, with the code the API must answer.
func rangesViolations(t *testing.T, d *rangesDoc, s map[string]any, path string) []rangesCase {
	s = d.resolve(s)
	var out []rangesCase
	add := func(v any, code, why string) {
		b, _ := json.Marshal(v)
		out = append(out, rangesCase{param: path, code: code, body: string(b), why: why})
	}
	// No request member is nullable: null is never "left out".
	if !rangesNullable(s) {
		add(nil, "parameter_invalid", "null (not nullable)")
	}
	typ, _ := s["type"].(string)
	switch typ {
	case "integer":
		add("1", "parameter_invalid", "type integer")
		add(1.5, "parameter_invalid", "type integer (a fraction)")
	case "string":
		add(12345, "parameter_invalid", "type string")
	case "boolean":
		add("true", "parameter_invalid", "type boolean")
	case "object":
		add("{}", "parameter_invalid", "type object")
	case "array":
		add("[]", "parameter_invalid", "type array")
	}
	if m, ok := s["minimum"].(float64); ok {
		add(int64(m)-1, "parameter_invalid", fmt.Sprintf("minimum %v", m))
	}
	if m, ok := s["maximum"].(float64); ok {
		add(int64(m)+1, "parameter_invalid", fmt.Sprintf("maximum %v", m))
	}
	if m, ok := s["maxLength"].(float64); ok {
		add(strings.Repeat("a", int(m)+1), "parameter_invalid", fmt.Sprintf("maxLength %v", m))
	}
	if m, ok := s["minLength"].(float64); ok && m > 0 {
		add(strings.Repeat("a", int(m)-1), "parameter_invalid", fmt.Sprintf("minLength %v", m))
	}
	if enum, ok := s["enum"].([]any); ok {
		add("zz_not_allowed", "parameter_invalid", "enum")
		if slices.Contains(enum, any("zz_not_allowed")) {
			t.Fatalf("%s: enum holds the test's bad value", path)
		}
	}
	if c, ok := s["const"]; ok {
		add(fmt.Sprint(c)+"X", "parameter_invalid", "const")
	}
	if p, ok := s["pattern"].(string); ok {
		re := regexp.MustCompile(p)
		for _, v := range []string{"zz!", "0", "x_" + strings.Repeat("9", 14)} {
			if !re.MatchString(v) {
				add(v, "parameter_invalid", "pattern "+p)
				break
			}
		}
	}
	if f, _ := s["format"].(string); f == "date" {
		add("2021-02-30", "parameter_invalid", "format date")
	}
	if m, ok := s["minItems"].(float64); ok && m > 0 {
		add([]any{}, "parameter_invalid", fmt.Sprintf("minItems %v", m))
	}
	return out
}

// rangesNullable reports whether schema s admits null (type ["…","null"]).
func rangesNullable(s map[string]any) bool {
	types, _ := s["type"].([]any)
	return slices.Contains(types, any("null"))
}

// rangesBodyCases walks a request body schema: every member's constraints,
// every closed object's unknown members, every array's items.
func rangesBodyCases(t *testing.T, d *rangesDoc, s map[string]any, path string) []rangesCase {
	s = d.resolve(s)
	if branches, ok := s["oneOf"].([]any); ok && s["properties"] == nil {
		// One of several shapes (a return: amount, or full): the base
		// request is the first; its members' constraints are walked.
		s = d.resolve(branches[0].(map[string]any))
	}
	var out []rangesCase
	if path != "" {
		out = rangesViolations(t, d, s, path)
	}
	child := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	if props, ok := s["properties"].(map[string]any); ok {
		names := make([]string, 0, len(props))
		for n := range props {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, rangesBodyCases(t, d, props[n].(map[string]any), child(n))...)
		}
	}
	switch ap := s["additionalProperties"].(type) {
	case bool:
		if !ap {
			out = append(out, rangesCase{param: child("zz_unknown"), code: "unknown_parameter", body: "1", why: "additionalProperties false"})
		}
	case map[string]any:
		out = append(out, rangesViolations(t, d, ap, child("zz_key"))...)
	}
	if items, ok := s["items"].(map[string]any); ok {
		out = append(out, rangesBodyCases(t, d, items, path+"[0]")...)
	}
	return out
}

// rangesSet returns a deep copy of body with the member at path (dots and
// [i]) set to the raw JSON v.
func rangesSet(t *testing.T, body map[string]any, path, v string) string {
	t.Helper()
	b, _ := json.Marshal(body)
	var root any
	json.Unmarshal(b, &root)
	var val any
	if err := json.Unmarshal([]byte(v), &val); err != nil {
		t.Fatal(err)
	}
	var cur any = root
	parts := strings.Split(strings.ReplaceAll(path, "[", ".["), ".")
	for i, p := range parts {
		last := i == len(parts)-1
		if strings.HasPrefix(p, "[") {
			n, _ := strconv.Atoi(strings.Trim(p, "[]"))
			arr, ok := cur.([]any)
			if !ok || n >= len(arr) {
				t.Fatalf("the base body has no %s (at %s)", path, p)
			}
			if last {
				arr[n] = val
			} else {
				cur = arr[n]
			}
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("the base body has no object at %s", path)
		}
		if last {
			obj[p] = val
			break
		}
		if _, ok := obj[p]; !ok {
			t.Fatalf("the base body has no %s: add every optional member to rangesBase", path)
		}
		cur = obj[p]
	}
	out, _ := json.Marshal(root)
	return string(out)
}

// rangesCases reads the served OpenAPI document and generates one request
// per documented constraint of every operation's body and query.
func rangesCases(t *testing.T, w *strictWorld) []rangesCase {
	t.Helper()
	var d rangesDoc
	if err := json.Unmarshal(api.OpenAPIDocument, &d); err != nil {
		t.Fatal(err)
	}
	bases := rangesBase(w)
	var out []rangesCase
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		for method, raw := range d.Paths[p] {
			var op struct {
				Parameters  []map[string]any `json:"parameters"`
				RequestBody *struct {
					Content map[string]struct {
						Schema map[string]any `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if json.Unmarshal(raw, &op) != nil {
				continue // "parameters" shared by the path's operations, say
			}
			name := strings.ToUpper(method) + " " + p
			var cases []rangesCase
			if rb := op.RequestBody; rb != nil {
				if c, ok := rb.Content["application/json"]; ok {
					cases = append(cases, rangesBodyCases(t, &d, c.Schema, "")...)
				}
			}
			for _, prm := range op.Parameters {
				prm = d.resolve(prm)
				if prm["in"] != "query" {
					continue
				}
				s, _ := prm["schema"].(map[string]any)
				for _, c := range rangesViolations(t, &d, s, prm["name"].(string)) {
					var v any
					json.Unmarshal([]byte(c.body), &v)
					switch v := v.(type) {
					case string:
						if c.why == "type integer" {
							continue // "1" is a fine integer in a query
						}
						c.body = v
					case float64:
						if c.why == "type string" {
							continue // every query value is a string
						}
						c.body = strconv.FormatFloat(v, 'f', -1, 64)
					default:
						continue
					}
					c.why = "query " + c.why
					cases = append(cases, c)
				}
			}
			if len(cases) == 0 {
				continue
			}
			base, ok := bases[name]
			if !ok {
				t.Fatalf("%s has documented constraints but no valid base request in rangesBase", name)
			}
			for _, c := range cases {
				c.op = name
				if base.body == nil && method == "get" {
					u, _ := url.Parse(base.path)
					q := u.Query()
					q.Set(c.param, c.body)
					u.RawQuery = q.Encode()
					c.path, c.body = u.String(), ""
				} else {
					c.path = base.path
					c.body = rangesSet(t, base.body, c.param, c.body)
				}
				out = append(out, c)
			}
		}
	}
	return out
}

// TestRangesDocumented sends, for every documented constraint of every
// operation (minimum, maximum, maxLength, minLength, enum, const, pattern,
// format, minItems, type, null where not nullable, closed objects), an
// otherwise valid request that
// breaks it: each must be 400 with a stable code naming the member, and
// change nothing (balances, authorizations, captures, returns, checkouts,
// events, webhook endpoints and deliveries).
func TestRangesDocumented(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := strictSetup(t, e)
		cases := rangesCases(t, w)
		if len(cases) < 200 {
			t.Fatalf("generated only %d cases from the OpenAPI document", len(cases))
		}
		before := strictSnapshot(t, w)
		for _, c := range cases {
			r := strictCall(t, w, strings.Fields(c.op)[0], c.path, c.body)
			if r.status != 400 || r.errField("code") != c.code || r.errField("param") != c.param {
				t.Errorf("%s, %s %s: %s %.200s = %.300v; want 400 %s naming %q", c.op, c.why, c.param, c.path, c.body, r, c.code, c.param)
				strictUnchanged(t, w, before)
			}
		}
		strictUnchanged(t, w, before)
	})
}
