package sdktest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/sdk"
)

// received is one webhook delivery as the receiver saw it.
type received struct {
	body   []byte
	header string
}

// TestWebhookDelivery registers an endpoint through the SDK, lets the real
// server deliver to it and verifies every delivery with VerifyWebhook,
// across a secret roll and a redelivery.
func TestWebhookDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		got := make(chan received, 100)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- received{b, r.Header.Get(sdk.WebhookSignatureHeader)}
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(receiver.Close)
		pf := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) {
			c.DeliverEvery = 20 * time.Millisecond
			c.WebhookBackoff = func(int) time.Duration { return 20 * time.Millisecond }
			c.WebhooksAllowPrivate = true // the receiver is on loopback
		}})
		c, _ := newClient(t, pf.URL, pf.NewKeys(t, pf.Merchant.ID, openflex.Training, receiver.URL))

		_, err := c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointParams{URL: "https://elsewhere.example/hooks", Events: []string{"*"}})
		if e := apiError(t, err); e.Code != sdk.CodeURLNotTrusted {
			t.Fatalf("endpoint outside the Trust URLs = %v, want url_not_trusted", err)
		}
		_, err = c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointParams{URL: receiver.URL + "/hooks", Events: []string{"authorization.made"}})
		if e := apiError(t, err); e.Status != http.StatusBadRequest || len(e.Errors) != 1 || e.Errors[0].Param != "events[0]" {
			t.Fatalf("unknown event type = %+v, want a 400 on events[0]", e)
		}
		ep, err := c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointParams{URL: receiver.URL + "/hooks",
			Events: []string{sdk.EventAuthorizationCreated, sdk.EventAuthorizationCaptured}})
		if err != nil || !strings.HasPrefix(ep.ID, "we_") || ep.Secret == "" || ep.URL != receiver.URL+"/hooks" || len(ep.Events) != 2 {
			t.Fatalf("WebhookEndpoints.Create = %+v, %v", ep, err)
		}
		if g, err := c.WebhookEndpoints.Get(ctx, ep.ID); err != nil || g.ID != ep.ID || g.Secret != "" {
			t.Fatalf("WebhookEndpoints.Get = %+v, %v; want the endpoint without its secret", g, err)
		}
		if l, err := c.WebhookEndpoints.List(ctx); err != nil || len(l.Data) != 1 || l.Data[0].Secret != "" {
			t.Fatalf("WebhookEndpoints.List = %+v, %v", l, err)
		}

		// A purchase: its authorization.created reaches the endpoint, signed.
		acct := approvedAccount(t, c, pf.Stores[0].ID)
		auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 250_00,
			Currency: "CAD", StoreID: pf.Stores[0].ID, Channel: sdk.ChannelOnline})
		if err != nil {
			t.Fatal(err)
		}
		created, d := waitForEvent(t, got, sdk.EventAuthorizationCreated, []string{ep.Secret})
		var a sdk.Authorization
		if err := created.DecodeObject(&a); err != nil || a.ID != auth.ID || a.Amount != 250_00 {
			t.Fatalf("delivered authorization = %+v, %v; want %s", a, err, auth.ID)
		}
		if _, err := sdk.VerifyWebhook(d.body, d.header, []string{"whsec_not_it"}, 0, time.Now()); !errors.Is(err, sdk.ErrSignatureMismatch) {
			t.Fatalf("delivery verified with another secret: %v", err)
		}
		dels := waitForDeliveries(t, c, ep.ID, 1)
		if dl := dels[0]; dl.EventID != created.ID || dl.AttemptCount < 1 || len(dl.Attempts) < 1 ||
			dl.Attempts[len(dl.Attempts)-1].StatusCode != http.StatusNoContent {
			t.Fatalf("delivery record = %+v", dl)
		}

		// Roll the secret: for a day both sign, so either verifies.
		rolled, err := c.WebhookEndpoints.RollSecret(ctx, ep.ID, nil)
		if err != nil || rolled.Secret == "" || rolled.Secret == ep.Secret {
			t.Fatalf("WebhookEndpoints.RollSecret = %+v, %v; want a new secret", rolled, err)
		}
		if _, err := c.Authorizations.Capture(ctx, auth.ID, nil); err != nil {
			t.Fatal(err)
		}
		_, d = waitForEvent(t, got, sdk.EventAuthorizationCaptured, []string{rolled.Secret})
		if strings.Count(d.header, "v1=") != 2 {
			t.Fatalf("header during the roll = %q, want a v1 per secret", d.header)
		}
		if _, err := sdk.VerifyWebhook(d.body, d.header, []string{ep.Secret}, 0, time.Now()); err != nil {
			t.Fatalf("delivery during the roll with the old secret: %v", err)
		}

		// Redeliver the first event: receivers see it twice (dedupe on id).
		del, err := c.Events.Redeliver(ctx, created.ID, &sdk.RedeliverParams{EndpointID: ep.ID})
		if err != nil || del.EventID != created.ID || del.EndpointID != ep.ID || del.Status != sdk.DeliveryPending {
			t.Fatalf("Events.Redeliver = %+v, %v", del, err)
		}
		again, _ := waitForEvent(t, got, sdk.EventAuthorizationCreated, []string{rolled.Secret})
		if again.ID != created.ID {
			t.Fatalf("redelivered event %s, want %s", again.ID, created.ID)
		}
		if n := count(t, c.WebhookEndpoints.AllDeliveries(ctx, ep.ID, &sdk.WebhookDeliveryListParams{ListParams: sdk.ListParams{Limit: 1}})); n != 3 {
			t.Fatalf("WebhookEndpoints.AllDeliveries yielded %d, want 3", n)
		}

		gone, err := c.WebhookEndpoints.Delete(ctx, ep.ID)
		if err != nil || !gone.Deleted || gone.ID != ep.ID {
			t.Fatalf("WebhookEndpoints.Delete = %+v, %v", gone, err)
		}
		if _, err := c.WebhookEndpoints.Get(ctx, ep.ID); apiError(t, err).Code != sdk.CodeResourceMissing {
			t.Fatalf("Get after Delete = %v, want resource_missing", err)
		}
	})
}

// waitForEvent returns the next delivery of type typ, verified with
// secrets; other deliveries are checked and skipped.
func waitForEvent(t *testing.T, got <-chan received, typ string, secrets []string) (*sdk.Event, received) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case d := <-got:
			ev, err := sdk.VerifyWebhook(d.body, d.header, secrets, 0, time.Now())
			if err != nil {
				t.Fatalf("VerifyWebhook(delivery %s) = %v", d.body, err)
			}
			if ev.Type == typ {
				return ev, d
			}
		case <-deadline:
			t.Fatalf("no %s delivery within 30 s", typ)
		}
	}
}

// waitForDeliveries polls an endpoint's deliveries until n succeeded.
func waitForDeliveries(t *testing.T, c *sdk.Client, endpointID string, n int) []*sdk.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		l, err := c.WebhookEndpoints.Deliveries(context.Background(), endpointID, nil)
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, d := range l.Data {
			if d.Status == sdk.DeliverySucceeded {
				ok++
			}
		}
		if ok >= n {
			return l.Data
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries = %+v, want %d succeeded", l.Data, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
