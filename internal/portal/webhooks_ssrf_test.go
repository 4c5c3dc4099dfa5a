package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestWebhookEndpointRefusesInternalDestinations: without the operator's
// --webhooks-allow-private, the portal's form refuses a webhook URL on the
// lender's own network with a message on the url field, in both languages,
// and stores nothing.
func TestWebhookEndpointRefusesInternalDestinations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		b := h.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		r := b.Submit("/portal/keys", "/portal/keys", url.Values{"environment": {"training"}, "name": {"Hooks"},
			"trust_urls": {"http://127.0.0.1:9\nhttp://[::ffff:a9fe:a9fe]"}})
		ksID := webtest.Find(t, webtest.KeySetLinkRE, r.Body)
		list := "/portal/webhooks/training"
		for _, u := range []string{"http://127.0.0.1:9/hook", "http://[::ffff:a9fe:a9fe]/latest/meta-data"} {
			r = b.Submit(list, list, url.Values{"key_set": {ksID}, "url": {u}, "events": {"*"}})
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="url-error">This URL must reach a public internet address`) {
				t.Fatalf("webhook URL %s = %d:\n%s", u, r.StatusCode, r.Body)
			}
		}
		b.Hdr.Set("Accept-Language", "fr")
		r = b.Submit(list, list, url.Values{"key_set": {ksID}, "url": {"http://127.0.0.1:9/hook"}, "events": {"*"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "doit joindre une adresse Internet publique") {
			t.Fatalf("French refusal = %d:\n%s", r.StatusCode, r.Body)
		}
		if eps, _ := h.Stores.Control.WebhookEndpoints(context.Background(), m.ID, openflex.Training); len(eps) != 0 {
			t.Fatalf("refused endpoints were stored: %+v", eps)
		}
	})
}
