package api

import (
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
)

// TestKeySetTrustOverAPI: a deployment script reads its key set and
// replaces its Trust URLs and IPs through the API, with the portal's rules
// and audit trail; a list that would shut out the caller is refused.
func TestKeySetTrustOverAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Basic " + mk.keySet.ClientID + ":" + mk.secret

		r := ev.call("GET", "/v1/key_set", auth, "")
		if r.status != 200 || r.json["id"] != mk.keySet.ID || r.json["object"] != "key_set" || r.json["client_id"] != mk.keySet.ClientID ||
			strings.Contains(string(r.raw), "secret") {
			t.Fatalf("GET /v1/key_set = %d %s", r.status, r.raw)
		}

		for _, tc := range []struct {
			name, body  string
			status      int
			code, param string
		}{
			{"both lists are required", `{"trust_urls":[]}`, 400, "parameter_missing", "trust_ips"},
			{"a URL that is not an origin", `{"trust_urls":["not a url"],"trust_ips":[]}`, 400, "parameter_invalid", "trust_urls"},
			{"a list that shuts the caller out", `{"trust_urls":[],"trust_ips":["198.51.100.0/24"]}`, 400, "parameter_invalid", "trust_ips"},
		} {
			if r := ev.call("POST", "/v1/key_set/trust", auth, tc.body); r.status != tc.status || r.code() != tc.code || !strings.Contains(string(r.raw), tc.param) {
				t.Errorf("%s: %d %s, want %d %s on %s", tc.name, r.status, r.raw, tc.status, tc.code, tc.param)
			}
		}
		if r := ev.call("GET", "/v1/key_set", auth, ""); len(r.json["trust_ips"].([]any)) != 0 {
			t.Fatalf("a refused replacement changed the key set: %s", r.raw)
		}

		body := `{"trust_urls":["https://shop.example.com","https://www.shop.example.com"],"trust_ips":["203.0.113.0/24","10.0.0.0/8"]}`
		r = ev.call("POST", "/v1/key_set/trust", auth, body, "Idempotency-Key", "deploy-1")
		if r.status != 200 || len(r.json["trust_urls"].([]any)) != 2 || len(r.json["trust_ips"].([]any)) != 2 {
			t.Fatalf("replace = %d %s", r.status, r.raw)
		}
		if again := ev.call("POST", "/v1/key_set/trust", auth, body, "Idempotency-Key", "deploy-1"); again.status != 200 ||
			again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry = %d %s (replayed %q)", again.status, again.raw, again.header.Get("Idempotent-Replayed"))
		}
		if g := ev.call("GET", "/v1/key_set", auth, ""); g.json["trust_ips"].([]any)[0] != r.json["trust_ips"].([]any)[0] {
			t.Fatalf("GET after replace = %s", g.raw)
		}
		log, err := ev.stores.Control.AuditLog(t.Context(), mk.merchant.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range log {
			if a.Action == "key_set.trust_changed" && a.Actor == "api:"+mk.keySet.ClientID && a.RemoteAddr != "" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("audit log has %d key_set.trust_changed entries by the API, want 1: %+v", n, log)
		}
	})
}
