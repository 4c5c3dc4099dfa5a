package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Bucket is a token bucket per key: burst tokens, one more every every.
// Buckets live in this node's memory (a cluster of n nodes allows n times
// as much), which bounds abuse without a shared store.
type Bucket struct {
	burst float64
	every time.Duration

	mu   sync.Mutex
	keys map[string]*tokens
}

type tokens struct {
	n    float64
	last time.Time
}

// NewBucket returns a bucket of burst tokens per key, refilled one every
// every.
func NewBucket(burst int, every time.Duration) *Bucket {
	return &Bucket{burst: float64(burst), every: every, keys: map[string]*tokens{}}
}

// Take spends a token of key, or reports how long until one is due.
func (b *Bucket) Take(key string, now time.Time) (bool, time.Duration) {
	return b.spend(key, now, true)
}

// Empty reports whether key has no token left (and how long until one is
// due), spending nothing: for limits charged on failures only.
func (b *Bucket) Empty(key string, now time.Time) (bool, time.Duration) {
	ok, wait := b.spend(key, now, false)
	return !ok, wait
}

func (b *Bucket) spend(key string, now time.Time, take bool) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.keys) > 100_000 { // forget idle addresses rather than grow
		for k, t := range b.keys {
			if now.Sub(t.last) > time.Duration(b.burst)*b.every {
				delete(b.keys, k)
			}
		}
	}
	t, ok := b.keys[key]
	if !ok {
		t = &tokens{n: b.burst, last: now}
		b.keys[key] = t
	}
	t.n = min(b.burst, t.n+float64(now.Sub(t.last))/float64(b.every))
	t.last = now
	if t.n >= 1 {
		if take {
			t.n--
		}
		return true, 0
	}
	return false, time.Duration((1 - t.n) * float64(b.every))
}

// Limited answers 429 with Retry-After, and reports true, once the
// request's source address has used up b.
func (p *Site) Limited(w http.ResponseWriter, pg *Page, b *Bucket, r *http.Request) bool {
	ok, wait := b.Take(p.ClientIP(r), p.Now())
	if ok {
		return false
	}
	p.tooMany(w, pg, wait)
	return true
}

// Throttled answers 429 like Limited, and reports true, when the request's
// source address has no token of b left; it spends none (the caller takes
// one on failure).
func (p *Site) Throttled(w http.ResponseWriter, pg *Page, b *Bucket, r *http.Request) bool {
	empty, wait := b.Empty(p.ClientIP(r), p.Now())
	if !empty {
		return false
	}
	p.tooMany(w, pg, wait)
	return true
}

func (p *Site) tooMany(w http.ResponseWriter, pg *Page, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	pg.Title = "limited.title"
	p.Render(w, pg, http.StatusTooManyRequests, "message", Message{Text: pg.t("limited.text", max((secs+59)/60, 1))})
}

// ClientIP is the source address the limits count: the API's view (which
// believes X-Forwarded-For from --trusted-proxies only) when wired,
// otherwise the peer.
func (p *Site) ClientIP(r *http.Request) string {
	if p.cfg.ClientIP != nil {
		return p.cfg.ClientIP(r)
	}
	return RemoteHost(r)
}
