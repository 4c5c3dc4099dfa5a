package securitytest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
)

// The merchant's real integration, an address inside its Trust IP range
// that is not the integration's, and an address outside it. Requests reach
// the server from 127.0.0.1, a trusted proxy, which names the client in
// X-Forwarded-For (the --trusted-proxies path every deployment behind a
// load balancer takes).
const (
	lockoutMerchantAddr = "203.0.113.10"
	lockoutNeighbour    = "203.0.113.66"
	lockoutOutsider     = "198.51.100.7"
	lockoutTrustRange   = "203.0.113.0/24"
)

// lockoutHasher counts the secrets hashed, so a test can see that an
// unknown Client ID costs the server the same work as a known one.
type lockoutHasher struct {
	inner keys.SecretHasher
	mu    sync.Mutex
	calls map[string]int
}

func (h *lockoutHasher) Hash(purpose, value string) []byte {
	h.mu.Lock()
	h.calls[purpose]++
	h.mu.Unlock()
	return h.inner.Hash(purpose, value)
}

func (h *lockoutHasher) count(purpose string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[purpose]
}

// lockoutPlatform starts a platform behind a trusted proxy (127.0.0.1)
// with a counting secret hasher.
func lockoutPlatform(t *testing.T, e storetest.Engine) (*apptest.Platform, *lockoutHasher) {
	t.Helper()
	h := &lockoutHasher{calls: map[string]int{}}
	p := apptest.Start(t, e, apptest.Options{
		Tweak: func(c *app.Config) { c.TrustedProxies = []string{"127.0.0.1/32"} },
		WrapHasher: func(inner keys.SecretHasher) keys.SecretHasher {
			h.inner = inner
			return h
		},
	})
	return p, h
}

// lockoutKeySet creates a key set of the platform's merchant with trustIPs.
func lockoutKeySet(t *testing.T, p *apptest.Platform, env openflex.Environment, trustIPs ...string) apptest.Keys {
	t.Helper()
	ks, secret, err := p.Main.Keys.Create(context.Background(), keys.NewKeySet{MerchantID: p.Merchant.ID, Environment: env,
		TrustIPs: trustIPs, TrustURLs: []string{"https://shop.example.com"}}, keys.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Keys{ClientID: ks.ClientID, ClientSecret: secret}
}

// lockoutReply is a response's status, Retry-After and error code (the
// RFC 6749 "error" of /oauth/token or the API's error.code on /v1).
type lockoutReply struct {
	status     int
	code       string
	retryAfter string
	raw        string
}

// lockoutCall authenticates as clientID/secret from address from, on
// /oauth/token (form credentials) or on GET /v1/stores (Basic).
func lockoutCall(t *testing.T, p *apptest.Platform, path, clientID, secret, from string) lockoutReply {
	t.Helper()
	var req *http.Request
	var err error
	if path == "/oauth/token" {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
		req, err = http.NewRequest(http.MethodPost, p.URL+path, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(http.MethodGet, p.URL+path, nil)
		if err == nil {
			req.SetBasicAuth(clientID, secret)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", from)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := lockoutReply{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), raw: string(b)}
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &body) == nil && len(body.Error) > 0 {
		var oauth string
		var api struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(body.Error, &oauth) == nil {
			r.code = oauth
		} else if json.Unmarshal(body.Error, &api) == nil {
			r.code = api.Code
		}
	}
	return r
}

// lockoutNth returns addr with its last byte raised by n.
func lockoutNth(addr string, n int) string {
	a := netip.MustParseAddr(addr).As4()
	a[3] += byte(n)
	return netip.AddrFrom4(a).String()
}

// lockoutPaths are the two ways to present a Client ID and secret.
var lockoutPaths = []string{"/oauth/token", "/v1/stores"}

// TestLockoutAttackerCannotLockOutMerchant: knowing a Client ID (it is not
// secret) and sending wrong secrets, from outside the key set's Trust IPs or
// from another address, never stops the merchant's own address.
func TestLockoutAttackerCannotLockOutMerchant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p, _ := lockoutPlatform(t, e)
		for pi, path := range lockoutPaths {
			t.Run(path, func(t *testing.T) {
				cases := []struct {
					name     string
					env      openflex.Environment
					trustIPs []string
					attacker string
					// attackerAnswer is what every wrong guess gets before the
					// attacker's own throttle cuts in (if ever).
					attackerStatus int
					throttled      bool
				}{
					{"PRODUCTION, attacker outside the Trust IPs", openflex.Production, []string{lockoutTrustRange}, lockoutOutsider, 403, false},
					{"PRODUCTION, attacker inside the Trust IP range", openflex.Production, []string{lockoutTrustRange}, lockoutNeighbour, 401, true},
					{"TRAINING, no Trust IPs, attacker elsewhere", openflex.Training, nil, lockoutOutsider, 401, true},
				}
				for ci, tc := range cases {
					t.Run(tc.name, func(t *testing.T) {
						// A fresh attacker address per case, so one case's
						// throttle is not another's.
						tc.attacker = lockoutNth(tc.attacker, pi*len(cases)+ci)
						k := lockoutKeySet(t, p, tc.env, tc.trustIPs...)
						wrong := keys.NewSecret(tc.env)
						var sawThrottle bool
						for i := range 30 {
							r := lockoutCall(t, p, path, k.ClientID, wrong, tc.attacker)
							switch {
							case r.status == tc.attackerStatus:
							case tc.throttled && r.status == 429 && i >= 10 && r.retryAfter != "":
								sawThrottle = true
							default:
								t.Fatalf("wrong secret #%d from %s = %d %s (Retry-After %q), want %d (429 with Retry-After only after 10 failures, and only for an address allowed to try)",
									i+1, tc.attacker, r.status, r.raw, r.retryAfter, tc.attackerStatus)
							}
						}
						if tc.throttled && !sawThrottle {
							t.Fatalf("30 wrong secrets from %s were never throttled; the attacker's own address must be", tc.attacker)
						}
						if r := lockoutCall(t, p, path, k.ClientID, k.ClientSecret, lockoutMerchantAddr); r.status != 200 {
							t.Fatalf("the merchant's own address %s after the attack = %d %s, want 200", lockoutMerchantAddr, r.status, r.raw)
						}
					})
				}
			})
		}
	})
}

// TestLockoutUntrustedAddressGetsTheUntrustedAnswer: for a PRODUCTION key
// set the Trust IP list is checked before the secret, so an address outside
// it learns nothing about the secret: right or wrong, the same refusal.
func TestLockoutUntrustedAddressGetsTheUntrustedAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p, _ := lockoutPlatform(t, e)
		k := lockoutKeySet(t, p, openflex.Production, lockoutTrustRange)
		want := map[string]lockoutReply{"/oauth/token": {status: 403, code: "access_denied"}, "/v1/stores": {status: 403, code: "ip_not_trusted"}}
		for _, path := range lockoutPaths {
			right := lockoutCall(t, p, path, k.ClientID, k.ClientSecret, lockoutOutsider)
			wrong := lockoutCall(t, p, path, k.ClientID, keys.NewSecret(openflex.Production), lockoutOutsider)
			for name, r := range map[string]lockoutReply{"right secret": right, "wrong secret": wrong} {
				if r.status != want[path].status || r.code != want[path].code {
					t.Errorf("%s from an untrusted address, %s = %d %s, want %d %s", path, name, r.status, r.raw, want[path].status, want[path].code)
				}
			}
		}
	})
}

// TestLockoutUnknownClientDoesTheSameWork: an unknown Client ID costs the
// server the same HMAC of the presented secret as a known one, so response
// times cannot tell which Client IDs exist. Checked by counting the hashes,
// never by timing.
func TestLockoutUnknownClientDoesTheSameWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p, h := lockoutPlatform(t, e)
		prod := lockoutKeySet(t, p, openflex.Production, lockoutTrustRange)
		train := lockoutKeySet(t, p, openflex.Training)
		for _, path := range lockoutPaths {
			cases := []struct {
				name, clientID, secret, from string
			}{
				{"known PRODUCTION, wrong secret", prod.ClientID, keys.NewSecret(openflex.Production), lockoutMerchantAddr},
				{"known PRODUCTION, untrusted address", prod.ClientID, keys.NewSecret(openflex.Production), lockoutOutsider},
				{"unknown PRODUCTION Client ID", keys.NewClientID(openflex.Production), keys.NewSecret(openflex.Production), lockoutMerchantAddr},
				{"known TRAINING, wrong secret", train.ClientID, keys.NewSecret(openflex.Training), lockoutMerchantAddr},
				{"unknown TRAINING Client ID", keys.NewClientID(openflex.Training), keys.NewSecret(openflex.Training), lockoutMerchantAddr},
				{"unknown Client ID of the other environment", keys.NewClientID(openflex.Training), keys.NewSecret(openflex.Production), lockoutMerchantAddr},
			}
			for _, tc := range cases {
				before := h.count("secret")
				r := lockoutCall(t, p, path, tc.clientID, tc.secret, tc.from)
				if r.status < 400 {
					t.Fatalf("%s %s = %d %s, want a refusal", path, tc.name, r.status, r.raw)
				}
				if n := h.count("secret") - before; n != 1 {
					t.Errorf("%s %s hashed %d secrets, want exactly 1 (the same work whether or not the Client ID exists)", path, tc.name, n)
				}
			}
		}
	})
}
