package netguard_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/openflex/openflex/internal/netguard"
)

// FuzzCheck: the address check never panics, and what it allows is a
// unicast address outside every range the standard library also knows to
// be local (loopback, private, link-local, multicast, unspecified), whose
// embedded IPv4 address, if any, is allowed too; an IPv4 address and its
// IPv4-mapped spelling are judged alike. The seeds are the security
// review's addresses; `go test -fuzz=FuzzCheck ./internal/netguard`
// explores further.
func FuzzCheck(f *testing.F) {
	for _, c := range refused {
		f.Add(c.addr)
	}
	for _, s := range allowed {
		f.Add(s)
	}
	f.Add("not an address")
	f.Add("1.2.3.4%eth0")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			if netguard.Check(a) == nil {
				t.Fatalf("the zero address from %q was allowed", s)
			}
			return
		}
		err = netguard.Check(a)
		if a.Is4() {
			mapped := netip.AddrFrom16(a.As16())
			if (netguard.Check(mapped) == nil) != (err == nil) {
				t.Fatalf("%v and %v judged differently", a, mapped)
			}
		}
		if err != nil {
			return
		}
		u := a.Unmap()
		if a.Zone() != "" || u.IsLoopback() || u.IsPrivate() || u.IsLinkLocalUnicast() || u.IsLinkLocalMulticast() ||
			u.IsInterfaceLocalMulticast() || u.IsMulticast() || u.IsUnspecified() || !u.IsGlobalUnicast() {
			t.Fatalf("Check allowed %v", a)
		}
		if v4, form, ok := netguard.Embedded(a); ok && netguard.Check(v4) != nil {
			t.Fatalf("Check allowed %v, an %s address of the refused %v", a, form, v4)
		}
	})
}

// FuzzCheckHost: whatever a host name resolves to, CheckHost allows it only
// when every address is allowed, and never panics on any host string.
func FuzzCheckHost(f *testing.F) {
	f.Add("shop.example", []byte{93, 184, 215, 14}, []byte{127, 0, 0, 1})
	f.Add("127.0.0.1", []byte{8, 8, 8, 8}, []byte{})
	f.Add("[::1]", []byte{}, []byte{})
	f.Add("internal.example", []byte{10, 0, 0, 1}, []byte{})
	f.Add("v6.example", []byte{0x20, 0x02, 0x7f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, []byte{8, 8, 4, 4})
	f.Add("", []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, host string, first, second []byte) {
		var answer []netip.Addr
		for _, b := range [][]byte{first, second} {
			if a, ok := netip.AddrFromSlice(b); ok {
				answer = append(answer, a)
			}
		}
		dns := &fakeDNS{answers: map[string][]netip.Addr{host: answer}}
		err := (&netguard.Policy{Resolver: dns}).CheckHost(context.Background(), host)
		if err != nil {
			return
		}
		if dns.asked.Load() == 0 {
			// A literal: judged as it is.
			lit, perr := netip.ParseAddr(host)
			if perr != nil {
				lit, perr = netip.ParseAddr(trimBrackets(host))
			}
			if perr != nil || netguard.Check(lit) != nil {
				t.Fatalf("CheckHost(%q) allowed a literal that Check refuses", host)
			}
			return
		}
		if len(answer) == 0 {
			t.Fatalf("CheckHost(%q) allowed a name without addresses", host)
		}
		for _, a := range answer {
			if netguard.Check(a) != nil {
				t.Fatalf("CheckHost(%q) allowed the answer %v", host, answer)
			}
		}
	})
}

func trimBrackets(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}
