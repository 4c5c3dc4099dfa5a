package api

import (
	"context"
	"database/sql"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
)

func TestTokenEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		id, secret := mk.keySet.ClientID, mk.secret
		wrong := keys.NewSecret(openflex.Training)
		tests := []struct {
			name        string
			contentType string
			path, body  string
			basicID     string
			basicSecret string
			status      int
			code        string
		}{
			{"basic auth", "form", "/oauth/token", "grant_type=client_credentials", id, secret, 200, ""},
			{"body auth", "form", "/oauth/token", "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret, "", "", 200, ""},
			{"wrong secret", "form", "/oauth/token", "grant_type=client_credentials", id, wrong, 401, "invalid_client"},
			{"bad checksum", "form", "/oauth/token", "grant_type=client_credentials", id, typo(secret), 401, "invalid_client"},
			{"unknown client", "form", "/oauth/token", "grant_type=client_credentials", keys.NewClientID(openflex.Training), secret, 401, "invalid_client"},
			{"no client auth", "form", "/oauth/token", "grant_type=client_credentials", "", "", 401, "invalid_client"},
			{"JSON body", "json", "/oauth/token", `{"grant_type":"client_credentials"}`, id, secret, 400, "invalid_request"},
			{"query-string credentials", "form", "/oauth/token?client_id=" + id + "&client_secret=" + secret, "grant_type=client_credentials", "", "", 400, "invalid_request"},
			{"missing grant type", "form", "/oauth/token", "", id, secret, 400, "invalid_request"},
			{"other grant type", "form", "/oauth/token", "grant_type=password", id, secret, 400, "unsupported_grant_type"},
			{"two auth methods", "form", "/oauth/token", "grant_type=client_credentials&client_secret=" + secret, id, secret, 400, "invalid_request"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ct := map[string]string{"form": "application/x-www-form-urlencoded", "json": "application/json"}[tc.contentType]
				r := ev.raw("POST", tc.path, ct, tc.body, tc.basicID, tc.basicSecret)
				if r.status != tc.status {
					t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.raw)
				}
				if r.header.Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
				}
				if tc.code != "" && r.json["error"] != tc.code {
					t.Fatalf("error = %v, want %s", r.json["error"], tc.code)
				}
				if tc.status == 200 {
					if r.json["token_type"] != "bearer" || r.json["expires_in"] != float64(1200) || r.json["environment"] != "training" ||
						!strings.HasPrefix(r.json["access_token"].(string), "oft_train_") {
						t.Fatalf("token reply = %s", r.raw)
					}
				}
			})
		}
	})
}

// raw sends a request with a given content type and optional Basic auth.
func (ev *env) raw(method, path, contentType, body, id, secret string) reply {
	ev.t.Helper()
	req := newRequest(ev, method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if id != "" || secret != "" {
		req.SetBasicAuth(id, secret)
	}
	return ev.send(req)
}

func TestTokenLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		ctx := context.Background()
		mk := ev.merchant(openflex.Training)
		tok := "Bearer " + ev.token(mk)
		if r := ev.call("GET", "/v1/stores", tok, ""); r.status != 200 {
			t.Fatalf("fresh token: %d %s", r.status, r.raw)
		}
		if r := ev.call("GET", "/v1/stores", "Basic "+mk.keySet.ClientID+":"+mk.secret, ""); r.status != 200 {
			t.Fatalf("Basic on /v1: %d %s", r.status, r.raw)
		}
		if r := ev.call("GET", "/v1/stores", "Bearer oft_train_nonsense", ""); r.status != 401 || r.code() != "invalid_token" {
			t.Fatalf("unknown token: %d %s", r.status, r.raw)
		}

		// Expiry after 1200 s.
		ev.advance(1201 * time.Second)
		if r := ev.call("GET", "/v1/stores", tok, ""); r.status != 401 || r.code() != "token_expired" {
			t.Fatalf("expired token: %d %s", r.status, r.raw)
		}

		// Roll with a one-hour grace: old secret and its tokens work until then.
		oldTok := "Bearer " + ev.token(mk)
		newSecret, err := ev.keys.Roll(ctx, mk.keySet.ID, time.Hour, keys.Actor{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if r := ev.call("GET", "/v1/stores", oldTok, ""); r.status != 200 {
			t.Fatalf("old secret's token inside grace: %d", r.status)
		}
		if r := ev.form("/oauth/token", "grant_type=client_credentials", mk.keySet.ClientID, mk.secret); r.status != 200 || r.json["expires_in"].(float64) > 1200 {
			t.Fatalf("old secret inside grace: %d %s", r.status, r.raw)
		}
		ev.advance(61 * time.Minute)
		if r := ev.form("/oauth/token", "grant_type=client_credentials", mk.keySet.ClientID, mk.secret); r.status != 401 {
			t.Fatalf("rolled secret after its expiry: %d %s", r.status, r.raw)
		}
		mk.secret = newSecret
		newTok := "Bearer " + ev.token(mk)
		if r := ev.call("GET", "/v1/stores", newTok, ""); r.status != 200 {
			t.Fatalf("new secret's token: %d", r.status)
		}
		if _, err := ev.keys.Roll(ctx, mk.keySet.ID, 8*24*time.Hour, keys.Actor{Name: "test"}); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Fatalf("grace over 7 days: %v", err)
		}

		// Revoke: everything stops at once.
		if err := ev.keys.Revoke(ctx, mk.keySet.ID, keys.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		if r := ev.call("GET", "/v1/stores", newTok, ""); r.status != 401 || r.code() != "invalid_token" {
			t.Fatalf("token of revoked key set: %d %s", r.status, r.raw)
		}
		if r := ev.form("/oauth/token", "grant_type=client_credentials", mk.keySet.ClientID, newSecret); r.status != 401 {
			t.Fatalf("revoked secret: %d", r.status)
		}
		if r := ev.call("GET", "/v1/stores", "Basic "+mk.keySet.ClientID+":"+newSecret, ""); r.status != 401 || r.code() != "invalid_client" {
			t.Fatalf("revoked secret via Basic: %d %s", r.status, r.raw)
		}
		log, err := ev.stores.Control.AuditLog(ctx, mk.merchant.ID, 10)
		if err != nil || len(log) < 4 || log[0].Action != "key_set.revoked" {
			t.Fatalf("audit log = %+v, %v", log, err)
		}
	})
}

func TestIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		a := ev.merchant(openflex.Training)
		b := ev.merchant(openflex.Training)
		prodA := ev.merchant(openflex.Production)
		ta, tb, tp := "Bearer "+ev.token(a), "Bearer "+ev.token(b), "Bearer "+ev.token(prodA)
		if r := ev.call("GET", "/v1/stores/"+b.stores[0].ID, ta, ""); r.status != 404 || r.code() != "resource_missing" {
			t.Fatalf("merchant A reading B's store: %d %s", r.status, r.raw)
		}
		r := ev.call("GET", "/v1/stores", tb, "")
		for _, s := range r.json["data"].([]any) {
			if id := s.(map[string]any)["id"]; id == a.stores[0].ID || id == a.stores[1].ID {
				t.Fatalf("B's list holds A's store %v", id)
			}
		}
		// Stores are shared by both environments, and say so.
		if r := ev.call("GET", "/v1/stores", tp, ""); r.status != 200 || r.json["data"].([]any)[0].(map[string]any)["environment"] != "shared" {
			t.Fatalf("PRODUCTION key's view: %d %s", r.status, r.raw)
		}
		// Each key set is handed its own data plane and no other.
		if ev.srv.cfg.Data(openflex.Training) == ev.srv.cfg.Data(openflex.Production) {
			t.Fatal("TRAINING and PRODUCTION share a data plane")
		}
		// PRODUCTION keys need go-live approval.
		m, _, _ := ev.merch.Create(context.Background(), "New Shop", "new@shop.example", nil, "test")
		if _, _, err := ev.keys.Create(context.Background(), keys.NewKeySet{MerchantID: m.ID, Environment: openflex.Production, TrustIPs: []string{"10.0.0.0/8"}}, keys.Actor{}); openflex.ErrorCode(err) != openflex.CodeEnvNotEnabled {
			t.Fatalf("PRODUCTION keys before go-live: %v", err)
		}
	})
}

func TestTrustIPs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")} })
		mk := ev.merchant(openflex.Production, "198.51.100.0/24", "2001:db8::/32")
		ev.from("198.51.100.7:4000")
		tok := "Bearer " + ev.token(mk)
		tests := []struct {
			name, remote, xff string
			status            int
		}{
			{"inside IPv4 range", "198.51.100.7:4000", "", 200},
			{"IPv4-mapped IPv6 inside", "[::ffff:198.51.100.8]:4000", "", 200},
			{"inside IPv6 range", "[2001:db8::1]:4000", "", 200},
			{"outside", "203.0.113.5:4000", "", 403},
			{"spoofed X-Forwarded-For from an untrusted peer", "203.0.113.5:4000", "198.51.100.7", 403},
			{"trusted proxy forwarding an inside client", "10.9.1.1:4000", "198.51.100.7", 200},
			{"trusted proxy forwarding an outside client", "10.9.1.1:4000", "198.51.100.7, 203.0.113.5", 403},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ev.from(tc.remote)
				r := ev.call("GET", "/v1/stores", tok, "", "X-Forwarded-For", tc.xff)
				if r.status != tc.status || (tc.status == 403 && r.code() != "ip_not_trusted") {
					t.Fatalf("status %d %s, want %d", r.status, r.raw, tc.status)
				}
			})
		}
		ev.from("203.0.113.5:4000")
		if r := ev.form("/oauth/token", "grant_type=client_credentials", mk.keySet.ClientID, mk.secret); r.status != 403 || r.json["error"] != "access_denied" {
			t.Fatalf("token from an untrusted IP: %d %s", r.status, r.raw)
		}
	})
}

func TestRateLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e, func(c *Config) { c.RateLimits = map[openflex.Environment]float64{openflex.Training: 3} })
		var calls atomic.Int64
		withEcho(ev, &calls, nil, nil)
		mk := ev.merchant(openflex.Training)
		tok := "Bearer " + ev.token(mk)
		var limited reply
		for i := 0; i < 10 && limited.status == 0; i++ {
			r := ev.call("POST", "/v1/test_echo", tok, `{"amount":1,"note":"n"}`)
			if r.status == 429 {
				limited = r
			}
		}
		if limited.code() != "rate_limited" || limited.header.Get("Retry-After") == "" {
			t.Fatalf("no 429 with Retry-After in a burst: %d %s", limited.status, limited.raw)
		}
		if n := calls.Load(); n > 3 {
			t.Fatalf("%d requests ran under a limit of 3/s: a refused request must have no effect", n)
		}
		// Failed client authentications are throttled per client id.
		var throttled bool
		for i := 0; i < 15; i++ {
			r := ev.form("/oauth/token", "grant_type=client_credentials", mk.keySet.ClientID, keys.NewSecret(openflex.Training))
			if r.status == 429 {
				throttled = r.header.Get("Retry-After") != ""
				break
			}
		}
		if !throttled {
			t.Fatal("15 wrong secrets in a row were never throttled")
		}
	})
}

// TestNoSecretsAtRest reads everything the stores hold and looks for the
// secrets and tokens handed out: SQLite's files byte by byte, PostgreSQL's
// rows as JSON.
func TestNoSecretsAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cfg := e.Config(t)
		ev := newEnvAt(t, cfg)
		mk := ev.merchant(openflex.Training)
		tok := ev.token(mk)
		rolled, err := ev.keys.Roll(context.Background(), mk.keySet.ID, time.Hour, keys.Actor{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		var dumps []string
		if cfg.DatabaseURL == "" {
			ev.stores.Close()
			files, _ := filepath.Glob(filepath.Join(cfg.DataDir, "*"))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				dumps = append(dumps, string(b))
			}
		} else {
			dumps = dumpPostgres(t, cfg.DatabaseURL, cfg.SchemaPrefix)
		}
		if len(dumps) < 3 {
			t.Fatalf("read only %d stores", len(dumps))
		}
		for _, d := range dumps {
			if !strings.Contains(d, mk.keySet.ClientID) && cfg.DatabaseURL != "" {
				continue
			}
			for _, secret := range []string{mk.secret, rolled, tok, mk.secret[10:30], tok[10:30], rolled[10:30]} {
				if strings.Contains(d, secret) {
					t.Fatal("a store holds a secret or token in clear")
				}
			}
		}
	})
}

func dumpPostgres(t *testing.T, url, prefix string) []string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE $1`, prefix+"_%")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var schema, table string
		rows.Scan(&schema, &table)
		tables = append(tables, schema+"."+table)
	}
	rows.Close()
	var out []string
	for _, tbl := range tables {
		var dump sql.NullString
		if err := db.QueryRow(`SELECT string_agg(row_to_json(t)::text, E'\n') FROM ` + tbl + ` t`).Scan(&dump); err != nil {
			t.Fatal(err)
		}
		out = append(out, dump.String)
	}
	return out
}

// typo changes a secret's last character, as a bad copy would.
func typo(s string) string {
	last := s[len(s)-1]
	if last == 'x' {
		return s[:len(s)-1] + "y"
	}
	return s[:len(s)-1] + "x"
}
