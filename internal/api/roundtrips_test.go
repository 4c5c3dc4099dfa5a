package api

import (
	"fmt"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
)

// TestMoneyMovementRoundTrips counts on the wire (storetest.PGProxy) the
// network round trips one authorization, one capture and one return cost on
// PostgreSQL, each with an Idempotency-Key, once the connection has
// prepared its statements. An
// authorization (online, with the consent its application gave) is one
// write transaction: [BEGIN, claim the key], [the account FOR UPDATE and
// then the active consent], [INSERT the authorization, UPDATE the
// balances], [INSERT the transaction, its ledger entries, the event,
// complete the key, COMMIT].
// A capture: [BEGIN, claim], [the authorization FOR UPDATE], [the account
// with its servicing row and clock FOR UPDATE, for its segment], [INSERT the
// capture, UPDATE the balances], [INSERT the transaction, its entries, the
// settlement line, UPDATE the authorization, SELECT its captures], [the
// event, complete the key, COMMIT]. A return: [BEGIN, claim], [the capture
// FOR UPDATE], [its authorization FOR UPDATE], [the account's servicing
// read, as for a capture], [INSERT the return, UPDATE
// the capture's returned amount], [UPDATE the balances], [INSERT the
// transaction, its entries, the settlement line, UPDATE the authorization,
// the event, complete the key, COMMIT]. (Through database/sql, one
// statement a round trip, they were 11, 13 and 14. Servicing's segments
// cost captures and returns one round trip each, and authorizations none:
// the account's test clock comes with the account's own read.)
func TestMoneyMovementRoundTrips(t *testing.T) {
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("round trips are PostgreSQL's (" + storetest.PostgresURLEnv + " is not set)")
	}
	cfg := pg.Config(t)
	proxy := storetest.StartPGProxy(t, cfg.DatabaseURL)
	cfg.DatabaseURL = proxy.URL
	ev := newEnvAt(t, cfg)
	mk := ev.merchant(openflex.Training)
	auth := "Bearer " + ev.token(mk)
	acct := ev.purchaseAccount(mk, auth, 100_000_00)
	n := 0
	post := func(path, body string) reply {
		t.Helper()
		n++
		r := ev.call("POST", path, auth, body, "Idempotency-Key", fmt.Sprintf("rt-%d", n))
		if r.status != 201 {
			t.Fatalf("POST %s: %d %s", path, r.status, r.raw)
		}
		return r
	}
	authorize := func() string {
		return post("/v1/authorizations", fmt.Sprintf(`{"account_number":%q,"amount":10000,"currency":"CAD","store_id":%q,"channel":"online"}`,
			acct, mk.stores[0].ID)).json["id"].(string)
	}
	capture := func(id string) string {
		return post("/v1/authorizations/"+id+"/captures", `{"amount":6000}`).json["captures"].([]any)[0].(map[string]any)["id"].(string)
	}
	refund := func(id string) { post("/v1/captures/"+id+"/returns", `{"amount":1000}`) }
	for range 3 { // every statement prepared on the connections in use
		refund(capture(authorize()))
	}

	var id, capID string
	tests := []struct {
		name string
		do   func()
		want int
	}{
		{"authorization", func() { id = authorize() }, 4},
		{"capture", func() { capID = capture(id) }, 6},
		{"return", func() { refund(capID) }, 7},
	}
	for _, tt := range tests {
		data, others := proxy.Count("_training", tt.do)
		t.Logf("%s: %d round trips on the data plane, %d on the others", tt.name, data.RoundTrips, others.RoundTrips)
		if data.Parses != 0 {
			t.Errorf("%s prepared %d statements: the connection was not warm, the count means nothing", tt.name, data.Parses)
		}
		if data.RoundTrips != tt.want {
			t.Errorf("%s: %d round trips on the data plane, want %d", tt.name, data.RoundTrips, tt.want)
		}
	}
}
