package ratelimit

import (
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func TestAllowAndRefill(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	k := Every(time.Minute, 2, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if ok, _ := k.Allow("a"); ok != want {
			t.Fatalf("Allow #%d = %v, want %v", i+1, ok, want)
		}
	}
	if ok, wait := k.Allow("a"); ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("Allow on an empty bucket = %v, %v; want false and a wait of at most a minute", ok, wait)
	}
	if ok, _ := k.Allow("b"); !ok {
		t.Fatal("another key shares a's bucket")
	}
	now = now.Add(time.Minute)
	if ok, _ := k.Allow("a"); !ok {
		t.Fatal("a did not refill after a minute")
	}
}

func TestBlockedDoesNotSpend(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	k := New(1.0/60, 1, func() time.Time { return now })
	if b, _ := k.Blocked("never"); b || k.Len() != 0 {
		t.Fatalf("an unseen key is blocked (%v) or made a bucket (%d)", b, k.Len())
	}
	k.Allow("x")
	if b, wait := k.Blocked("x"); !b || wait <= 0 {
		t.Fatalf("Blocked after the burst = %v, %v", b, wait)
	}
	now = now.Add(time.Minute)
	if b, _ := k.Blocked("x"); b {
		t.Fatal("still blocked after refilling")
	}
	if b, _ := k.Blocked("x"); b {
		t.Fatal("Blocked spent a token")
	}
}

// TestBounded: a spray of keys never grows the limiter past MaxKeys, and
// a key being limited survives the spray.
func TestBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	k := New(1.0/60, 10, func() time.Time { return now })
	k.MaxKeys = 1000
	for range 10 {
		k.Allow("persistent")
	}
	for i := range 50_000 {
		k.Allow("spray " + strconv.Itoa(i))
		if n := k.Len(); n > k.MaxKeys {
			t.Fatalf("after %d keys the limiter holds %d buckets, bound %d", i+1, n, k.MaxKeys)
		}
	}
	if b, _ := k.Blocked("persistent"); !b {
		t.Fatal("the throttled key was evicted by the spray")
	}
}

func TestAddrKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	}
	for _, tc := range tests {
		if got := AddrKey(netip.MustParseAddr(tc.in)); got != tc.want {
			t.Errorf("AddrKey(%s) = %s, want %s", tc.in, got, tc.want)
		}
		if got := AddrKeyString(tc.in); got != tc.want {
			t.Errorf("AddrKeyString(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := AddrKeyString("not an address"); got != "not an address" {
		t.Errorf("AddrKeyString(junk) = %q", got)
	}
}
