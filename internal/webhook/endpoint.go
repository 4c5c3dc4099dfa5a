package webhook

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
)

// Resolver looks host names up (net.DefaultResolver in production).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// SecretGrace is how long a rolled signing secret keeps signing.
const SecretGrace = 24 * time.Hour

// NewEndpoint validates an endpoint request for a key set: the URL must be
// absolute, carry no credentials, match one of the key set's Trust URLs,
// use https in PRODUCTION and, in PRODUCTION, not resolve to a loopback or
// private address; events must be known types (or "*"). It returns the
// endpoint with a fresh signing secret.
func NewEndpoint(ctx context.Context, r Resolver, ks *openflex.KeySet, rawURL string, events []string, now time.Time) (*openflex.WebhookEndpoint, error) {
	var p openflex.Problems
	u, err := url.Parse(rawURL)
	switch {
	case rawURL == "":
		p.Missing("url")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.Invalid("url", "url must be an absolute http(s) URL")
	case u.User != nil:
		p.Invalid("url", "url must not contain credentials")
	case ks.Environment == openflex.Production && u.Scheme != "https":
		p.Invalid("url", "PRODUCTION webhook URLs must use https")
	case !keys.URLTrusted(ks.TrustURLs, rawURL):
		return nil, &openflex.Error{Code: openflex.CodeURLNotTrusted, Param: "url",
			Message: "url does not match any Trust URL of this key set; add its origin to the key set's Trust URLs first"}
	case ks.Environment == openflex.Production:
		if err := checkPublic(ctx, r, u.Hostname()); err != nil {
			p.Invalid("url", "PRODUCTION webhook URLs must resolve to public addresses")
		}
	}
	if len(events) == 0 {
		p.Missing("events")
	}
	for i, e := range events {
		if e != "*" && !slices.Contains(openflex.EventTypes, e) {
			p.Invalid("events["+strconv.Itoa(i)+"]", "%q is not an event type", e)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return &openflex.WebhookEndpoint{ID: openflex.NewID(openflex.PrefixWebhook), MerchantID: ks.MerchantID, Environment: ks.Environment,
		KeySetID: ks.ID, URL: rawURL, Events: events, Secret: NewSecret(), Created: now}, nil
}

func checkPublic(ctx context.Context, r Resolver, host string) error {
	if a, err := netip.ParseAddr(host); err == nil {
		if !PublicAddress(a) {
			return ErrForbiddenAddress
		}
		return nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return ErrForbiddenAddress
	}
	for _, a := range addrs {
		if !PublicAddress(a) {
			return ErrForbiddenAddress
		}
	}
	return nil
}
