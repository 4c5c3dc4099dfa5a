package api

import (
	"strconv"
	"testing"
	"time"
)

// TestLimiterIsBounded: keys an attacker chooses (client ids, addresses)
// never grow the limiter past its bound, and an address that keeps failing
// stays throttled while others come and go.
func TestLimiterIsBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newLimiter(func() time.Time { return now })
	l.maxKeys = 1000
	for range 10 {
		l.take("persistent", 1.0/60, 10)
	}
	if b, _ := l.blocked("persistent", 1.0/60, 10); !b {
		t.Fatal("10 failures in a burst of 10 did not block")
	}
	for i := range 50_000 {
		l.take("spray "+strconv.Itoa(i), 1.0/60, 10)
		if n := l.size(); n > l.maxKeys {
			t.Fatalf("after %d keys the limiter holds %d buckets, bound %d", i+1, n, l.maxKeys)
		}
	}
	if b, _ := l.blocked("never seen", 1.0/60, 10); b || l.size() > l.maxKeys {
		t.Fatalf("an unseen key is blocked (%v) or grew the limiter to %d", b, l.size())
	}
	// Eviction drops the fullest buckets first: the sprayed keys (one
	// token spent of 10) go before the address being throttled.
	if b, _ := l.blocked("persistent", 1.0/60, 10); !b {
		t.Fatal("spraying 50,000 other keys evicted the throttled one")
	}
}
