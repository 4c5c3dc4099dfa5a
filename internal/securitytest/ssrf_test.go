package securitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// Server-side request forgery through webhooks: a merchant (anyone who
// signs up in the portal) chooses the URL the lender's servers POST events
// to, and reads back the status, the response excerpt and the error of
// every attempt. These tests show that neither registration nor delivery
// reaches an address that is not public, in either environment, unless the
// operator started the server with --webhooks-allow-private.

// ssrfInternalURLs are destinations on the lender's side of the internet,
// as a merchant would register them: the security review's list first.
var ssrfInternalURLs = []string{
	"https://100.100.100.200/latest/meta-data", // CGNAT; a cloud metadata address
	"https://198.18.0.1",
	"https://[64:ff9b::7f00:1]",
	"https://[::7f00:1]",
	"https://[2002:7f00:1::1]",
	"https://240.0.0.1",
	"https://0.1.2.3",
	"https://255.255.255.255",
	"https://192.0.0.8",
	"https://127.0.0.1:8080/admin",
	"https://localhost:9200",
	"https://169.254.169.254/latest/meta-data",
	"https://10.0.0.1",
	"https://172.16.0.1",
	"https://192.168.0.1",
	"https://[::1]",
	"https://[::]",
	"https://0.0.0.0",
	"https://[::ffff:127.0.0.1]",
	"https://[::ffff:a9fe:a9fe]",
	"https://[fe80::1]",
	"https://[fc00::1]",
	"https://[fd00:ec2::254]",                        // another cloud metadata address
	"https://[2001:0:4136:e378:8000:63bf:80ff:fffe]", // Teredo of 127.0.0.1
	"https://[64:ff9b:1::a00:1]",
	"https://224.0.0.1",
	"https://192.0.2.1",
	"https://[2001:db8::1]",
}

// ssrfDo is one API call with Basic auth; it returns the status and the
// decoded JSON body.
func ssrfDo(t *testing.T, p *apptest.Platform, k apptest.Keys, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, p.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(k.ClientID, k.ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %s", method, path, res.StatusCode, raw)
	}
	return res.StatusCode, out
}

// ssrfOrigin is the Trust URL a webhook URL needs.
func ssrfOrigin(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scheme + "://" + u.Host
}

// ssrfRegister posts a webhook endpoint for every event.
func ssrfRegister(t *testing.T, p *apptest.Platform, k apptest.Keys, rawURL string) (int, map[string]any) {
	t.Helper()
	return ssrfDo(t, p, k, "POST", "/v1/webhook_endpoints", fmt.Sprintf(`{"url":%q,"events":["*"]}`, rawURL))
}

// ssrfTriggerEvent makes an application (an application.* event).
func ssrfTriggerEvent(t *testing.T, p *apptest.Platform, k apptest.Keys) {
	t.Helper()
	status, out := ssrfDo(t, p, k, "POST", "/v1/applications", fmt.Sprintf(`{"store_id":%q,
		"applicant":{"first_name":"Webhook","middle_name":"A-RR_L","last_name":"Probe","date_of_birth":"1980-02-02","email":"probe@example.com",
		"phone":"4165550100","address":{"line1":"1 King St W","city":"Toronto","province":"ON","postal_code":"M5H 1A1"},
		"annual_income":7000000,"employment_status":"employed","housing_status":"rent","monthly_housing_cost":150000},
		"consent":{"credit_check":true,"terms_accepted":true}}`, p.Stores[0].ID))
	if status != http.StatusCreated && status != http.StatusOK {
		t.Fatalf("application = %d %v", status, out)
	}
}

// ssrfAttempts waits until the endpoint's delivery log shows at least one
// attempt, and returns the log as the merchant reads it.
func ssrfAttempts(t *testing.T, p *apptest.Platform, k apptest.Keys, endpointID string) (raw string, attempts []map[string]any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, out := ssrfDo(t, p, k, "GET", "/v1/webhook_endpoints/"+endpointID+"/deliveries", "")
		if status != http.StatusOK {
			t.Fatalf("deliveries = %d %v", status, out)
		}
		attempts = attempts[:0]
		for _, d := range out["data"].([]any) {
			for _, a := range d.(map[string]any)["attempts"].([]any) {
				attempts = append(attempts, a.(map[string]any))
			}
		}
		if len(attempts) > 0 {
			b, _ := json.Marshal(out)
			return string(b), attempts
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery attempt for %s", endpointID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ssrfReceiver is an "internal service" on loopback: it counts requests and
// answers with a body no merchant may read.
type ssrfReceiver struct {
	*httptest.Server
	hits atomic.Int32
}

const ssrfSecretBody = "internal-service-secret-7f3a"

func ssrfNewReceiver(t *testing.T) *ssrfReceiver {
	t.Helper()
	r := &ssrfReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.hits.Add(1)
		w.Write([]byte(ssrfSecretBody))
	}))
	t.Cleanup(r.Close)
	return r
}

// ssrfDNS plays a DNS server whose answers the test changes (rebinding).
type ssrfDNS struct {
	mu      sync.Mutex
	answers map[string][]netip.Addr
}

func (d *ssrfDNS) set(host string, addrs ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.answers[host] = nil
	for _, a := range addrs {
		d.answers[host] = append(d.answers[host], netip.MustParseAddr(a))
	}
}

func (d *ssrfDNS) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []netip.Addr
	for _, a := range d.answers[host] {
		if network == "ip" || (network == "ip4") == a.Is4() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

// ssrfFast delivers webhooks promptly.
func ssrfFast(c *app.Config) {
	c.DeliverEvery = 20 * time.Millisecond
	c.WebhookBackoff = func(int) time.Duration { return time.Hour }
}

// TestSSRFWebhookRegistrationRefused: every internal destination is refused
// at registration in both environments with 400 destination_not_allowed on
// the url field, even after the merchant made its origin a Trust URL, and
// nothing is stored. In TRAINING that includes the lender's own loopback,
// plain http, a listening port, by address and by name.
func TestSSRFWebhookRegistrationRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		rcv := ssrfNewReceiver(t)
		port := rcv.Listener.Addr().(*net.TCPAddr).Port
		training := append([]string{rcv.URL + "/hook", fmt.Sprintf("http://localhost:%d/hook", port),
			fmt.Sprintf("http://[::1]:%d/", port)}, ssrfInternalURLs...)
		for _, c := range []struct {
			env  openflex.Environment
			urls []string
		}{{openflex.Training, training}, {openflex.Production, ssrfInternalURLs}} {
			var origins []string
			for _, u := range c.urls {
				origins = append(origins, ssrfOrigin(t, u))
			}
			k := p.NewKeys(t, p.Merchant.ID, c.env, origins...)
			for _, u := range c.urls {
				status, out := ssrfRegister(t, p, k, u)
				apiErr, _ := out["error"].(map[string]any)
				if status != http.StatusBadRequest || apiErr["code"] != string(openflex.CodeDestinationNotAllowed) || apiErr["param"] != "url" {
					t.Errorf("%s: register %s = %d %v, want 400 destination_not_allowed on url", c.env, u, status, out)
					continue
				}
				if msg, _ := apiErr["message"].(string); !strings.Contains(msg, "public internet address") {
					t.Errorf("%s: register %s: message %q does not say what is wrong", c.env, u, msg)
				}
			}
			if status, out := ssrfDo(t, p, k, "GET", "/v1/webhook_endpoints", ""); status != http.StatusOK || len(out["data"].([]any)) != 0 {
				t.Errorf("%s: endpoints after refusals = %d %v", c.env, status, out)
			}
		}
		if n := rcv.hits.Load(); n != 0 {
			t.Fatalf("registration reached the loopback service %d times", n)
		}
	})
}

// TestSSRFWebhookDNSRebindingRefusedAtConnect: a host name that resolved to
// a public address at registration resolves to the lender's loopback when
// the event is delivered. The dialer judges the address it connects to, so
// the internal service is never reached, and the merchant's delivery log
// says "destination not allowed" without the internal address or body.
func TestSSRFWebhookDNSRebindingRefusedAtConnect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		dns := &ssrfDNS{answers: map[string][]netip.Addr{}}
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) {
			ssrfFast(c)
			c.WebhookResolver = dns
		}})
		rcv := ssrfNewReceiver(t)
		port := rcv.Listener.Addr().(*net.TCPAddr).Port
		for _, c := range []struct {
			env  openflex.Environment
			host string
			url  string
		}{
			{openflex.Training, "rebind-training.example", fmt.Sprintf("http://rebind-training.example:%d/hook", port)},
			{openflex.Production, "rebind-production.example", "https://rebind-production.example/hook"},
		} {
			k := p.NewKeys(t, p.Merchant.ID, c.env, ssrfOrigin(t, c.url))
			// Registration: the name answers with a public address (never
			// connected to: no event exists yet).
			dns.set(c.host, "93.184.215.14")
			status, ep := ssrfRegister(t, p, k, c.url)
			if status != http.StatusCreated {
				t.Fatalf("%s: register %s = %d %v", c.env, c.url, status, ep)
			}
			// Rebinding: now it answers with the lender's loopback.
			dns.set(c.host, "127.0.0.1", "::1")
			ssrfTriggerEvent(t, p, k)
			raw, attempts := ssrfAttempts(t, p, k, ep["id"].(string))
			a := attempts[0]
			if a["status_code"].(float64) != 0 || a["response_excerpt"] != "" || !strings.HasPrefix(a["error"].(string), "destination not allowed") {
				t.Errorf("%s: attempt = %v, want a refusal before connecting", c.env, a)
			}
			for _, leak := range []string{"127.0.0.1", "::1", ssrfSecretBody, "dial tcp"} {
				if strings.Contains(raw, leak) {
					t.Errorf("%s: the delivery log shows %q: %s", c.env, leak, raw)
				}
			}
		}
		if n := rcv.hits.Load(); n != 0 {
			t.Fatalf("the internal service was reached %d times", n)
		}
	})
}

// TestSSRFWebhookAllowPrivate: with --webhooks-allow-private (local
// development) a receiver on loopback gets its events and the merchant reads
// its response excerpt; a closed port reads "connection refused", without
// the address or Go's error text.
func TestSSRFWebhookAllowPrivate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) {
			ssrfFast(c)
			c.WebhooksAllowPrivate = true
		}})
		rcv := ssrfNewReceiver(t)
		closed := httptest.NewServer(http.NotFoundHandler())
		closedURL := closed.URL + "/hook"
		closed.Close() // nothing listens there any more

		k := p.NewKeys(t, p.Merchant.ID, openflex.Training, rcv.URL, ssrfOrigin(t, closedURL))
		status, ep := ssrfRegister(t, p, k, rcv.URL+"/hook")
		if status != http.StatusCreated {
			t.Fatalf("register %s with the flag on = %d %v", rcv.URL, status, ep)
		}
		status, dead := ssrfRegister(t, p, k, closedURL)
		if status != http.StatusCreated {
			t.Fatalf("register %s with the flag on = %d %v", closedURL, status, dead)
		}
		ssrfTriggerEvent(t, p, k)

		_, attempts := ssrfAttempts(t, p, k, ep["id"].(string))
		if a := attempts[0]; a["status_code"].(float64) != 200 || a["response_excerpt"] != ssrfSecretBody || a["error"] != nil {
			t.Errorf("attempt to the loopback receiver = %v, want 200 with its excerpt", a)
		}
		if rcv.hits.Load() == 0 {
			t.Error("the loopback receiver got nothing")
		}
		host := strings.TrimPrefix(closed.URL, "http://")
		raw, attempts := ssrfAttempts(t, p, k, dead["id"].(string))
		if a := attempts[0]; a["error"] != "connection refused" || a["status_code"].(float64) != 0 {
			t.Errorf("attempt to a closed port = %v, want connection refused", a)
		}
		for _, leak := range []string{host, "127.0.0.1", "dial tcp", "Post "} {
			if strings.Contains(raw, leak) {
				t.Errorf("the delivery log shows %q: %s", leak, raw)
			}
		}
	})
}
