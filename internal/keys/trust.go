package keys

import (
	"net/netip"
	"net/url"
	"strings"

	"strconv"

	"github.com/openflex/openflex"
)

// NormalizeTrustIPs parses CIDRs (or bare addresses, taken as /32 or /128),
// IPv4 and IPv6, unmapping IPv4-mapped IPv6, and returns them canonical.
// An empty list means "any IP", which only TRAINING allows.
func NormalizeTrustIPs(env openflex.Environment, in []string) ([]string, error) {
	var probs openflex.Problems
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, raw := range in {
		p, ok := ParseTrustIP(raw)
		if !ok {
			probs.Invalid(paramIndex("trust_ips", i), "%q is not an IP address or CIDR range", raw)
			continue
		}
		if s := p.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(in) == 0 && env == openflex.Production {
		probs.Invalid("trust_ips", "PRODUCTION key sets need at least one Trust IP range")
	}
	return out, probs.Err()
}

// ParseTrustIP parses one Trust IP entry.
func ParseTrustIP(raw string) (netip.Prefix, bool) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "/") {
		a, err := netip.ParseAddr(raw)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, false
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(raw)
	if err != nil {
		return netip.Prefix{}, false
	}
	if a := p.Addr(); a.Is4In6() {
		bits := p.Bits() - 96
		if bits < 0 {
			return netip.Prefix{}, false
		}
		p = netip.PrefixFrom(a.Unmap(), bits)
	}
	return p.Masked(), true
}

// IPAllowed reports whether ip may use a key set with these Trust IPs
// (canonical strings as stored). No entries allows every address.
func IPAllowed(trustIPs []string, ip netip.Addr) bool {
	if len(trustIPs) == 0 {
		return true
	}
	ip = ip.Unmap()
	for _, raw := range trustIPs {
		if p, ok := ParseTrustIP(raw); ok && p.Contains(ip) {
			return true
		}
	}
	return false
}

// NormalizeTrustURL checks that raw is an origin (scheme, host, optional
// port; no path, query, fragment, credentials or trailing slash) and returns
// it lower-cased. PRODUCTION origins must be https.
func NormalizeTrustURL(env openflex.Environment, raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	if u.Path != "" { // includes a trailing "/"
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && (scheme != "http" || env == openflex.Production) {
		return "", false
	}
	if u.Hostname() == "" {
		return "", false
	}
	// The origin must read back as itself: a percent-decoded host (an IPv6
	// zone, "%25eth0") would otherwise be stored as a string that is no URL.
	origin := scheme + "://" + strings.ToLower(u.Host)
	if back, err := url.Parse(origin); err != nil || !strings.EqualFold(back.Host, u.Host) || back.Path != "" {
		return "", false
	}
	return origin, true
}

// NormalizeTrustURLs validates a whole list, reporting every bad entry.
func NormalizeTrustURLs(env openflex.Environment, in []string) ([]string, error) {
	var probs openflex.Problems
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, raw := range in {
		o, ok := NormalizeTrustURL(env, raw)
		if !ok {
			want := "an origin such as https://shop.example.com (no path or trailing slash)"
			if env == openflex.Production {
				want = "an https origin such as https://shop.example.com (no path or trailing slash)"
			}
			probs.Invalid(paramIndex("trust_urls", i), "%q must be %s", raw, want)
			continue
		}
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out, probs.Err()
}

// URLTrusted reports whether the origin of rawURL (a redirect or webhook
// URL) is one of the Trust URLs. URLs with credentials never are.
func URLTrusted(trustURLs []string, rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	origin := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	for _, t := range trustURLs {
		if t == origin {
			return true
		}
	}
	return false
}

func paramIndex(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}
