package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/openflex/openflex/internal/ratelimit"
)

// Limited answers 429 with Retry-After, and reports true, once the
// request's source address (an IPv6 one by its /64) has used up lim.
func (p *Site) Limited(w http.ResponseWriter, pg *Page, lim *ratelimit.Keyed, r *http.Request) bool {
	ok, wait := lim.Allow(ratelimit.AddrKeyString(p.ClientIP(r)))
	if ok {
		return false
	}
	p.tooMany(w, pg, wait)
	return true
}

// Throttled answers 429 like Limited, and reports true, when the request's
// source address has no token of lim left; it spends none (the caller
// spends one on failure, with Allow(AddrKey(…))).
func (p *Site) Throttled(w http.ResponseWriter, pg *Page, lim *ratelimit.Keyed, r *http.Request) bool {
	blocked, wait := lim.Blocked(ratelimit.AddrKeyString(p.ClientIP(r)))
	if !blocked {
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
