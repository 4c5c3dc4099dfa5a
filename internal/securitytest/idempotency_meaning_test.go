package securitytest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
)

// TestIdempotencyComparesMeaning: a retry is the same request when it
// means the same thing. Clients re-serialize JSON when they retry
// (whitespace, member order, escapes change), and such a retry must be
// answered as the first request was — replayed, money moved once — while a
// body that means something else is still 422 idempotency_key_reused.
func TestIdempotencyComparesMeaning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := strictSetup(t, e)
		capture := "/v1/authorizations/" + w.authID + "/captures"
		first := strictRaw(t, w, "POST", capture, `{"amount":30000,"reference":"C1"}`, "Idempotency-Key", "meaning-1")
		if first.status != 201 {
			t.Fatalf("first capture = %v", first)
		}
		for _, body := range []string{
			`{"amount": 30000, "reference": "C1"}`,
			"{\n  \"reference\": \"C1\",\n  \"amount\": 30000\n}\n",
			`{"reference":"\u00431","amount":30000}`,
		} {
			r := strictRaw(t, w, "POST", capture, body, "Idempotency-Key", "meaning-1")
			if r.status != 201 || r.raw != first.raw {
				t.Errorf("retry %q = %v; want the first answer replayed", body, r)
			}
			req, _ := http.NewRequest("POST", w.p.URL+capture, strings.NewReader(body))
			req.SetBasicAuth(w.keys.ClientID, w.keys.ClientSecret)
			req.Header.Set("Idempotency-Key", "meaning-1")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("retry %q: Idempotent-Replayed = %q, want true", body, res.Header.Get("Idempotent-Replayed"))
			}
		}
		for _, body := range []string{`{"amount":30001,"reference":"C1"}`, `{"amount":30000,"reference":"C2"}`, `{"amount":30000}`} {
			if r := strictRaw(t, w, "POST", capture, body, "Idempotency-Key", "meaning-1"); r.status != 422 || r.errField("code") != "idempotency_key_reused" {
				t.Errorf("same key, other meaning %q = %v; want 422 idempotency_key_reused", body, r)
			}
		}
		a := strictMust(t, w, 200, "GET", "/v1/authorizations/"+w.authID, nil)
		if got := a["captured_amount"]; got != float64(30000) {
			t.Errorf("captured_amount = %v, want 30000 (one capture)", got)
		}
	})
}
