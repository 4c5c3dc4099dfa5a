package sdktest_test

import (
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/sdk"
)

// openAPIPath is the server's contract, next to the handlers.
const openAPIPath = "../api/openapi.json"

type openAPI struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// sdkOperations maps every /v1 operation of the contract to the client
// method that calls it.
var sdkOperations = map[string]string{
	"listStores":              "Stores.List Stores.All",
	"getStore":                "Stores.Get",
	"getStoreSummary":         "Stores.Summary",
	"listPlans":               "Plans.List",
	"getKeySet":               "KeySet.Get",
	"replaceKeySetTrust":      "KeySet.ReplaceTrust",
	"createApplication":       "Applications.Create",
	"getApplication":          "Applications.Get",
	"getAccount":              "Accounts.Get",
	"searchCustomers":         "Accounts.Search",
	"createVerification":      "Accounts.CreateVerification",
	"revokeConsent":           "Accounts.RevokeConsent",
	"createQuote":             "Accounts.Quote",
	"createAuthorization":     "Authorizations.Create",
	"listAuthorizations":      "Authorizations.List Authorizations.All",
	"getAuthorization":        "Authorizations.Get",
	"createCapture":           "Authorizations.Capture",
	"releaseAuthorization":    "Authorizations.Release",
	"listCaptures":            "Captures.List Captures.All",
	"getCapture":              "Captures.Get",
	"createReturn":            "Captures.Return",
	"listReturns":             "Returns.List Returns.All",
	"getReturn":               "Returns.Get",
	"listTransactions":        "Transactions.List Transactions.All",
	"listSettlements":         "Settlements.List Settlements.All",
	"getSettlement":           "Settlements.Get",
	"listSettlementLines":     "Settlements.Lines Settlements.AllLines",
	"downloadSettlementLines": "Settlements.DownloadLines",
	"listEvents":              "Events.List Events.All",
	"redeliverEvent":          "Events.Redeliver",
	"createWebhookEndpoint":   "WebhookEndpoints.Create",
	"listWebhookEndpoints":    "WebhookEndpoints.List",
	"getWebhookEndpoint":      "WebhookEndpoints.Get",
	"deleteWebhookEndpoint":   "WebhookEndpoints.Delete",
	"rollWebhookSecret":       "WebhookEndpoints.RollSecret",
	"listWebhookDeliveries":   "WebhookEndpoints.Deliveries WebhookEndpoints.AllDeliveries",
	"testDecideApplication":   "TestHelpers.DecideApplication",
	"testCreatePayment":       "TestHelpers.Pay",
	"testExpireAuthorization": "TestHelpers.ExpireAuthorization",
	"testCloseSettlements":    "TestHelpers.CloseSettlements",
	"createCheckout":          "Checkouts.Create",
	"getCheckout":             "Checkouts.Get",
	"cancelCheckout":          "Checkouts.Cancel",
	"getPromotion":            "Promotions.Get",
	"createPayment":           "Accounts.CreatePayment",
	"testCreateTestClock":     "TestHelpers.CreateTestClock",
	"testGetTestClock":        "TestHelpers.GetTestClock",
	"testAdvanceTestClock":    "TestHelpers.AdvanceTestClock",
	"testAttachTestClock":     "TestHelpers.AttachTestClock",
}

// TestEveryOperationHasAMethod fails when the contract gains a /v1
// operation the SDK does not call.
func TestEveryOperationHasAMethod(t *testing.T) {
	doc := loadOpenAPI(t)
	c := reflect.ValueOf(&sdk.Client{}).Elem()
	seen := map[string]bool{}
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, raw := range ops {
			if method == "options" {
				continue // CORS pre-flights are the browser's
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &op) != nil || op.OperationID == "" {
				continue
			}
			seen[op.OperationID] = true
			methods, ok := sdkOperations[op.OperationID]
			if !ok {
				t.Errorf("%s %s (%s) has no SDK method", strings.ToUpper(method), path, op.OperationID)
				continue
			}
			for _, m := range strings.Fields(methods) {
				svc, name, _ := strings.Cut(m, ".")
				f := c.FieldByName(svc)
				if !f.IsValid() || !f.Type().Implements(reflect.TypeFor[any]()) || f.Kind() != reflect.Pointer {
					t.Errorf("%s: Client has no service %s", op.OperationID, svc)
					continue
				}
				if _, ok := f.Type().MethodByName(name); !ok {
					t.Errorf("%s: %s has no method %s", op.OperationID, f.Type(), name)
				}
			}
		}
	}
	for id := range sdkOperations {
		if !seen[id] {
			t.Errorf("SDK maps operation %s, which the contract no longer has", id)
		}
	}
}

// schemaTypes pairs the contract's schemas with the SDK's types.
var schemaTypes = map[string]any{
	"Store": sdk.Store{}, "KeySet": sdk.KeySet{}, "KeySetTrustRequest": sdk.TrustParams{}, "StoreSummary": sdk.StoreSummary{}, "SummaryLine": sdk.SummaryTotal{},
	"PlanTerm": sdk.PlanTerm{}, "Plan": sdk.Plan{}, "MerchantFee": sdk.MerchantFee{},
	"Settlement": sdk.Settlement{}, "SettlementStore": sdk.SettlementStore{}, "SettlementLine": sdk.SettlementLine{}, "Account": sdk.Account{}, "Application": sdk.Application{},
	"Reason": sdk.Reason{}, "Verification": sdk.Verification{}, "QuoteOption": sdk.QuoteOption{}, "Quote": sdk.Quote{},
	"Financing": sdk.Financing{}, "LineItem": sdk.LineItem{}, "Taxes": sdk.Taxes{}, "Capture": sdk.Capture{},
	"Authorization": sdk.Authorization{}, "Return": sdk.Return{}, "Transaction": sdk.Transaction{}, "Event": sdk.Event{},
	"WebhookEndpoint": sdk.WebhookEndpoint{}, "DeletedWebhookEndpoint": sdk.DeletedWebhookEndpoint{},
	"WebhookAttempt": sdk.WebhookAttempt{}, "WebhookDelivery": sdk.WebhookDelivery{},
	"Checkout": sdk.Checkout{}, "Promotion": sdk.Promotion{},
	"AccountWithConsent": sdk.AccountWithConsent{}, "Consent": sdk.AccountConsent{}, "ConsentRevokeRequest": sdk.ConsentRevokeParams{},

	"ApplicationRequest": sdk.ApplicationParams{}, "AuthorizationRequest": sdk.AuthorizationParams{},
	"CaptureRequest": sdk.CaptureParams{}, "ReturnRequest": sdk.ReturnParams{}, "VerificationRequest": sdk.VerificationParams{},
	"QuoteRequest": sdk.QuoteParams{}, "WebhookEndpointRequest": sdk.WebhookEndpointParams{},
	"RedeliverRequest": sdk.RedeliverParams{}, "DecideRequest": sdk.DecideApplicationParams{}, "PaymentRequest": sdk.PaymentParams{},
	"EmptyRequest": sdk.ReleaseParams{}, "CheckoutRequest": sdk.CheckoutParams{},

	"Payment": sdk.Payment{}, "Statement": sdk.Statement{}, "AccountStatusChange": sdk.AccountStatusChange{}, "TestClock": sdk.TestClock{},
	"InStorePaymentRequest": sdk.InStorePaymentParams{}, "TestClockCreateRequest": sdk.TestClockParams{},
	"TestClockAdvanceRequest": sdk.AdvanceTestClockParams{}, "TestClockAttachRequest": sdk.AttachTestClockParams{},
}

// TestTypesMatchTheContract compares every SDK type with its schema: the
// same JSON names (a missing one drops data, an extra one is a typo),
// compatible kinds, money as integers, times as time.Time, and a pointer
// (or slice or map) wherever a reply may hold null.
func TestTypesMatchTheContract(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := doc.Components.Schemas
	for name, v := range schemaTypes {
		s, ok := schemas[name]
		if !ok {
			t.Errorf("the contract has no schema %s", name)
			continue
		}
		checkObject(t, schemas, name, s, reflect.TypeOf(v), strings.HasSuffix(name, "Request"))
	}
	// Every object schema of the contract is either paired or a list.
	for name, s := range schemas {
		if _, ok := schemaTypes[name]; ok || s["properties"] == nil || strings.HasSuffix(name, "List") {
			continue
		}
		switch name {
		case "Error", "OAuthError", "AccessToken": // read by the client's internals
		default:
			t.Errorf("schema %s has no SDK type", name)
		}
	}
}

// jsonFields returns a struct's fields by JSON name, embedded structs
// flattened, "-" skipped.
func jsonFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" && f.Anonymous && f.Type.Kind() == reflect.Struct && f.Type.Name() != "ListParams" {
			maps.Copy(out, jsonFields(f.Type)) // an embedded object: encoding/json flattens it
			continue
		}
		if name == "" {
			continue // embedded ListParams and the like are query parameters
		}
		out[name] = f
	}
	return out
}

func checkObject(t *testing.T, schemas map[string]map[string]any, path string, s map[string]any, typ reflect.Type, request bool) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		t.Errorf("%s: SDK type %s is not a struct", path, typ)
		return
	}
	props, _ := s["properties"].(map[string]any)
	if alts, ok := s["oneOf"].([]any); ok && props == nil {
		// One of several whole shapes (a return: amount, or full): one SDK
		// type carries the members of them all.
		props = map[string]any{}
		for _, alt := range alts {
			ap, _ := alt.(map[string]any)["properties"].(map[string]any)
			for k, v := range ap {
				if _, seen := props[k]; !seen {
					props[k] = v
				}
			}
		}
	}
	fields := jsonFields(typ)
	var names []string
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f, ok := fields[n]
		if !ok {
			t.Errorf("%s.%s: no field of %s has this JSON name", path, n, typ)
			continue
		}
		checkProperty(t, schemas, path+"."+n, props[n].(map[string]any), f.Type, request)
	}
	for n := range fields {
		if _, ok := props[n]; !ok {
			t.Errorf("%s: field %s.%s (json %q) is not in the contract", path, typ, fields[n].Name, n)
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

func checkProperty(t *testing.T, schemas map[string]map[string]any, path string, p map[string]any, typ reflect.Type, request bool) {
	t.Helper()
	types, nullable := schemaTypesOf(p)
	if ref, ok := p["$ref"].(string); ok {
		p = schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		types, _ = schemaTypesOf(p)
	} else if one, ok := p["oneOf"].([]any); ok {
		for _, alt := range one {
			a := alt.(map[string]any)
			if ref, ok := a["$ref"].(string); ok {
				p = schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
				types, _ = schemaTypesOf(p)
			}
		}
	}
	if nullable && !request {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
		default:
			t.Errorf("%s: may be null, but SDK type %s cannot tell null apart", path, typ)
		}
	}
	base := typ
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	switch {
	case slices.Contains(types, "integer"):
		switch base.Kind() {
		case reflect.Int, reflect.Int64:
		default:
			t.Errorf("%s: an integer (cents or a count), SDK has %s", path, typ)
		}
	case slices.Contains(types, "number"):
		t.Errorf("%s: the contract uses a float", path)
	case slices.Contains(types, "boolean"):
		if base.Kind() != reflect.Bool {
			t.Errorf("%s: a boolean, SDK has %s", path, typ)
		}
	case slices.Contains(types, "string"):
		if p["format"] == "date-time" {
			if base != timeType {
				t.Errorf("%s: a date-time, SDK has %s", path, typ)
			}
		} else if base.Kind() != reflect.String {
			t.Errorf("%s: a string, SDK has %s", path, typ)
		}
	case slices.Contains(types, "array"):
		if base.Kind() != reflect.Slice {
			t.Errorf("%s: an array, SDK has %s", path, typ)
			return
		}
		if items, ok := p["items"].(map[string]any); ok {
			checkProperty(t, schemas, path+"[]", items, base.Elem(), request)
		}
	case slices.Contains(types, "object"):
		if _, ok := p["properties"]; ok {
			checkObject(t, schemas, path, p, base, request)
		} else if base.Kind() != reflect.Map && base != reflect.TypeFor[json.RawMessage]() {
			t.Errorf("%s: a free-form object, SDK has %s", path, typ)
		}
	}
}

// schemaTypesOf returns a schema's JSON types (those of its "const" or
// "enum" values when it has no "type") and whether it admits null.
func schemaTypesOf(p map[string]any) ([]string, bool) {
	var types []string
	switch v := p["type"].(type) {
	case string:
		types = append(types, v)
	case []any:
		for _, x := range v {
			types = append(types, x.(string))
		}
	}
	if c, ok := p["const"]; ok && len(types) == 0 {
		switch c.(type) {
		case bool:
			types = append(types, "boolean")
		case float64:
			types = append(types, "integer")
		default:
			types = append(types, "string")
		}
	}
	if e, ok := p["enum"].([]any); ok && len(types) == 0 && len(e) > 0 {
		if _, isString := e[0].(string); isString {
			types = append(types, "string")
		}
	}
	nullable := slices.Contains(types, "null")
	if one, ok := p["oneOf"].([]any); ok {
		for _, alt := range one {
			if a, ok := alt.(map[string]any); ok && a["type"] == "null" {
				nullable = true
			}
		}
	}
	if len(types) == 0 && p["properties"] != nil {
		types = append(types, "object")
	}
	return types, nullable
}
