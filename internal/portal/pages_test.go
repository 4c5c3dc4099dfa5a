package portal_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/portal"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestWebhookEndpoints creates an endpoint through the form, delivers an
// event to it, shows the delivery with its attempt, re-sends it, and
// deletes the endpoint.
func TestWebhookEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		// The receiver is on loopback, as on a developer's machine.
		h := webtest.New(t, e, func(c *webtest.Config) { c.Portal.Destinations = &netguard.Policy{AllowPrivate: true} })
		ctx := context.Background()
		var received atomic.Int32
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			received.Add(1)
			w.Write([]byte("thanks"))
		}))
		defer rcv.Close()

		b := h.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		r := b.Submit("/portal/keys", "/portal/keys", url.Values{"environment": {"training"}, "name": {"Hooks"}, "trust_urls": {rcv.URL}})
		ksID := webtest.Find(t, webtest.KeySetLinkRE, r.Body)

		list := "/portal/webhooks/training"
		// A URL outside the key set's Trust URLs is refused by the field.
		r = b.Submit(list, list, url.Values{"key_set": {ksID}, "url": {"https://elsewhere.example/hook"}, "events": {"*"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="url-error">This URL does not match any Trust URL`) {
			t.Fatalf("untrusted webhook URL = %d:\n%s", r.StatusCode, r.Body)
		}
		r = b.Submit(list, list, url.Values{"key_set": {ksID}, "url": {rcv.URL + "/hook"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="events-error"`) {
			t.Fatalf("no events = %d:\n%s", r.StatusCode, r.Body)
		}
		r = b.Submit(list, list, url.Values{"key_set": {ksID}, "url": {rcv.URL + "/hook"}, "events": {"authorization.created", "return.created"}})
		if r.StatusCode != http.StatusOK || !regexp.MustCompile(`id="secret" class="secret">whsec_`).MatchString(r.Body) {
			t.Fatalf("create endpoint = %d:\n%s", r.StatusCode, r.Body)
		}
		eps, _ := h.Stores.Control.WebhookEndpoints(ctx, m.ID, openflex.Training)
		if len(eps) != 1 || eps[0].KeySetID != ksID || len(eps[0].Events) != 2 {
			t.Fatalf("stored endpoints = %+v", eps)
		}
		ep := eps[0]
		if strings.Contains(b.Get(list).Body, ep.Secret) {
			t.Fatal("the endpoint list shows the signing secret")
		}

		// An event is delivered; the page shows the attempt.
		data := h.Stores.Data(openflex.Training)
		ev := &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: m.ID, Type: "authorization.created", Object: []byte(`{"id":"auth_1"}`), Created: time.Now().UTC()}
		if err := data.AppendEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		deliver(t, h, openflex.Training)
		page := list + "/" + ep.ID
		r = b.Get(page)
		if received.Load() != 1 || !strings.Contains(r.Body, "authorization.created") || !strings.Contains(r.Body, "HTTP 200") || !strings.Contains(r.Body, "Delivered") {
			t.Fatalf("after delivery (%d received), endpoint page:\n%s", received.Load(), r.Body)
		}
		r = b.Submit(page, page+"/resend", url.Values{"event_id": {ev.ID}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("resend = %d:\n%s", r.StatusCode, r.Body)
		}
		deliver(t, h, openflex.Training)
		if received.Load() != 2 {
			t.Fatalf("after re-send %d deliveries received, want 2", received.Load())
		}
		if dels, _, _ := data.Deliveries(ctx, m.ID, ep.ID, openflex.ListParams{}); len(dels) != 2 {
			t.Fatalf("deliveries = %d, want 2", len(dels))
		}

		// Another merchant's event id cannot be re-sent to this endpoint.
		other, _ := storetest.Merchant(t, h.Stores, "BC")
		theirs := &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: other.ID, Type: "return.created", Object: []byte(`{}`), Created: time.Now().UTC()}
		if err := data.AppendEvent(ctx, theirs); err != nil {
			t.Fatal(err)
		}
		if r := b.Submit(page, page+"/resend", url.Values{"event_id": {theirs.ID}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("re-send of another merchant's event = %d, want 404", r.StatusCode)
		}
		// The endpoint is not visible under the other environment.
		if r := b.Get("/portal/webhooks/production/" + ep.ID); r.StatusCode != http.StatusNotFound {
			t.Errorf("TRAINING endpoint under production = %d, want 404", r.StatusCode)
		}
		if r := b.Get("/portal/webhooks/staging"); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown environment = %d, want 404", r.StatusCode)
		}

		r = b.Submit(page+"/delete", page+"/delete", nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete = %d:\n%s", r.StatusCode, r.Body)
		}
		if eps, _ := h.Stores.Control.WebhookEndpoints(ctx, m.ID, openflex.Training); len(eps) != 0 {
			t.Fatalf("endpoint survived deletion: %v", eps)
		}
		if r := b.Get("/portal/audit"); !strings.Contains(r.Body, "webhook_endpoint.created") || !strings.Contains(r.Body, "webhook_endpoint.deleted") || !strings.Contains(r.Body, "webhook.redelivered") {
			t.Error("the audit log misses webhook actions")
		}
	})
}

// deliver runs the dispatcher's fan-out and one round of attempts.
func deliver(t *testing.T, h *webtest.Harness, env openflex.Environment) {
	t.Helper()
	ctx := context.Background()
	if _, err := h.Disp[env].FanOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Disp[env].DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestInboxStoresReference checks the read-only pages: the TRAINING inbox
// shows this merchant's messages only, stores, and the API reference.
func TestInboxStoresReference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		ctx := context.Background()
		b := h.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		other, _ := storetest.Merchant(t, h.Stores, "BC")
		data := h.Stores.Data(openflex.Training)
		for _, msg := range []*openflex.Message{
			{ID: openflex.NewID("msg"), MerchantID: m.ID, Channel: "sms", Recipient: "+1 ••• ••• 0199", Body: "Your OpenFlex code is 482913", Created: time.Now().UTC()},
			{ID: openflex.NewID("msg"), MerchantID: other.ID, Channel: "sms", Recipient: "+1 ••• ••• 0111", Body: "Your OpenFlex code is 111111", Created: time.Now().UTC()},
		} {
			if err := data.RecordMessage(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
		r := b.Get("/portal/inbox")
		if !strings.Contains(r.Body, "482913") || strings.Contains(r.Body, "111111") {
			t.Fatalf("inbox shows the wrong messages:\n%s", r.Body)
		}
		if r := b.Get("/portal/stores"); !strings.Contains(r.Body, "Maple Furniture") || !strings.Contains(r.Body, "Ontario") ||
			!strings.Contains(r.Body, `<th scope="col">Province or territory</th>`) || strings.Contains(r.Body, "first store") {
			t.Errorf("stores page misses the sign-up store or labels its province column for sign-up:\n%s", r.Body)
		}
		if r := b.Get("/portal/"); !strings.Contains(r.Body, `<link rel="icon" href="/portal/static/favicon.svg"`) {
			t.Errorf("the layout names no icon, so browsers ask for /favicon.ico")
		}
		if r := b.Get("/portal/static/favicon.svg"); r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "<svg") {
			t.Errorf("favicon: %d", r.StatusCode)
		}
		// The French reference is French throughout.
		r = b.Get("/portal/reference?lang=fr")
		for _, want := range []string{"Autoriser un achat", "Les autorisations, les plus récentes d’abord", "<td>requête</td>", `id="createAuthorization"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("French API reference lacks %q", want)
			}
		}
		for _, english := range []string{"Authorize a purchase", "newest first", "Only this store", "Credit applications", "Posted purchases"} {
			if strings.Contains(r.Body, english) {
				t.Errorf("French API reference shows English %q", english)
			}
		}
		r = b.Get("/portal/reference?lang=en")
		for _, want := range []string{`id="createAuthorization"`, "Authorize a purchase", "/v1/authorizations", "Idempotency-Key", `<code>fr-CA</code>`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("API reference lacks %q", want)
			}
		}
	})
}

// TestAdminRejects checks a declined go-live: the merchant sees why, stays
// TRAINING-only and may ask again; a decided request cannot be decided again.
func TestAdminRejects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		ctx := context.Background()
		b := h.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		b.Submit("/portal/go-live", "/portal/go-live", url.Values{"note": {"ready"}})
		if err := h.Users.BootstrapAdmin(ctx, "ops@lender.example", webtest.Password); err != nil {
			t.Fatal(err)
		}
		admin := h.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)
		r := admin.Get("/portal/admin")
		if !strings.Contains(r.Body, "Maple Furniture") || !strings.Contains(r.Body, "ready") {
			t.Fatalf("admin console misses the request:\n%s", r.Body)
		}
		reqs, _ := h.Stores.Control.GoLiveRequestsByStatus(ctx, users.GoLivePending, 10)
		reject := "/portal/admin/go-live/" + reqs[0].ID + "/reject"
		if r := admin.Submit("/portal/admin", reject, url.Values{"note": {"add a privacy policy"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject = %d:\n%s", r.StatusCode, r.Body)
		}
		if got, _ := h.Stores.Control.Merchant(ctx, m.ID); got.LiveApproved {
			t.Fatal("a rejection approved go-live")
		}
		approve := "/portal/admin/go-live/" + reqs[0].ID + "/approve"
		if r := admin.Post(approve, url.Values{"csrf": {admin.SessionToken(approve)}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("approving a rejected request = %d, want 400", r.StatusCode)
		}
		if r := b.Get("/portal/go-live"); !strings.Contains(r.Body, "add a privacy policy") || !strings.Contains(r.Body, "Declined") {
			t.Errorf("the merchant does not see the decision:\n%s", r.Body)
		}
		if _, _, err := h.Keys.Create(ctx, keys.NewKeySet{MerchantID: m.ID, Environment: openflex.Production, TrustIPs: []string{"203.0.113.0/24"}}, keys.Actor{}); openflex.ErrorCode(err) != openflex.CodeEnvNotEnabled {
			t.Errorf("PRODUCTION key set after a rejection: %v", err)
		}
		if r := b.Submit("/portal/go-live", "/portal/go-live", url.Values{"note": {"privacy policy added"}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("asking again = %d", r.StatusCode)
		}
		// The page hides the form while a request is pending; a forged
		// second request is refused all the same.
		if r := b.Post("/portal/go-live", url.Values{"note": {"again"}, "csrf": {b.SessionToken("/portal/go-live")}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "already pending") {
			t.Errorf("a second pending request = %d, want 400", r.StatusCode)
		}
		// Admins land on the console; merchant pages send them there.
		if r := admin.Get("/portal/keys"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/admin" {
			t.Errorf("admin on a merchant page = %d → %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
}

// TestRecentRequests checks the requests page shows what the API's log
// returns for this merchant, and is absent when the API keeps no log.
func TestRecentRequests(t *testing.T) {
	e := storetest.Engines(t)[0]
	var asked string
	h := webtest.New(t, e, func(c *webtest.Config) {
		c.Portal.RecentRequests = func(merchantID string) []portal.APIRequest {
			asked = merchantID
			return []portal.APIRequest{{At: time.Now(), Environment: openflex.Training, Method: "POST", Path: "/v1/authorizations",
				Status: 201, RequestID: "req_01abc", Duration: 12 * time.Millisecond}}
		}
	})
	b := h.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	r := b.Get("/portal/requests")
	// The date and the Request-Id stay on one line (the table wrapped them
	// at 1280 px); long paths may wrap.
	if !strings.Contains(r.Body, `<td class="nowrap"><code>req_01abc</code></td>`) || !strings.Contains(r.Body, `<tr><td class="nowrap"><time`) {
		t.Errorf("the requests table may wrap its date or Request-Id:\n%s", r.Body)
	}
	if r.StatusCode != http.StatusOK || asked != m.ID || !strings.Contains(r.Body, "/v1/authorizations") || !strings.Contains(r.Body, "req_01abc") {
		t.Fatalf("requests page = %d (asked for %q):\n%s", r.StatusCode, asked, r.Body)
	}

	plain := webtest.New(t, e)
	b = plain.Browser(t)
	b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	if r := b.Get("/portal/requests"); r.StatusCode != http.StatusNotFound {
		t.Errorf("requests page without a log = %d, want 404", r.StatusCode)
	}
	if strings.Contains(b.Get("/portal/").Body, `href="/portal/requests"`) {
		t.Error("the navigation links to a requests page that does not exist")
	}
}

// TestAuditLogNamesPeople: the audit log names who acted, never a raw
// "portal:usr_…": the merchant's user by email, the lender's staff (an
// administrator or an agent) as such, with their email.
func TestAuditLogNamesPeople(t *testing.T) {
	h := webtest.New(t, storetest.Engines(t)[0])
	b := h.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	ctx := context.Background()
	agent, err := h.Users.BootstrapStaff(ctx, "agent@lender.example", webtest.Password, users.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Stores.Control.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: time.Now().UTC(), Actor: "agent:" + agent.ID,
		Action: "test.by_agent", MerchantID: m.ID, ObjectID: m.ID, Detail: "x"}); err != nil {
		t.Fatal(err)
	}
	r := b.Get("/portal/audit")
	webtest.Want(t, r, http.StatusOK, "audit log", "Lender staff (agent@lender.example)", ">dev@maple.example<")
	if strings.Contains(r.Body, ">portal:usr_") || strings.Contains(r.Body, ">agent:usr_") {
		t.Errorf("the audit log shows raw user ids:\n%s", r.Body)
	}
}
