package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// receiver is an independent webhook receiver that knows only API.md: it
// checks OpenFlex-Signature itself and records what it accepted.
type receiver struct {
	mu       sync.Mutex
	secret   string
	failures int // answer 500 this many more times
	got      []map[string]any
	attempts []time.Time
	bad      []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts = append(rc.attempts, time.Now())
	if !rc.verify(r.Header.Get("OpenFlex-Signature"), body) {
		rc.bad = append(rc.bad, r.Header.Get("OpenFlex-Signature"))
		http.Error(w, "bad signature", 400)
		return
	}
	if rc.failures > 0 {
		rc.failures--
		http.Error(w, "down for maintenance", 500)
		return
	}
	var e map[string]any
	json.Unmarshal(body, &e)
	rc.got = append(rc.got, e)
	w.WriteHeader(204)
}

// verify implements API.md: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>.
func (rc *receiver) verify(header string, body []byte) bool {
	var t string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			t = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	m := hmac.New(sha256.New, []byte(rc.secret))
	m.Write([]byte(t + "." + string(body)))
	want := hex.EncodeToString(m.Sum(nil))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func (rc *receiver) events(typ string) []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []map[string]any
	for _, e := range rc.got {
		if e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

// waitFor polls until cond holds; the deadline is generous because it only
// bounds a hang, it does not measure anything.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call is a minimal JSON client with Basic auth.
func call(t *testing.T, base, id, secret, method, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
	}
	return out
}

func TestWebhookDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		rc := &receiver{failures: 3}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		fast := apptest.Options{Tweak: func(c *app.Config) {
			c.DeliverEvery = 20 * time.Millisecond
			c.WebhookBackoff = func(n int) time.Duration { return time.Duration(1<<n) * 10 * time.Millisecond }
			c.WebhooksAllowPrivate = true // the receiver is on loopback
		}}
		p := apptest.Start(t, e, fast)
		k := p.NewKeys(t, p.Merchant.ID, "training", srv.URL)
		ep := call(t, p.URL, k.ClientID, k.ClientSecret, "POST", "/v1/webhook_endpoints",
			fmt.Sprintf(`{"url":%q,"events":["authorization.captured","application.approved"]}`, srv.URL+"/hooks/openflex"))
		rc.mu.Lock()
		rc.secret = ep["secret"].(string)
		rc.mu.Unlock()
		if !strings.HasPrefix(rc.secret, "whsec_") {
			t.Fatalf("endpoint secret %q", rc.secret)
		}
		if got := call(t, p.URL, k.ClientID, k.ClientSecret, "GET", "/v1/webhook_endpoints/"+ep["id"].(string), ""); got["secret"] != nil {
			t.Fatal("the signing secret was shown twice")
		}

		app := call(t, p.URL, k.ClientID, k.ClientSecret, "POST", "/v1/applications", fmt.Sprintf(`{"store_id":%q,
			"applicant":{"first_name":"Hook","middle_name":"A-RR_L","last_name":"Receiver","date_of_birth":"1979-09-09","email":"h@example.com",
			"phone":"6045550100","address":{"line1":"9 Pine","city":"Vancouver","province":"BC","postal_code":"V6B 1A1"},
			"annual_income":7000000,"employment_status":"employed","housing_status":"rent","monthly_housing_cost":150000},
			"consent":{"credit_check":true,"terms_accepted":true}}`, p.Stores[1].ID))
		acct := app["account"].(map[string]any)["account_number"].(string)
		auth := call(t, p.URL, k.ClientID, k.ClientSecret, "POST", "/v1/authorizations",
			fmt.Sprintf(`{"account_number":%q,"amount":25000,"currency":"CAD","store_id":%q,"channel":"online"}`, acct, p.Stores[1].ID))
		call(t, p.URL, k.ClientID, k.ClientSecret, "POST", "/v1/authorizations/"+auth["id"].(string)+"/captures", `{}`)

		// Three 500s first: the deliveries are retried with growing gaps.
		waitFor(t, "authorization.captured", func() bool { return len(rc.events("authorization.captured")) == 1 })
		ev := rc.events("authorization.captured")[0]
		obj := ev["data"].(map[string]any)["object"].(map[string]any)
		if ev["environment"] != "training" || obj["id"] != auth["id"] || obj["status"] != "captured" || !strings.HasPrefix(ev["id"].(string), "evt_") {
			t.Fatalf("event = %v", ev)
		}
		waitFor(t, "application.approved", func() bool { return len(rc.events("application.approved")) == 1 })
		if len(rc.events("authorization.created")) != 0 {
			t.Fatal("an event type the endpoint did not ask for was delivered")
		}
		rc.mu.Lock()
		if len(rc.bad) > 0 {
			t.Errorf("signatures that did not verify: %v", rc.bad)
		}
		gaps := rc.attempts
		rc.mu.Unlock()
		if len(gaps) < 5 {
			t.Fatalf("%d attempts for 2 events with 3 failures", len(gaps))
		}
		deliveries := call(t, p.URL, k.ClientID, k.ClientSecret, "GET", "/v1/webhook_endpoints/"+ep["id"].(string)+"/deliveries", "")
		var failedAttempts int
		for _, d := range deliveries["data"].([]any) {
			for _, a := range d.(map[string]any)["attempts"].([]any) {
				if a.(map[string]any)["status_code"].(float64) == 500 {
					failedAttempts++
				}
			}
		}
		if failedAttempts != 3 {
			t.Fatalf("delivery log shows %d failed attempts, want 3: %v", failedAttempts, deliveries)
		}
	})
}

// TestWebhookSurvivesRestart: the receiver is down while the server stops;
// after a restart the event still arrives.
func TestWebhookSurvivesRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		rc := &receiver{failures: 1 << 30}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		var cfg app.Config
		fast := apptest.Options{Tweak: func(c *app.Config) {
			c.DeliverEvery = 20 * time.Millisecond
			c.WebhookBackoff = func(int) time.Duration { return 20 * time.Millisecond }
			c.WebhooksAllowPrivate = true // the receiver is on loopback
			cfg = *c
		}}
		p := apptest.Start(t, e, fast)
		k := p.NewKeys(t, p.Merchant.ID, "training", srv.URL)
		ep := call(t, p.URL, k.ClientID, k.ClientSecret, "POST", "/v1/webhook_endpoints", fmt.Sprintf(`{"url":%q,"events":["*"]}`, srv.URL))
		rc.mu.Lock()
		rc.secret = ep["secret"].(string)
		rc.mu.Unlock()
		call(t, p.URL, k.ClientID, k.ClientSecret, "POST", "/v1/applications", fmt.Sprintf(`{"store_id":%q,
			"applicant":{"first_name":"Restart","middle_name":"D-NO_HIT","last_name":"Case","date_of_birth":"1979-09-09","email":"r@example.com",
			"phone":"6045550100","address":{"line1":"9 Pine","city":"Vancouver","province":"BC","postal_code":"V6B 1A1"},
			"annual_income":7000000,"employment_status":"employed","housing_status":"rent","monthly_housing_cost":150000},
			"consent":{"credit_check":true,"terms_accepted":true}}`, p.Stores[1].ID))
		waitFor(t, "a failed attempt", func() bool { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.attempts) >= 2 })
		p.Main.Close()

		rc.mu.Lock()
		rc.failures = 0
		rc.mu.Unlock()
		again := &app.Main{Config: cfg}
		if err := again.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		waitFor(t, "application.declined after restart", func() bool { return len(rc.events("application.declined")) == 1 })
	})
}
