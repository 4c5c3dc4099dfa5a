package api

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
)

var purchaseApplicants atomic.Int64

// purchaseAccount opens an approved account (limit set by lender decision)
// for mk through the API, and returns its number.
func (ev *env) purchaseAccount(mk merchantKeys, auth string, limit int64) string {
	ev.t.Helper()
	n := purchaseApplicants.Add(1)
	body := fmt.Sprintf(`{"store_id":%q,"applicant":{"first_name":"Buyer","middle_name":"P-CREDIT","last_name":"Number%s",
		"date_of_birth":"1985-06-15","email":"buyer@example.com","phone":"4165550199",
		"address":{"line1":"1 Main St","city":"Toronto","province":"ON","postal_code":"M5V 2T6"},
		"annual_income":9000000,"employment_status":"employed","housing_status":"own","monthly_housing_cost":100000},
		"consent":{"credit_check":true,"terms_accepted":true}}`, mk.stores[0].ID, letters(n))
	r := ev.call("POST", "/v1/applications", auth, body)
	if r.status != 201 || r.json["status"] != "pending" {
		ev.t.Fatalf("application: %d %s", r.status, r.raw)
	}
	r = ev.call("POST", "/v1/test_helpers/applications/"+r.json["id"].(string)+"/decide", auth, fmt.Sprintf(`{"status":"approved","credit_limit":%d}`, limit))
	if r.status != 200 {
		ev.t.Fatalf("decide: %d %s", r.status, r.raw)
	}
	return r.json["account"].(map[string]any)["account_number"].(string)
}

// letters spells n in the letters a–z, so every applicant has a distinct
// name (names are letters only; a repeated name and date of birth would be
// a duplicate application).
func letters(n int64) string {
	var b []byte
	for n >= 0 {
		b = append(b, byte('a'+n%26))
		n = n/26 - 1
	}
	return string(b)
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

// TestPurchasesOverHTTP is the purchases issue's acceptance scenario,
// black-box.
func TestPurchasesOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		acct := ev.purchaseAccount(mk, auth, 1000_00)
		store := mk.stores[0].ID
		r := ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":%q,"amount":50000,"currency":"CAD","store_id":%q,"channel":"online","reference":"order-77"}`, acct, store))
		if r.status != 201 || r.json["status"] != "pending" {
			t.Fatalf("authorize: %d %s", r.status, r.raw)
		}
		id := r.json["id"].(string)
		if a := ev.call("GET", "/v1/accounts/"+acct, auth, ""); num(a.json["available_credit"]) != 500_00 {
			t.Fatalf("available after $500 hold: %s", a.raw)
		}
		r = ev.call("POST", "/v1/authorizations/"+id+"/captures", auth, `{"amount":30000}`)
		if r.status != 201 || r.json["status"] != "partially_captured" {
			t.Fatalf("capture $300: %d %s", r.status, r.raw)
		}
		capID := r.json["captures"].([]any)[0].(map[string]any)["id"].(string)
		r = ev.call("POST", "/v1/authorizations/"+id+"/captures", auth, `{"amount":10000,"final":true}`)
		if r.status != 201 || r.json["status"] != "captured" || num(r.json["released_amount"]) != 100_00 {
			t.Fatalf("final capture $100: %d %s", r.status, r.raw)
		}
		if a := ev.call("GET", "/v1/accounts/"+acct, auth, ""); num(a.json["available_credit"]) != 600_00 {
			t.Fatalf("available after capturing $400: %s", a.raw)
		}
		if r = ev.call("POST", "/v1/captures/"+capID+"/returns", auth, `{"amount":15000,"reason":"damaged"}`); r.status != 201 || num(r.json["remaining_capture_amount"]) != 150_00 ||
			r.json["reference"] != "order-77" {
			t.Fatalf("return $150: %d %s", r.status, r.raw)
		}
		if r = ev.call("POST", "/v1/captures/"+capID+"/returns", auth, `{"amount":30000}`); r.status != 409 || r.code() != "return_exceeds_captured" {
			t.Fatalf("return $300: %d %s", r.status, r.raw)
		}
		if r = ev.call("POST", "/v1/authorizations/"+id+"/release", auth, ""); r.status != 409 || r.code() != "authorization_not_open" {
			t.Fatalf("release of a captured authorization: %d %s", r.status, r.raw)
		}
		r = ev.call("GET", "/v1/transactions?store_id="+store, auth, "")
		var got []string
		data := r.json["data"].([]any)
		for i := len(data) - 1; i >= 0; i-- {
			tx := data[i].(map[string]any)
			got = append(got, fmt.Sprintf("%s:%d", tx["type"], num(tx["amount"])))
		}
		if want := "[authorization:50000 capture:30000 capture:10000 release:10000 return:15000]"; fmt.Sprint(got) != want {
			t.Fatalf("history = %v, want %s", got, want)
		}
		r = ev.call("GET", "/v1/stores/"+store+"/summary", auth, "")
		if r.status != 200 || num(r.json["net_amount"]) != 250_00 {
			t.Fatalf("summary: %d %s", r.status, r.raw)
		}
		r = ev.call("GET", "/v1/events?type=authorization.captured", auth, "")
		if evs := r.json["data"].([]any); len(evs) != 2 {
			t.Fatalf("authorization.captured events: %d, want 2: %s", len(evs), r.raw)
		}
		// The other environment and other merchants see none of it.
		other := ev.merchant(openflex.Training)
		oauth := "Bearer " + ev.token(other)
		prod := ev.merchant(openflex.Production)
		pauth := "Bearer " + ev.token(prod)
		for _, path := range []string{"/v1/authorizations/" + id, "/v1/captures/" + capID} {
			if r := ev.call("GET", path, oauth, ""); r.status != 404 {
				t.Errorf("another merchant reads %s: %d", path, r.status)
			}
			if r := ev.call("GET", path, pauth, ""); r.status != 404 {
				t.Errorf("PRODUCTION reads TRAINING %s: %d", path, r.status)
			}
		}
		if r := ev.call("GET", "/v1/accounts/"+acct, pauth, ""); r.status != 404 {
			t.Errorf("PRODUCTION reads a TRAINING account: %d", r.status)
		}
		if r := ev.call("GET", "/v1/transactions", oauth, ""); len(r.json["data"].([]any)) != 0 {
			t.Errorf("another merchant's history shows %s", r.raw)
		}
		if r := ev.call("POST", "/v1/test_helpers/authorizations/"+id+"/expire", pauth, ""); r.status != 404 {
			t.Errorf("test helper with PRODUCTION keys: %d", r.status)
		}
	})
}

// TestRetriedAuthorizationMovesMoneyOnce fires 50 concurrent retries of one
// authorization with one Idempotency-Key.
func TestRetriedAuthorizationMovesMoneyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		acct := ev.purchaseAccount(mk, auth, 1000_00)
		body := fmt.Sprintf(`{"account_number":%q,"amount":12345,"currency":"CAD","store_id":%q,"channel":"online","auto_capture":true}`, acct, mk.stores[0].ID)
		var wg sync.WaitGroup
		replies := make([]reply, 50)
		for i := range replies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[i] = ev.call("POST", "/v1/authorizations", auth, body, "Idempotency-Key", "checkout-42")
			}()
		}
		wg.Wait()
		ids := map[string]bool{}
		for _, r := range replies {
			switch {
			case r.status == 201:
				ids[r.json["id"].(string)] = true
			case r.status == 409 && r.code() == "idempotency_key_in_use":
			default:
				t.Fatalf("reply %d %s", r.status, r.raw)
			}
		}
		if len(ids) != 1 {
			t.Fatalf("%d different authorizations for one key", len(ids))
		}
		a := ev.call("GET", "/v1/accounts/"+acct, auth, "")
		if num(a.json["available_credit"]) != 1000_00-123_45 {
			t.Fatalf("available = %d: money moved more than once", num(a.json["available_credit"]))
		}
		if r := ev.call("GET", "/v1/transactions?type=capture", auth, ""); len(r.json["data"].([]any)) != 1 {
			t.Fatalf("captures: %s", r.raw)
		}
	})
}
