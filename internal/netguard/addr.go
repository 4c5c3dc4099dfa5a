// Package netguard holds the address policy for connections the platform
// makes on a merchant's behalf (webhook deliveries): only public unicast
// internet addresses may be reached, so a merchant-chosen URL can never make
// the lender's servers talk to their own network (server-side request
// forgery). The special-purpose ranges come from the IANA IPv4 and IPv6
// special-purpose address registries, as maintained in code.dny.dev/ssrf;
// this package adds the judging of IPv6 addresses that embed an IPv4 one.
package netguard

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"code.dny.dev/ssrf"
)

// ErrNotAllowed is what every refusal matches with errors.Is.
var ErrNotAllowed = errors.New("destination not allowed")

// Refusal says which address was refused and why. Its text names the
// address: it is for the operator's log, never for a merchant-visible
// record (a merchant must not learn what a host name resolves to inside
// the lender's network).
type Refusal struct {
	Addr   netip.Addr
	Reason string
}

func (r *Refusal) Error() string {
	return "destination not allowed: " + r.Addr.String() + " is " + r.Reason
}

// Is makes errors.Is(err, ErrNotAllowed) hold for every refusal.
func (r *Refusal) Is(target error) bool { return target == ErrNotAllowed }

// The IPv6 forms that carry an IPv4 address.
var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052
	nat64LocalUse  = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215
	sixToFour      = netip.MustParsePrefix("2002::/16")      // RFC 3056
	teredo         = netip.MustParsePrefix("2001::/32")      // RFC 4380
	ipv4Compatible = netip.MustParsePrefix("::/96")          // RFC 4291 §2.5.5.1, deprecated
)

// guardian holds the IANA lists; ports and networks are not its business
// here (a merchant's receiver may listen on any port).
var guardian = ssrf.New(ssrf.WithAnyPort(), ssrf.WithAnyNetwork())

// Embedded returns the IPv4 address an IPv6 address carries, and the name of
// the form, for IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96 and
// 64:ff9b:1::/48, RFC 6052 /96 layout), 6to4 and Teredo addresses (the
// Teredo client's address, stored inverted in the last 32 bits).
func Embedded(a netip.Addr) (v4 netip.Addr, form string, ok bool) {
	if !a.Is6() {
		return netip.Addr{}, "", false
	}
	b := a.As16()
	last32 := netip.AddrFrom4([4]byte(b[12:16]))
	a = a.WithZone("")
	switch {
	case a.Is4In6():
		return a.Unmap(), "IPv4-mapped", true
	case nat64WellKnown.Contains(a):
		return last32, "NAT64", true
	case nat64LocalUse.Contains(a):
		return last32, "local-use NAT64", true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4", true
	case teredo.Contains(a):
		var c [4]byte
		binary.BigEndian.PutUint32(c[:], binary.BigEndian.Uint32(b[12:16])^0xffffffff)
		return netip.AddrFrom4(c), "Teredo", true
	case ipv4Compatible.Contains(a) && !a.IsUnspecified() && !a.IsLoopback():
		return last32, "IPv4-compatible", true
	}
	return netip.Addr{}, "", false
}

// Check returns nil when a is a public unicast address, and a *Refusal
// otherwise. IPv4-mapped and well-known NAT64 addresses are other spellings
// of an IPv4 destination and are judged by it alone (on an IPv6-only host
// behind NAT64, 64:ff9b::808:808 is how 8.8.8.8 is reached). Every other
// form embedding an IPv4 address is refused when that address is not
// public, and otherwise by the registry (6to4, Teredo, IPv4-compatible and
// local-use NAT64 are not globally reachable destinations).
func Check(a netip.Addr) error {
	switch {
	case !a.IsValid():
		return &Refusal{a, "not an IP address"}
	case a.Zone() != "":
		return &Refusal{a, "a scoped (zoned) IPv6 address"}
	}
	if v4, form, ok := Embedded(a); ok {
		if r := check4(v4); r != nil {
			return &Refusal{a, "an " + form + " address of " + v4.String() + ", which is " + r.Reason}
		}
		if form == "IPv4-mapped" || form == "NAT64" {
			return nil
		}
	}
	if a.Is4() {
		if r := check4(a); r != nil {
			return r
		}
		return nil
	}
	if err := guardian.SafeAddr(a); err != nil {
		return &Refusal{a, reason(a)}
	}
	return nil
}

func check4(a netip.Addr) *Refusal {
	if err := guardian.SafeAddr(a); err != nil {
		return &Refusal{a, reason(a)}
	}
	return nil
}

// reason names the kind of a refused address for the operator's log.
func reason(a netip.Addr) string {
	switch {
	case a.IsLoopback():
		return "a loopback address"
	case a.IsUnspecified():
		return "the unspecified address"
	case a.IsPrivate():
		return "a private address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case a.IsMulticast():
		return "a multicast address"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "the broadcast address"
	}
	return "a special-purpose address (IANA registry)"
}

// Public reports whether a is a public unicast address.
func Public(a netip.Addr) bool { return Check(a) == nil }
