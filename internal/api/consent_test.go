package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
)

// TestConsentEndpoints checks the contract of consent: the refusal of an
// account number alone, the grant by a verification (shown on the
// account), and the revocation, each response validated against the
// OpenAPI document.
func TestConsentEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		owner := ev.merchant(openflex.Training)
		number := ev.openAccount(t, "Bearer "+ev.token(owner), owner.stores[0].ID, newApplicant("Zoë", credit.MagicApproveLowRisk))
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		store := mk.stores[0].ID
		buy := func(key, verification string) reply {
			body := fmt.Sprintf(`{"account_number":%q,"amount":5000,"currency":"CAD","store_id":%q,"channel":"online"%s}`, number, store, verification)
			return ev.call("POST", "/v1/authorizations", auth, body, "Idempotency-Key", key)
		}
		if r := buy("k1", ""); r.status != 403 || r.code() != "customer_consent_required" || r.param() != "verification" {
			t.Fatalf("account number alone = %d %s", r.status, r.raw)
		}
		// Not stored under the key: a replay runs again (and is refused again).
		if r := buy("k1", ""); r.status != 403 || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("retry = %d replayed %q", r.status, r.header.Get("Idempotent-Replayed"))
		}
		ver := ev.call("POST", "/v1/accounts/"+number+"/verifications", auth, `{"channel":"sms"}`)
		if ver.status != 201 {
			t.Fatalf("verification = %d %s", ver.status, ver.raw)
		}
		withCode := fmt.Sprintf(`,"verification":{"id":%q,"code":%q}`, ver.json["id"], credit.TrainingCode)
		if r := buy("k1", withCode); r.status != 201 {
			t.Fatalf("with a code, same key = %d %s", r.status, r.raw)
		}
		acct := ev.call("GET", "/v1/accounts/"+number, auth, "")
		if c, _ := acct.json["consent"].(map[string]any); c["source"] != "verification" || c["status"] != "active" || c["revoked_at"] != nil {
			t.Fatalf("account consent = %s", acct.raw)
		}
		if r := buy("k2", ""); r.status != 201 {
			t.Fatalf("card on file = %d %s", r.status, r.raw)
		}
		// Bad revocation requests change nothing.
		for _, tc := range []struct{ body, code, param string }{
			{`{"verification":{"id":""}}`, "parameter_missing", "verification.id"},
			{`{"reason":"` + strings.Repeat("x", 501) + `"}`, "parameter_invalid", "reason"},
			{`{"nope":1}`, "unknown_parameter", "nope"},
		} {
			if r := ev.call("POST", "/v1/accounts/"+number+"/consent/revoke", auth, tc.body); r.status != 400 || r.code() != tc.code || r.param() != tc.param {
				t.Errorf("revoke %s = %d %s", tc.body, r.status, r.raw)
			}
		}
		r := ev.call("POST", "/v1/accounts/"+number+"/consent/revoke", auth, `{"reason":"customer closed their profile"}`)
		if r.status != 200 || r.json["status"] != "revoked" || r.json["revoked_by"] != "merchant" || r.json["revoke_reason"] != "customer closed their profile" {
			t.Fatalf("revoke = %d %s", r.status, r.raw)
		}
		if r := ev.call("POST", "/v1/accounts/"+number+"/consent/revoke", auth, `{}`); r.status != 404 || r.code() != "resource_missing" {
			t.Fatalf("revoke again = %d %s", r.status, r.raw)
		}
		if r := buy("k3", ""); r.status != 403 {
			t.Fatalf("after revocation = %d %s", r.status, r.raw)
		}
		if acct := ev.call("GET", "/v1/accounts/"+number, auth, ""); acct.json["consent"] != nil {
			t.Fatalf("account consent after revocation = %s", acct.raw)
		}
	})
}
