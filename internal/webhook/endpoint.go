package webhook

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/netguard"
)

// SecretGrace is how long a rolled signing secret keeps signing.
const SecretGrace = 24 * time.Hour

// NewEndpoint validates an endpoint request for a key set: the URL must be
// absolute, carry no credentials, match one of the key set's Trust URLs,
// use https in PRODUCTION and, in both environments, resolve only to public
// addresses unless the operator allows private ones (dest); events must be
// known types (or "*"). It returns the endpoint with a fresh signing secret.
func NewEndpoint(ctx context.Context, dest *netguard.Policy, ks *openflex.KeySet, rawURL string, events []string, now time.Time) (*openflex.WebhookEndpoint, error) {
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
	default:
		if err := dest.CheckHost(ctx, u.Hostname()); err != nil {
			// The message never says what the host resolved to: that would
			// tell an outsider about names inside the lender's network.
			return nil, &openflex.Error{Code: openflex.CodeDestinationNotAllowed, Param: "url", Cause: err,
				Message: "url must reach a public internet address; its host does not resolve, or resolves to a loopback, private, link-local or other special-purpose address"}
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
