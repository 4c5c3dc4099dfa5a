package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
)

// TestAmountsOfCapturesAndReturns: an amount that is sent must be a
// positive number of cents, with the same code for captures and returns;
// a capture without one takes all that remains, a return without one (nor
// full) is missing its amount. Nothing moves on a refusal.
func TestAmountsOfCapturesAndReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		acct := ev.purchaseAccount(mk, auth, 1000_00)
		r := ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":%q,"amount":50000,"currency":"CAD","store_id":%q,"channel":"online"}`, acct, mk.stores[0].ID))
		if r.status != 201 {
			t.Fatalf("authorize: %d %s", r.status, r.raw)
		}
		id := r.json["id"].(string)
		r = ev.call("POST", "/v1/authorizations/"+id+"/captures", auth, `{"amount":20000}`)
		if r.status != 201 {
			t.Fatalf("capture: %d %s", r.status, r.raw)
		}
		capID := r.json["captures"].([]any)[0].(map[string]any)["id"].(string)
		for _, tc := range []struct {
			name, path, body string
			status           int
			code             string
		}{
			{"capture of 0", "/v1/authorizations/" + id + "/captures", `{"amount":0}`, 400, "parameter_invalid"},
			{"return of 0", "/v1/captures/" + capID + "/returns", `{"amount":0}`, 400, "parameter_invalid"},
			{"negative capture", "/v1/authorizations/" + id + "/captures", `{"amount":-5}`, 400, "parameter_invalid"},
			{"negative return", "/v1/captures/" + capID + "/returns", `{"amount":-5}`, 400, "parameter_invalid"},
			{"return without an amount", "/v1/captures/" + capID + "/returns", `{"reason":"damaged"}`, 400, "parameter_missing"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := ev.call("POST", tc.path, auth, tc.body)
				if r.status != tc.status || r.code() != tc.code || r.param() != "amount" {
					t.Fatalf("POST %s %s = %d %s (param %q), want %d %s (param amount)", tc.path, tc.body, r.status, r.code(), r.param(), tc.status, tc.code)
				}
			})
		}
		if a := ev.call("GET", "/v1/authorizations/"+id, auth, ""); num(a.json["captured_amount"]) != 200_00 || num(a.json["returned_amount"]) != 0 {
			t.Fatalf("refused amounts moved money: %s", a.raw)
		}
		// No amount: all that remains.
		r = ev.call("POST", "/v1/authorizations/"+id+"/captures", auth, `{}`)
		if r.status != 201 || r.json["status"] != "captured" || num(r.json["captured_amount"]) != 500_00 {
			t.Fatalf("capture without an amount: %d %s", r.status, r.raw)
		}
	})
}

// TestPlanNotAvailableSaysDollars: the reason a plan does not apply shows
// money as people write it.
func TestPlanNotAvailableSaysDollars(t *testing.T) {
	ev := newEnv(t, storetest.Engines(t)[0])
	mk := ev.merchant(openflex.Training)
	auth := "Bearer " + ev.token(mk)
	fp := ev.createPlans(t, mk)
	acct := ev.openAccount(t, auth, mk.stores[0].ID, newApplicant("Zoë", credit.MagicApproveLowRisk))
	for _, tc := range []struct {
		amount int64
		want   string
	}{{299_99, "this plan starts at $300.00"}, {5_000_01, "this plan goes up to $5,000.00"}} {
		r := ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":%q,"amount":%d,"currency":"CAD","store_id":%q,"channel":"online",
			"financing":{"plan_id":%q,"term_months":12}}`, acct, tc.amount, mk.stores[0].ID, fp.equal.ID))
		msg, _ := r.json["error"].(map[string]any)["message"].(string)
		if r.status != 400 || r.code() != "plan_not_available" || !strings.Contains(msg, tc.want) {
			t.Errorf("authorize %d on a $300–$5,000 plan = %d %s, want plan_not_available saying %q", tc.amount, r.status, r.raw, tc.want)
		}
	}
}

// TestTokenWithoutBody: an empty token request lacks grant_type; that is
// what it is told, whatever its content type.
func TestTokenWithoutBody(t *testing.T) {
	ev := newEnv(t, storetest.Engines(t)[0])
	mk := ev.merchant(openflex.Training)
	for _, ct := range []string{"", "application/json", "application/x-www-form-urlencoded"} {
		req, _ := http.NewRequest("POST", ev.http.URL+"/oauth/token", nil)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		req.SetBasicAuth(mk.keySet.ClientID, mk.secret)
		r := ev.send(req)
		if r.status != 400 || r.json["error"] != "invalid_request" || !strings.Contains(fmt.Sprint(r.json["error_description"]), "grant_type") {
			t.Errorf("POST /oauth/token without a body (Content-Type %q) = %d %s, want invalid_request naming grant_type", ct, r.status, r.raw)
		}
	}
	// A body of the wrong type is still told so.
	req, _ := http.NewRequest("POST", ev.http.URL+"/oauth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := ev.send(req); r.status != 400 || !strings.Contains(fmt.Sprint(r.json["error_description"]), "x-www-form-urlencoded") {
		t.Errorf("POST /oauth/token with JSON = %d %s, want the content type named", r.status, r.raw)
	}
}

// TestNoCredentialsNamesBothSchemes: /v1 takes a Bearer token or Basic
// client credentials, and says so.
func TestNoCredentialsNamesBothSchemes(t *testing.T) {
	ev := newEnv(t, storetest.Engines(t)[0])
	r := ev.call("GET", "/v1/stores", "", "")
	msg, _ := r.json["error"].(map[string]any)["message"].(string)
	if r.status != 401 || !strings.Contains(msg, "Bearer") || !strings.Contains(msg, "Basic") {
		t.Fatalf("GET /v1/stores without credentials = %d %s, want 401 naming Bearer and Basic", r.status, r.raw)
	}
}

// TestEmptyPathIDIsNotFound: an empty id in an API path is a JSON 404, not
// a redirect to another route.
func TestEmptyPathIDIsNotFound(t *testing.T) {
	ev := newEnv(t, storetest.Engines(t)[0])
	mk := ev.merchant(openflex.Training)
	// A client that shows redirects instead of following them.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct{ method, path string }{
		{"POST", "/v1/authorizations//release"},
		{"POST", "/v1/authorizations//captures"},
		{"GET", "/v1/accounts//transactions"},
		{"POST", "/v1/captures//returns"},
		{"GET", "/v1/./stores"},
		{"POST", "/oauth//token"},
	} {
		req, _ := http.NewRequest(tc.method, ev.http.URL+tc.path, nil)
		req.SetBasicAuth(mk.keySet.ClientID, mk.secret)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		json.Unmarshal(raw, &body)
		if res.StatusCode != 404 || body.Error.Code != "resource_missing" || res.Header.Get("Location") != "" {
			t.Errorf("%s %s = %d %s (Location %q), want a JSON 404", tc.method, tc.path, res.StatusCode, raw, res.Header.Get("Location"))
		}
	}
}
