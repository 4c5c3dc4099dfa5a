package portal

import (
	"net/http"
	"strconv"
	"time"

	"github.com/openflex/openflex/internal/ratelimit"
)

// Sign-up and password-reset forms each send an email to an address the
// caller chooses, and sign-up costs a password hash: each source address
// gets a few of each, refilled slowly. The buckets live in this node's
// memory (a cluster of n nodes allows n times as much), which bounds abuse
// without a shared store.
const (
	signupBurst = 5
	signupEvery = 12 * time.Minute // 5 an hour
	resetBurst  = 5
	resetEvery  = 3 * time.Minute // 5 per 15 minutes
)

// limited answers 429 with Retry-After, and reports true, once the
// request's source address (an IPv6 one by its /64) has used up lim.
func (p *Portal) limited(w http.ResponseWriter, pg *page, lim *ratelimit.Keyed, r *http.Request) bool {
	ok, wait := lim.Allow(ratelimit.AddrKeyString(p.clientIP(r)))
	if ok {
		return false
	}
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	pg.Title = "limited.title"
	p.render(w, pg, http.StatusTooManyRequests, "message", message{Text: pg.t("limited.text", max((secs+59)/60, 1))})
	return true
}

// clientIP is the source address the limits count: the API's view (which
// believes X-Forwarded-For from --trusted-proxies only) when wired,
// otherwise the peer.
func (p *Portal) clientIP(r *http.Request) string {
	if p.cfg.ClientIP != nil {
		return p.cfg.ClientIP(r)
	}
	return remoteHost(r)
}
