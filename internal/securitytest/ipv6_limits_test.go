package securitytest

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
)

// ipv6Host returns the n-th address of the /64 prefix (the interface id a
// host picks freely: one subscriber holds the whole /64).
func ipv6Host(prefix string, n int) string {
	return fmt.Sprintf("%s:%x:%x::%x", prefix, n>>16+1, n&0xffff, n+1)
}

// forwardedAs sends every request as coming from the next address of a
// /64 (the server trusts 127.0.0.1 to name the client in X-Forwarded-For).
type forwardedAs struct {
	prefix string
	n      int
}

func (f *forwardedAs) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", ipv6Host(f.prefix, f.n))
	f.n++
	return http.DefaultTransport.RoundTrip(r)
}

// TestIPv6LimitsCountTheSlash64: every limit keyed by address counts an
// IPv6 address by its /64, so an attacker rotating through the 2^64
// addresses of its own /64 gets one bucket, not a fresh one per request.
// Another /64 is another subscriber and is not held up.
func TestIPv6LimitsCountTheSlash64(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p, _ := lockoutPlatform(t, e)
		const attacker, neighbour = "2001:db8:6464:1", "2001:db8:6464:2"

		t.Run("client authentication throttle", func(t *testing.T) {
			k := lockoutKeySet(t, p, openflex.Training)
			wrong := keys.NewSecret(openflex.Training)
			throttledAt := 0
			for i := range 40 {
				r := lockoutCall(t, p, "/oauth/token", k.ClientID, wrong, ipv6Host(attacker, i))
				if r.status == 429 {
					throttledAt = i + 1
					break
				}
				if r.status != 401 {
					t.Fatalf("wrong secret #%d = %d %s, want 401 or 429", i+1, r.status, r.raw)
				}
			}
			if throttledAt == 0 || throttledAt > 11 {
				t.Fatalf("40 wrong secrets from 40 addresses of one /64: throttled at #%d, want after 10 (0: never)", throttledAt)
			}
			if r := lockoutCall(t, p, "/oauth/token", k.ClientID, k.ClientSecret, neighbour+"::1"); r.status != 200 {
				t.Fatalf("the right secret from another /64 = %d %s, want 200", r.status, r.raw)
			}
		})

		t.Run("portal password-reset form", func(t *testing.T) {
			b := smallNewBrowser(t, p.URL)
			b.client.Transport = &forwardedAs{prefix: attacker}
			limitedAt := 0
			for i := range 10 {
				st, body := b.submit("/portal/password/forgot", "/portal/password/forgot", url.Values{"email": {fmt.Sprintf("victim%d@example.com", i)}})
				if st == http.StatusTooManyRequests {
					limitedAt = i + 1
					break
				}
				if st != 200 {
					t.Fatalf("reset request #%d = %d:\n%s", i+1, st, body)
				}
			}
			if limitedAt == 0 || limitedAt > 6 {
				t.Fatalf("10 reset mails from addresses of one /64: limited at #%d, want after 5 (0: never)", limitedAt)
			}
			other := smallNewBrowser(t, p.URL)
			other.client.Transport = &forwardedAs{prefix: neighbour}
			if st, body := other.submit("/portal/password/forgot", "/portal/password/forgot", url.Values{"email": {"someone@example.com"}}); st != 200 {
				t.Fatalf("a reset from another /64 = %d:\n%s", st, body)
			}
		})
	})
}
