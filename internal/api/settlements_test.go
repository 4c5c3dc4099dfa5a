package api

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/storetest"
)

// TestSettlementsOverHTTP follows a day from open to closed through the
// API: the open settlement fills as purchases and returns happen, keeps its
// id through the cut, and its lines, CSV and event agree.
func TestSettlementsOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		svcs := map[openflex.Environment]*settlement.Service{}
		for _, env := range openflex.Environments {
			svcs[env] = &settlement.Service{Env: env, Store: ev.stores.Data(env), Catalog: ev.stores.Control, Render: RenderEvent(env),
				Now: ev.now}
			ev.planes[env].Settlements = svcs[env]
		}
		// The merchant's stores are in different time zones: the sales
		// happen at 18:00 UTC (the afternoon or late morning in every
		// Canadian zone), so all of them fall on one business date whatever
		// the time the test runs (at 05:00 UTC, Toronto and Vancouver are on
		// different dates).
		now := ev.now().UTC()
		noon := now.Truncate(24 * time.Hour).Add(18 * time.Hour)
		if !noon.After(now) {
			noon = noon.Add(24 * time.Hour)
		}
		ev.advance(noon.Sub(now))
		mk := ev.merchant(openflex.Training)
		auth := "Basic " + mk.keySet.ClientID + ":" + mk.secret
		acct := ev.purchaseAccount(mk, auth, 5000_00)
		var capID string
		for i, sale := range []struct {
			store  string
			amount int64
		}{{mk.stores[0].ID, 300_00}, {mk.stores[1].ID, 200_00}} {
			r := ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":%q,"amount":%d,"currency":"CAD","store_id":%q,"channel":"online","auto_capture":true,"reference":"ORD-%d"}`,
				acct, sale.amount, sale.store, i), "Idempotency-Key", fmt.Sprint("sale-", i))
			if r.status != 201 {
				t.Fatalf("purchase: %d %s", r.status, r.raw)
			}
			if i == 0 {
				capID = r.json["captures"].([]any)[0].(map[string]any)["id"].(string)
			}
		}
		if r := ev.call("POST", "/v1/captures/"+capID+"/returns", auth, `{"amount":5000}`); r.status != 201 {
			t.Fatalf("return: %d %s", r.status, r.raw)
		}
		r := ev.call("GET", "/v1/settlements", auth, "")
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.raw)
		}
		data := r.json["data"].([]any)
		var open map[string]any
		for _, d := range data {
			if st := d.(map[string]any); num(st["gross_amount"]) > 0 {
				open = st
			}
		}
		if open == nil || open["status"] != "open" || num(open["gross_amount"]) != 500_00 || num(open["returns_amount"]) != 50_00 ||
			num(open["net_amount"]) != 450_00 || num(open["line_count"]) != 3 || open["closed_at"] != nil || len(open["stores"].([]any)) != 2 {
			t.Fatalf("open settlement: %s", r.raw)
		}
		id := open["id"].(string)
		if g := ev.call("GET", "/v1/settlements/"+id, auth, ""); g.status != 200 || num(g.json["net_amount"]) != 450_00 {
			t.Fatalf("get open: %d %s", g.status, g.raw)
		}
		lines := ev.call("GET", "/v1/settlements/"+id+"/lines?limit=2", auth, "")
		if lines.status != 200 || len(lines.json["data"].([]any)) != 2 || lines.json["has_more"] != true {
			t.Fatalf("lines page 1: %d %s", lines.status, lines.raw)
		}
		for _, l := range lines.json["data"].([]any) {
			if ref := l.(map[string]any)["reference"]; ref != "ORD-0" && ref != "ORD-1" {
				t.Errorf("line without its order reference: %v", l)
			}
		}
		last := lines.json["data"].([]any)[1].(map[string]any)["id"].(string)
		if more := ev.call("GET", "/v1/settlements/"+id+"/lines?limit=2&starting_after="+last, auth, ""); len(more.json["data"].([]any)) != 1 {
			t.Fatalf("lines page 2: %s", more.raw)
		}

		ev.advance(48 * time.Hour) // past midnight in both stores
		if n, err := svcs[openflex.Training].CutDue(ev.t.Context()); err != nil || n != 1 {
			t.Fatalf("cut: %d, %v", n, err)
		}
		g := ev.call("GET", "/v1/settlements/"+id, auth, "")
		if g.status != 200 || g.json["status"] != "pending" || num(g.json["payout_amount"]) != 450_00 || g.json["closed_at"] == nil {
			t.Fatalf("after the cut: %d %s", g.status, g.raw)
		}
		if p := ev.call("GET", "/v1/settlements?status=pending", auth, ""); len(p.json["data"].([]any)) != 1 {
			t.Fatalf("pending: %s", p.raw)
		}
		c := ev.call("GET", "/v1/settlements/"+id+"/lines.csv", auth, "")
		rows, err := csv.NewReader(strings.NewReader(string(c.raw))).ReadAll()
		if c.status != 200 || err != nil || len(rows) != 4 || rows[0][0] != "settlement_id" || rows[3][2] != "return" || rows[3][3] != "ORD-0" ||
			rows[3][8] != "-50.00" || rows[3][10] != "-50.00" {
			t.Fatalf("csv: %d %v %q", c.status, err, c.raw)
		}
		if ev := ev.call("GET", "/v1/events?type=settlement.created", auth, ""); len(ev.json["data"].([]any)) != 1 {
			t.Fatalf("settlement.created events: %s", ev.raw)
		}

		for _, tc := range []struct {
			path   string
			status int
			code   string
			param  string
		}{
			{"/v1/settlements?from=yesterday", 400, "parameter_invalid", "from"},
			{"/v1/settlements?status=lost", 400, "parameter_invalid", "status"},
			{"/v1/settlements/stl_00000000000000000000000000", 404, "resource_missing", ""},
			{"/v1/settlements/" + id + "/lines?limit=0", 400, "parameter_invalid", "limit"},
		} {
			if r := ev.call("GET", tc.path, auth, ""); r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
				t.Errorf("GET %s = %d %s (%s), want %d %s (%s)", tc.path, r.status, r.code(), r.param(), tc.status, tc.code, tc.param)
			}
		}
		other := ev.merchant(openflex.Training)
		if r := ev.call("GET", "/v1/settlements/"+id, "Basic "+other.keySet.ClientID+":"+other.secret, ""); r.status != 404 {
			t.Fatalf("another merchant's settlement: %d %s", r.status, r.raw)
		}
	})
}

// TestCloseSettlementsHelper: TRAINING's "close the day" cuts today's
// settlement now and pays it (settlement.created and settlement.paid, the
// payable cleared); a retry with its Idempotency-Key replays the answer, a
// second close with nothing new closes nothing, and PRODUCTION keys do
// not know the route.
func TestCloseSettlementsHelper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		for _, env := range openflex.Environments {
			ev.planes[env].Settlements = &settlement.Service{Env: env, Store: ev.stores.Data(env), Catalog: ev.stores.Control,
				Render: RenderEvent(env), Now: ev.now}
		}
		mk := ev.merchant(openflex.Training)
		auth := "Basic " + mk.keySet.ClientID + ":" + mk.secret
		acct := ev.purchaseAccount(mk, auth, 5000_00)
		if r := ev.call("POST", "/v1/authorizations", auth, fmt.Sprintf(`{"account_number":%q,"amount":30000,"currency":"CAD","store_id":%q,"channel":"online","auto_capture":true,"reference":"ORD-1"}`,
			acct, mk.stores[0].ID)); r.status != 201 {
			t.Fatalf("purchase: %d %s", r.status, r.raw)
		}
		ev.advance(time.Second)
		const path = "/v1/test_helpers/settlements/close"
		r := ev.call("POST", path, auth, "", "Idempotency-Key", "close-1")
		if r.status != 200 || r.json["object"] != "list" || len(r.json["data"].([]any)) != 1 {
			t.Fatalf("close: %d %s", r.status, r.raw)
		}
		st := r.json["data"].([]any)[0].(map[string]any)
		if st["status"] != "paid" || num(st["gross_amount"]) != 300_00 || num(st["payout_amount"]) <= 0 || st["closed_at"] == nil || st["paid_at"] == nil {
			t.Fatalf("closed settlement: %s", r.raw)
		}
		if g := ev.call("GET", "/v1/settlements/"+st["id"].(string), auth, ""); g.status != 200 || g.json["status"] != "paid" {
			t.Fatalf("the settlement afterwards: %d %s", g.status, g.raw)
		}
		for _, typ := range []string{"settlement.created", "settlement.paid"} {
			if r := ev.call("GET", "/v1/events?type="+typ, auth, ""); len(r.json["data"].([]any)) != 1 {
				t.Errorf("%s events: %s", typ, r.raw)
			}
		}
		if bad, err := ev.stores.Data(openflex.Training).VerifyPayables(t.Context()); err != nil || len(bad) > 0 {
			t.Fatalf("payables: %v %+v", err, bad)
		}
		replay := ev.call("POST", path, auth, "", "Idempotency-Key", "close-1")
		if replay.status != 200 || replay.header.Get("Idempotent-Replayed") != "true" || string(replay.raw) != string(r.raw) {
			t.Fatalf("retry with the same key: %d %s", replay.status, replay.raw)
		}
		if again := ev.call("POST", path, auth, "", "Idempotency-Key", "close-2"); again.status != 200 || len(again.json["data"].([]any)) != 0 {
			t.Fatalf("a second close with nothing new: %d %s", again.status, again.raw)
		}
		if bad := ev.call("POST", path, auth, `{"date":"2027-01-01"}`); bad.status != 400 || bad.code() != "unknown_parameter" {
			t.Fatalf("a body member: %d %s", bad.status, bad.raw)
		}
		pk := ev.merchant(openflex.Production)
		if p := ev.call("POST", path, "Basic "+pk.keySet.ClientID+":"+pk.secret, ""); p.status != 404 || p.code() != "resource_missing" {
			t.Fatalf("PRODUCTION: %d %s", p.status, p.raw)
		}
	})
}
