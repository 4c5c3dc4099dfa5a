package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openflex/openflex/internal/netguard"
)

// Refused lists every destination the security review named, and the rest
// of the special-purpose ranges, each with the kind the refusal must name.
var refused = []struct{ addr, why string }{
	// The review's PRODUCTION list.
	{"100.100.100.200", "special-purpose"}, // CGNAT; a cloud metadata address
	{"198.18.0.1", "special-purpose"},      // benchmarking
	{"64:ff9b::7f00:1", "NAT64 address of 127.0.0.1"},
	{"::7f00:1", "IPv4-compatible address of 127.0.0.1"},
	{"2002:7f00:1::1", "6to4 address of 127.0.0.1"},
	{"240.0.0.1", "special-purpose"},
	{"0.1.2.3", "special-purpose"},
	{"255.255.255.255", "broadcast"},
	{"192.0.0.8", "special-purpose"},
	// TRAINING's: the lender's own loopback.
	{"127.0.0.1", "loopback"},
	{"127.255.255.254", "loopback"},
	// IPv4 ranges of the issue.
	{"10.0.0.1", "private"},
	{"172.16.5.4", "private"},
	{"172.31.255.255", "private"},
	{"192.168.1.1", "private"},
	{"169.254.169.254", "link-local"}, // the other cloud metadata address
	{"100.64.0.1", "special-purpose"},
	{"100.127.255.255", "special-purpose"},
	{"198.19.255.255", "special-purpose"},
	{"192.0.0.1", "special-purpose"},
	{"0.0.0.0", "unspecified"},
	{"224.0.0.1", "multicast"},
	{"239.255.255.250", "multicast"},
	{"192.0.2.10", "special-purpose"},   // TEST-NET-1
	{"198.51.100.7", "special-purpose"}, // TEST-NET-2
	{"203.0.113.9", "special-purpose"},  // TEST-NET-3
	{"192.88.99.1", "special-purpose"},  // 6to4 relay anycast
	// IPv6.
	{"::1", "loopback"},
	{"::", "unspecified"},
	{"fc00::1", "private"},
	{"fd12:3456::1", "private"},
	{"fe80::1", "link-local"},
	{"febf::1", "link-local"},
	{"ff02::1", "multicast"},
	{"2001:db8::1", "special-purpose"}, // documentation
	{"3fff::1", "special-purpose"},     // documentation (RFC 9637)
	{"100::1", "special-purpose"},      // discard-only
	// Every IPv6 form embedding an IPv4 address, judged by that address.
	{"::ffff:127.0.0.1", "IPv4-mapped address of 127.0.0.1"},
	{"::ffff:10.1.2.3", "IPv4-mapped address of 10.1.2.3"},
	{"::ffff:169.254.169.254", "IPv4-mapped address of 169.254.169.254"},
	{"::10.0.0.1", "IPv4-compatible address of 10.0.0.1"},
	{"64:ff9b::a9fe:a9fe", "NAT64 address of 169.254.169.254"},
	{"64:ff9b::100.100.100.200", "NAT64 address of 100.100.100.200"},
	{"64:ff9b:1::7f00:1", "local-use NAT64 address of 127.0.0.1"},
	{"64:ff9b:1::808:808", "special-purpose"}, // local-use: never global
	{"2002:a00:1::1", "6to4 address of 10.0.0.1"},
	{"2002:c0a8:101::1", "6to4 address of 192.168.1.1"},
	{"2002:808:808::1", "special-purpose"}, // 6to4 of a public address: still not a destination
	// Teredo: the client's address is the last 32 bits inverted;
	// 0x80ffff fe = ^127.0.0.1.
	{"2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo address of 127.0.0.1"},
	{"2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo address of 10.0.0.1"},
	{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "special-purpose"}, // Teredo of 192.0.2.45 (RFC 4380's example): documentation
	{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", "special-purpose"}, // Teredo of 8.8.8.8: never a destination
	{"fe80::1%eth0", "scoped"},
}

// allowed are public unicast addresses, in every spelling that means one.
var allowed = []string{
	"8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.0", "198.17.255.255", "198.20.0.0",
	"172.15.255.255", "172.32.0.0", "223.255.255.255", "192.0.1.1",
	"2606:4700:4700::1111", "2a00:1450:4001:80b::200e",
	"::ffff:8.8.8.8",   // IPv4-mapped: the same destination as 8.8.8.8
	"64:ff9b::808:808", // NAT64: how an IPv6-only host reaches 8.8.8.8
}

func TestCheckRefuses(t *testing.T) {
	for _, c := range refused {
		a := netip.MustParseAddr(c.addr)
		err := netguard.Check(a)
		var r *netguard.Refusal
		if !errors.As(err, &r) || !errors.Is(err, netguard.ErrNotAllowed) {
			t.Errorf("Check(%s) = %v, want a refusal", c.addr, err)
			continue
		}
		if !strings.Contains(err.Error(), c.why) {
			t.Errorf("Check(%s) = %q, want the reason to say %q", c.addr, err, c.why)
		}
		if netguard.Public(a) {
			t.Errorf("Public(%s) = true", c.addr)
		}
	}
}

func TestCheckAllows(t *testing.T) {
	for _, s := range allowed {
		if err := netguard.Check(netip.MustParseAddr(s)); err != nil {
			t.Errorf("Check(%s) = %v, want allowed", s, err)
		}
	}
	if netguard.Check(netip.Addr{}) == nil {
		t.Error("the zero address was allowed")
	}
}

func TestEmbedded(t *testing.T) {
	for _, c := range []struct{ in, v4, form string }{
		{"::ffff:1.2.3.4", "1.2.3.4", "IPv4-mapped"},
		{"::1.2.3.4", "1.2.3.4", "IPv4-compatible"},
		{"64:ff9b::1.2.3.4", "1.2.3.4", "NAT64"},
		{"64:ff9b:1:2::1.2.3.4", "1.2.3.4", "local-use NAT64"},
		{"2002:102:304:5::6", "1.2.3.4", "6to4"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45", "Teredo"},
		{"2001:0:4136:e378::fefd:fcfb", "1.2.3.4", "Teredo"},
	} {
		v4, form, ok := netguard.Embedded(netip.MustParseAddr(c.in))
		if !ok || v4.String() != c.v4 || form != c.form {
			t.Errorf("Embedded(%s) = %v %q %v, want %s %q", c.in, v4, form, ok, c.v4, c.form)
		}
	}
	for _, s := range []string{"::", "::1", "8.8.8.8", "2606:4700::1", "2001:db8::1", "fe80::1"} {
		if v4, form, ok := netguard.Embedded(netip.MustParseAddr(s)); ok {
			t.Errorf("Embedded(%s) = %v %q, want none", s, v4, form)
		}
	}
}

// fakeDNS answers from a table; unknown names are not found.
type fakeDNS struct {
	answers map[string][]netip.Addr
	asked   atomic.Int32
}

func (f *fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.asked.Add(1)
	if a, ok := f.answers[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func TestCheckHost(t *testing.T) {
	dns := &fakeDNS{answers: map[string][]netip.Addr{
		"shop.example":     addrs("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
		"internal.example": addrs("10.20.30.40"),
		"mixed.example":    addrs("93.184.215.14", "127.0.0.1"),
		"empty.example":    nil,
	}}
	strict := &netguard.Policy{Resolver: dns}
	open := &netguard.Policy{Resolver: dns, AllowPrivate: true}
	ctx := context.Background()
	for _, c := range []struct {
		host       string
		strict     error // nil: allowed
		openPolicy error
	}{
		{"shop.example", nil, nil},
		{"internal.example", netguard.ErrNotAllowed, nil},
		{"mixed.example", netguard.ErrNotAllowed, nil},
		{"nowhere.example", netguard.ErrUnresolved, nil},
		{"empty.example", netguard.ErrUnresolved, nil},
		{"", netguard.ErrUnresolved, nil},
		{"127.0.0.1", netguard.ErrNotAllowed, nil},
		{"[::1]", netguard.ErrNotAllowed, nil},
		{"8.8.8.8", nil, nil},
	} {
		if err := strict.CheckHost(ctx, c.host); !errors.Is(err, c.strict) || (c.strict == nil) != (err == nil) {
			t.Errorf("strict CheckHost(%q) = %v, want %v", c.host, err, c.strict)
		}
		if err := open.CheckHost(ctx, c.host); err != nil {
			t.Errorf("AllowPrivate CheckHost(%q) = %v", c.host, err)
		}
	}
	var nilPolicy *netguard.Policy
	if err := nilPolicy.CheckHost(ctx, "127.0.0.1"); !errors.Is(err, netguard.ErrNotAllowed) {
		t.Errorf("a nil policy allowed 127.0.0.1: %v", err)
	}
}

// TestDialRefusesRebinding: a name that resolved to a public address when it
// was checked resolves to loopback at connect time; the dialer refuses
// before any packet reaches the loopback listener.
func TestDialRefusesRebinding(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("internal secret"))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	dns := &fakeDNS{answers: map[string][]netip.Addr{"rebind.example": addrs("93.184.215.14")}}
	p := &netguard.Policy{Resolver: dns}
	if err := p.CheckHost(context.Background(), "rebind.example"); err != nil {
		t.Fatalf("check before the rebinding: %v", err)
	}
	dns.answers["rebind.example"] = addrs(u.Hostname())
	client := &http.Client{Transport: &http.Transport{DialContext: p.DialContext}}
	_, err := client.Get("http://rebind.example:" + u.Port() + "/")
	if !errors.Is(err, netguard.ErrNotAllowed) {
		t.Fatalf("GET after rebinding = %v, want destination not allowed", err)
	}
	// A literal loopback URL is refused the same way.
	if _, err := client.Get(srv.URL); !errors.Is(err, netguard.ErrNotAllowed) {
		t.Fatalf("GET %s = %v, want destination not allowed", srv.URL, err)
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback listener answered %d requests", hits.Load())
	}

	// With AllowPrivate the same name reaches the local receiver.
	open := &http.Client{Transport: &http.Transport{DialContext: (&netguard.Policy{Resolver: dns, AllowPrivate: true}).DialContext}}
	res, err := open.Get("http://rebind.example:" + u.Port() + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if hits.Load() != 1 {
		t.Fatalf("AllowPrivate: %d hits, want 1", hits.Load())
	}
}

// TestControlJudgesTheSocketAddress: Control is the last gate, on the
// address the socket connects to, whatever resolved it.
func TestControlJudgesTheSocketAddress(t *testing.T) {
	var p netguard.Policy
	for _, c := range []struct {
		network, addr string
		ok            bool
	}{
		{"tcp4", "8.8.8.8:443", true},
		{"tcp6", "[2606:4700:4700::1111]:443", true},
		{"tcp4", "127.0.0.1:443", false},
		{"tcp6", "[::ffff:127.0.0.1]:80", false},
		{"tcp6", "[64:ff9b::7f00:1]:80", false},
		{"udp4", "8.8.8.8:53", false},
		{"tcp4", "not-an-address", false},
	} {
		err := p.Control(c.network, c.addr, nil)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, netguard.ErrNotAllowed)) {
			t.Errorf("Control(%s, %s) = %v, want ok=%v", c.network, c.addr, err, c.ok)
		}
	}
}
