package api

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// limiter is a set of token buckets keyed by string (a key set; a client id
// and source address). It is per node: N nodes allow up to N times the
// rate, which is the usual trade for not putting a shared counter on every
// request's path (docs/decisions.md, "Authentication throttling").
//
// It holds at most maxKeys buckets, so keys an attacker chooses (client
// ids, source addresses) cannot grow it without bound: when full it first
// forgets buckets that have refilled (they behave like new ones), then, if
// every bucket is still in use, evicts the fullest ones. An evicted bucket
// starts full again; only an attacker who already controls more addresses
// than maxKeys can cause that, and such an attacker gains little from a
// per-address throttle anyway.
type limiter struct {
	now     func() time.Time
	maxKeys int
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens      float64
	rate, burst float64
	last        time.Time
}

// defaultLimiterKeys bounds a limiter's memory: a bucket is well under
// 200 bytes with its key, so 100,000 of them stay under 20 MiB.
const defaultLimiterKeys = 100_000

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, maxKeys: defaultLimiterKeys, buckets: map[string]*bucket{}}
}

// take spends one token from key's bucket (rate per second, burst capacity)
// and reports whether it had one; if not, how long until it will.
func (l *limiter) take(key string, rate, burst float64) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.fill(key, rate, burst)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// blocked reports whether key's bucket is empty, without spending. A key
// without a bucket is not blocked and gets none: only failures make them.
func (l *limiter) blocked(key string, rate, burst float64) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.buckets[key]; !ok {
		return false, 0
	}
	b := l.fill(key, rate, burst)
	if b.tokens >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

func (l *limiter) fill(key string, rate, burst float64) *bucket {
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	b.rate, b.burst = rate, burst
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed*rate)
		b.last = now
	}
	return b
}

// evict makes room for at least a tenth of maxKeys new buckets: refilled
// buckets go first, then the fullest, so the emptiest (the addresses
// being throttled right now) are kept longest.
func (l *limiter) evict(now time.Time) {
	type held struct {
		key    string
		tokens float64
	}
	all := make([]held, 0, len(l.buckets))
	for k, b := range l.buckets {
		tokens := b.tokens + now.Sub(b.last).Seconds()*b.rate
		if tokens >= b.burst {
			delete(l.buckets, k)
			continue
		}
		all = append(all, held{k, tokens / b.burst})
	}
	target := l.maxKeys - max(1, l.maxKeys/10)
	if len(all) <= target {
		return
	}
	slices.SortFunc(all, func(a, b held) int { return cmp.Compare(b.tokens, a.tokens) })
	for _, h := range all[:len(all)-target] {
		delete(l.buckets, h.key)
	}
}

// size is the number of buckets held.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
