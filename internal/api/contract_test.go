package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
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
