package webhook_test

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/webhook"
)

// fuzzDNS answers every name with the same addresses.
type fuzzDNS []netip.Addr

func (d fuzzDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if len(d) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return d, nil
}

// FuzzNewEndpoint: whatever URL a merchant registers and whatever its host
// resolves to, an endpoint is created only for an http(s) URL of a Trust
// URL's origin (https in PRODUCTION) whose host is a public address or
// resolves to public addresses only; everything else is a client error with
// a code, never a panic. `go test -fuzz=FuzzNewEndpoint ./internal/webhook`
// explores further.
func FuzzNewEndpoint(f *testing.F) {
	for _, s := range []string{
		"https://100.100.100.200", "https://198.18.0.1", "https://[64:ff9b::7f00:1]", "https://[::7f00:1]", "https://[2002:7f00:1::1]",
		"https://240.0.0.1", "https://0.1.2.3", "https://255.255.255.255", "https://192.0.0.8", "http://127.0.0.1:8080/hook",
		"https://[::ffff:127.0.0.1]/x", "https://[fe80::1%25eth0]/", "https://shop.example.com/hooks/openflex", "https://8.8.8.8/h",
		"https://user:pw@shop.example.com/", "https://shop.example.com:443/a?b=c", "http://0x7f.1/", "http://2130706433/",
		"https://shop.example.com./", "https:///nohost", "ftp://shop.example.com", "",
	} {
		f.Add(s, true, []byte{93, 184, 215, 14})
		f.Add(s, false, []byte{127, 0, 0, 1})
	}
	f.Add("https://rebind.example/h", true, []byte{0x20, 0x02, 0x0a, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add("https://rebind.example/h", false, []byte{})
	f.Fuzz(func(t *testing.T, raw string, production bool, resolved []byte) {
		env := openflex.Training
		if production {
			env = openflex.Production
		}
		var answer fuzzDNS
		if a, ok := netip.AddrFromSlice(resolved); ok {
			answer = fuzzDNS{a}
		}
		ks := &openflex.KeySet{ID: "ks_fuzz", MerchantID: "mer_fuzz", Environment: env}
		if u, err := url.Parse(raw); err == nil {
			if o, ok := keys.NormalizeTrustURL(env, u.Scheme+"://"+u.Host); ok {
				ks.TrustURLs = []string{o}
			}
		}
		ep, err := webhook.NewEndpoint(context.Background(), &netguard.Policy{Resolver: answer}, ks, raw, []string{"*"}, time.Now())
		if err != nil {
			if code := openflex.ErrorCode(err); code == openflex.CodeInternal || code == "" {
				t.Fatalf("NewEndpoint(%q) = %v: not a client error", raw, err)
			}
			return
		}
		u, perr := url.Parse(ep.URL)
		if perr != nil || (u.Scheme != "https" && (production || u.Scheme != "http")) || u.User != nil || !keys.URLTrusted(ks.TrustURLs, ep.URL) {
			t.Fatalf("NewEndpoint(%s, %q) accepted a URL it should not", env, raw)
		}
		host := u.Hostname()
		if a, err := netip.ParseAddr(host); err == nil {
			if netguard.Check(a) != nil {
				t.Fatalf("NewEndpoint(%q) accepted the internal literal %v", raw, a)
			}
			return
		}
		if len(answer) == 0 || netguard.Check(answer[0]) != nil {
			t.Fatalf("NewEndpoint(%q) accepted a host resolving to %v", raw, answer)
		}
	})
}
