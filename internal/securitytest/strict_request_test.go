package securitytest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
)

// strictRaw sends a request with the TRAINING keys and exactly the headers
// given (a header may repeat), nothing added.
func strictRaw(t testing.TB, w *strictWorld, method, path, body string, headers ...string) strictReply {
	t.Helper()
	req, err := http.NewRequest(method, w.p.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(w.keys.ClientID, w.keys.ClientSecret)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
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

// TestStrictQueryAndHeaders: a query and the headers that change what a
// request does are read as strictly as bodies. A repeated query parameter
// (which a proxy may read first-wins and the server last-wins), an unknown
// one (a typo that silently widens a filter), two Idempotency-Key headers
// and a body declared as something other than JSON are refused, naming
// what is at fault, and nothing happens.
func TestStrictQueryAndHeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := strictSetup(t, e)
		json := []string{"Content-Type", "application/json"}
		capture := "/v1/authorizations/" + w.authID + "/captures"
		tests := []struct {
			name, method, path, body string
			headers                  []string
			status                   int
			code, param              string
		}{
			{"a filter given twice", "GET", "/v1/authorizations?store_id=" + w.storeID + "&store_id=str_other", "", nil, 400, "duplicate_parameter", "store_id"},
			{"a cursor given twice", "GET", "/v1/events?limit=1&limit=100", "", nil, 400, "duplicate_parameter", "limit"},
			{"an unknown query parameter", "GET", "/v1/authorizations?bogus=1", "", nil, 400, "unknown_parameter", "bogus"},
			{"a misspelt filter", "GET", "/v1/transactions?acount_number=" + w.account, "", nil, 400, "unknown_parameter", "acount_number"},
			{"a query on an operation that takes none", "GET", "/v1/plans?limit=1", "", nil, 400, "unknown_parameter", "limit"},
			{"a query on a write", "POST", capture + "?amount=100", `{"amount":100}`, json, 400, "unknown_parameter", "amount"},
			{"the public promotion, amount twice", "GET", "/v1/public/promotions?client_id=" + w.keys.ClientID + "&amount=50000&amount=1", "", nil,
				400, "duplicate_parameter", "amount"},
			{"two Idempotency-Key headers", "POST", capture, `{"amount":100}`,
				append([]string{"Idempotency-Key", "k-1", "Idempotency-Key", "k-2"}, json...), 400, "duplicate_parameter", "Idempotency-Key"},
			{"a text body", "POST", capture, `{"amount":100}`, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", ""},
			{"a form body", "POST", capture, `amount=100`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
			{"JSON in another charset", "POST", capture, `{"amount":100}`, []string{"Content-Type", "application/json; charset=latin1"}, 415, "unsupported_media_type", ""},
		}
		before := strictSnapshot(t, w)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := strictRaw(t, w, tt.method, tt.path, tt.body, tt.headers...)
				if r.status != tt.status || r.errField("code") != tt.code || r.errField("param") != tt.param {
					t.Fatalf("%s %s %v = %v; want %d %s naming %q", tt.method, tt.path, tt.headers, r, tt.status, tt.code, tt.param)
				}
			})
		}
		strictUnchanged(t, w, before)
		// What the document lists still works: one of each, a charset, no
		// Content-Type at all.
		for _, ok := range []struct {
			method, path, body string
			headers            []string
			status             int
		}{
			{"GET", "/v1/authorizations?store_id=" + w.storeID + "&limit=5", "", nil, 200},
			{"POST", capture, `{"amount":100}`, []string{"Content-Type", "application/json; charset=utf-8", "Idempotency-Key", "k-3"}, 201},
			{"POST", capture, `{"amount":100}`, nil, 201},
		} {
			if r := strictRaw(t, w, ok.method, ok.path, ok.body, ok.headers...); r.status != ok.status {
				t.Errorf("%s %s %v = %v, want %d", ok.method, ok.path, ok.headers, r, ok.status)
			}
		}
	})
}
