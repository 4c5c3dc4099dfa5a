package keys

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex"
)

// The Trust URL and Trust IP parsers take whatever a merchant types into the
// portal or the API. These fuzz targets run their seed corpus with every
// `go test`; `go test -fuzz=FuzzTrustURL ./internal/keys` explores further.

// FuzzTrustURL: NormalizeTrustURL never panics; what it accepts is an
// origin (http(s)://host[:port], lower-case, nothing else, https in
// PRODUCTION), normalizing is idempotent, and URLTrusted matches exactly the
// URLs of that origin, never one that carries credentials.
func FuzzTrustURL(f *testing.F) {
	for _, s := range []string{
		"https://shop.example.com", "http://localhost:3000", "HTTPS://Shop.Example.COM:8443", "https://shop.example.com/",
		"https://shop.example.com/path", "https://user:pw@shop.example.com", "https://shop.example.com?x=1", "https://shop.example.com#top",
		"ftp://shop.example.com", "//shop.example.com", "https://", "https://[::1]:8080", "https://[64:ff9b::7f00:1]",
		"https://[fe80::1%25eth0]", "http://127.0.0.1:8080", " https://padded.example ", "https://shop.example.com:99999",
		"https://xn--bcher-kva.example", "https://shop.example.com\x00", "mailto:dev@shop.example.com", "https:shop.example.com",
		"https://%2e%2e", "https://a@b@c", "https://shop.example.com\\@evil.example", "",
	} {
		f.Add(s, true, "/hook")
		f.Add(s, false, "")
	}
	f.Fuzz(func(t *testing.T, raw string, production bool, suffix string) {
		env := openflex.Training
		if production {
			env = openflex.Production
		}
		o, ok := NormalizeTrustURL(env, raw)
		if !ok {
			if o != "" {
				t.Fatalf("refused %q but returned %q", raw, o)
			}
			return
		}
		if o != strings.ToLower(o) {
			t.Fatalf("NormalizeTrustURL(%q) = %q, not lower-case", raw, o)
		}
		if !strings.HasPrefix(o, "https://") && (env == openflex.Production || !strings.HasPrefix(o, "http://")) {
			t.Fatalf("NormalizeTrustURL(%s, %q) = %q: scheme not allowed", env, raw, o)
		}
		if again, ok := NormalizeTrustURL(env, o); !ok || again != o {
			t.Fatalf("normalizing %q again = %q, %v", o, again, ok)
		}
		u, err := url.Parse(o)
		if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Hostname() == "" {
			t.Fatalf("NormalizeTrustURL(%q) = %q is not a bare origin (%v)", raw, o, err)
		}
		if !URLTrusted([]string{o}, o) {
			t.Fatalf("origin %q does not trust itself", o)
		}
		// A URL under the origin is trusted exactly when it parses to the
		// same origin without credentials.
		cand := o + suffix
		cu, err := url.Parse(cand)
		want := err == nil && cu.User == nil && cu.Host != "" && strings.ToLower(cu.Scheme)+"://"+strings.ToLower(cu.Host) == o
		if got := URLTrusted([]string{o}, cand); got != want {
			t.Fatalf("URLTrusted([%q], %q) = %v, want %v", o, cand, got, want)
		}
		if URLTrusted([]string{o}, strings.Replace(o, "://", "://user@", 1)) {
			t.Fatalf("a URL with credentials passed as %q", o)
		}
	})
}

// FuzzTrustIP: ParseTrustIP never panics; what it accepts is a masked,
// valid prefix without a zone and never IPv4-mapped (so an IPv4 client
// matches it however the socket spelled its address), that reads back the
// same from its string, and contains its own address.
func FuzzTrustIP(f *testing.F) {
	for _, s := range []string{
		"203.0.113.7", "203.0.113.0/24", "203.0.113.7/24", "0.0.0.0/0", "::/0", "2001:db8::/32", "2001:db8::1",
		"::ffff:203.0.113.7", "::ffff:203.0.113.0/120", "::ffff:0:0/95", "::ffff:0:0/96", "fe80::1%eth0", "fe80::/10",
		"1.2.3.4/33", "1.2.3.4/-1", "1.2.3", " 10.0.0.1 ", "10.0.0.1/", "/24", "01.2.3.4", "1.2.3.4/024", "", "::ffff:1.2.3.4/128",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, ok := ParseTrustIP(raw)
		if !ok {
			return
		}
		a := p.Addr()
		if !p.IsValid() || p != p.Masked() || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("ParseTrustIP(%q) = %v: not a clean prefix", raw, p)
		}
		if again, ok := ParseTrustIP(p.String()); !ok || again != p {
			t.Fatalf("ParseTrustIP(%q) = %v, but its string reads back as %v, %v", raw, p, again, ok)
		}
		if !IPAllowed([]string{p.String()}, a) {
			t.Fatalf("%v does not allow its own address %v", p, a)
		}
		if a.Is4() && !IPAllowed([]string{p.String()}, netip.AddrFrom16(a.As16())) {
			t.Fatalf("%v refuses the IPv4-mapped spelling of %v", p, a)
		}
		if norm, err := NormalizeTrustIPs(openflex.Production, []string{raw}); err != nil || len(norm) != 1 || norm[0] != p.String() {
			t.Fatalf("NormalizeTrustIPs(%q) = %v, %v; want [%v]", raw, norm, err, p)
		}
	})
}
