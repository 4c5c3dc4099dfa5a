// Package ratelimit is the one keyed limiter of OpenFlex: a token bucket
// (golang.org/x/time/rate) per key, in this node's memory, bounded in the
// number of keys it holds, and the one rule that turns a source address
// into a key (AddrKey).
//
// Limits are per node: N nodes allow up to N times the rate, which is the
// usual trade for not putting a shared counter on every request's path
// (docs/decisions.md, "Authentication throttling").
package ratelimit

import (
	"cmp"
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys bounds a limiter's memory: a bucket is well under 200
// bytes with its key, so 100,000 of them stay under 20 MiB.
const DefaultMaxKeys = 100_000

// Keyed is a set of token buckets, one per key, all with the same rate and
// burst. It holds at most MaxKeys buckets, so keys an attacker chooses
// (client ids, source addresses) cannot grow it without bound: when full
// it first forgets buckets that have refilled (they behave like new ones),
// then, if every bucket is still in use, the fullest ones. An evicted
// bucket starts full again; only an attacker who already controls more
// networks than MaxKeys can cause that, and such an attacker gains little
// from a per-address limit anyway.
type Keyed struct {
	limit rate.Limit
	burst int
	now   func() time.Time
	// MaxKeys is the most buckets held (DefaultMaxKeys); set it before use.
	MaxKeys int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// New returns a limiter of perSecond tokens a second, burst at most, on the
// clock now (nil: time.Now).
func New(perSecond float64, burst int, now func() time.Time) *Keyed {
	if now == nil {
		now = time.Now
	}
	return &Keyed{limit: rate.Limit(perSecond), burst: burst, now: now, MaxKeys: DefaultMaxKeys, buckets: map[string]*rate.Limiter{}}
}

// Every returns a limiter of one token per every, burst at most.
func Every(every time.Duration, burst int, now func() time.Time) *Keyed {
	return New(float64(rate.Every(every)), burst, now)
}

// Allow spends one token of key's bucket and reports whether it had one;
// if not, how long until it will.
func (k *Keyed) Allow(key string) (bool, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	b, ok := k.buckets[key]
	if !ok {
		if len(k.buckets) >= k.MaxKeys {
			k.evict(now)
		}
		b = rate.NewLimiter(k.limit, k.burst)
		k.buckets[key] = b
	}
	if b.AllowN(now, 1) {
		return true, 0
	}
	return false, k.wait(b, now)
}

// Blocked reports whether key's bucket is empty, without spending. A key
// without a bucket is not blocked and gets none (failure throttles make
// buckets only on failures).
func (k *Keyed) Blocked(key string) (bool, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.buckets[key]
	if !ok {
		return false, 0
	}
	now := k.now()
	if b.TokensAt(now) >= 1 {
		return false, 0
	}
	return true, k.wait(b, now)
}

// wait is how long until b holds a whole token again.
func (k *Keyed) wait(b *rate.Limiter, now time.Time) time.Duration {
	if k.limit <= 0 {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration((1 - b.TokensAt(now)) / float64(k.limit) * float64(time.Second))
}

// evict makes room for at least a tenth of MaxKeys new buckets: refilled
// buckets go first, then the fullest, so the emptiest (the keys being
// limited right now) are kept longest.
func (k *Keyed) evict(now time.Time) {
	type held struct {
		key    string
		tokens float64
	}
	all := make([]held, 0, len(k.buckets))
	for key, b := range k.buckets {
		tokens := b.TokensAt(now)
		if tokens >= float64(k.burst) {
			delete(k.buckets, key)
			continue
		}
		all = append(all, held{key, tokens})
	}
	target := k.MaxKeys - max(1, k.MaxKeys/10)
	if len(all) <= target {
		return
	}
	slices.SortFunc(all, func(a, b held) int { return cmp.Compare(b.tokens, a.tokens) })
	for _, h := range all[:len(all)-target] {
		delete(k.buckets, h.key)
	}
}

// Len is the number of buckets held.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// AddrKey is the key every address-keyed limit counts a source address
// under: an IPv4 address alone, an IPv6 address by its /64. One /64 is what
// an ISP hands one subscriber (and one host can use all of it), so keyed by
// the whole address an attacker would get 2^64 fresh buckets.
func AddrKey(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// AddrKeyString is AddrKey of an address in text; text that is not an
// address is its own key.
func AddrKeyString(s string) string {
	if ip, err := netip.ParseAddr(s); err == nil {
		return AddrKey(ip)
	}
	return s
}
