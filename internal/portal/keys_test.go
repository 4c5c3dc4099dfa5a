package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestSignUpToRevoke walks a merchant developer from sign-up to a revoked
// key set, checking that each secret is shown once and works.
func TestSignUpToRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		b := h.Browser(t)
		ctx := context.Background()
		const email = "dev@maple.example"

		// Sign-up says "check your email"; no secret before the address
		// is proven.
		r := b.SignUp("Maple Furniture", "Dev@Maple.example")
		if webtest.TrainSecretRE.MatchString(r.Body) {
			t.Fatal("sign-up shows a secret before the email is confirmed")
		}

		// Unverified accounts cannot log in yet.
		r = b.Submit("/portal/login", "/portal/login", url.Values{"email": {email}, "password": {webtest.Password}})
		if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Confirm your email address first") {
			t.Fatalf("log-in before verification = %d:\n%s", r.StatusCode, r.Body)
		}
		// The confirmation link shows the TRAINING key set's secret, which works.
		verify := h.Mail.Link(t, email, "/portal/verify")
		r = b.Get(verify)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "confirmed") {
			t.Fatalf("verify = %d:\n%s", r.StatusCode, r.Body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("secret page Cache-Control = %q, want no-store", cc)
		}
		secret, clientID := webtest.Find(t, webtest.TrainSecretRE, r.Body), webtest.Find(t, webtest.ClientIDRE, r.Body)
		if _, _, err := h.Keys.Authenticate(ctx, clientID, secret); err != nil {
			t.Fatalf("the sign-up secret does not authenticate: %v", err)
		}
		if !strings.Contains(r.Body, `data-copy="secret"`) {
			t.Error("the secret page has no copy button")
		}
		if r := b.Get(verify); r.StatusCode != http.StatusBadRequest {
			t.Errorf("second use of the verification link = %d, want 400", r.StatusCode)
		}
		b.LogIn(email, webtest.Password)

		r = b.Get("/portal/")
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, clientID) || !strings.Contains(r.Body, "Maple Furniture") {
			t.Fatalf("overview = %d:\n%s", r.StatusCode, r.Body)
		}
		if strings.Contains(r.Body, secret) {
			t.Fatal("the overview shows the sign-up secret again")
		}

		// A new key set: its secret is shown once, then only its last four.
		r = b.Submit("/portal/keys", "/portal/keys", url.Values{"environment": {"training"}, "name": {"POS lane 3"},
			"trust_urls": {"https://shop.example.com\nhttp://localhost:3000"}})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("create key set = %d:\n%s", r.StatusCode, r.Body)
		}
		secret2, client2, ksID := webtest.Find(t, webtest.TrainSecretRE, r.Body), webtest.Find(t, webtest.ClientIDRE, r.Body), webtest.Find(t, webtest.KeySetLinkRE, r.Body)
		ks, err := h.Stores.Control.KeySet(ctx, ksID)
		if err != nil || ks.ClientID != client2 || ks.Name != "POS lane 3" || len(ks.TrustURLs) != 2 {
			t.Fatalf("stored key set = %+v, %v", ks, err)
		}
		page := "/portal/keys/" + ksID
		r = b.Get(page)
		if r.StatusCode != http.StatusOK || strings.Contains(r.Body, secret2) || !strings.Contains(r.Body, "…"+secret2[len(secret2)-4:]) {
			t.Fatalf("key set page = %d, shows the secret again or not its last four:\n%s", r.StatusCode, r.Body)
		}

		// Roll: a new secret, shown once; the old one works through its grace.
		r = b.Submit(page, page+"/roll", url.Values{"expires_in": {"1h"}})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("roll = %d:\n%s", r.StatusCode, r.Body)
		}
		secret3 := webtest.Find(t, webtest.TrainSecretRE, r.Body)
		if secret3 == secret2 {
			t.Fatal("roll showed the old secret")
		}
		for _, s := range []string{secret2, secret3} {
			if _, _, err := h.Keys.Authenticate(ctx, client2, s); err != nil {
				t.Errorf("after roll, %s…: %v", s[:14], err)
			}
		}
		if r := b.Get(page); strings.Contains(r.Body, secret3) {
			t.Fatal("the key set page shows the rolled secret again")
		}
		if r := b.Submit(page, page+"/roll", url.Values{"expires_in": {"8d"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="expires_in-error"`) {
			t.Errorf("roll with an 8-day grace = %d, want 400 with the error by the field", r.StatusCode)
		}

		// Revoke, after a confirmation page.
		r = b.Submit(page+"/revoke", page+"/revoke", nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page+"?done=revoked" {
			t.Fatalf("revoke = %d → %q", r.StatusCode, r.Header.Get("Location"))
		}
		if _, _, err := h.Keys.Authenticate(ctx, client2, secret3); openflex.ErrorCode(err) != openflex.CodeInvalidClient {
			t.Errorf("after revoke Authenticate = %v, want invalid_client", err)
		}
		if r := b.Get(page + "?done=revoked"); !strings.Contains(r.Body, "Revoked on") || strings.Contains(r.Body, page+"/roll") {
			t.Errorf("revoked key set page still offers a roll or misses its state:\n%s", r.Body)
		}
		// The sign-up key set is untouched.
		if _, _, err := h.Keys.Authenticate(ctx, clientID, secret); err != nil {
			t.Errorf("revoking one key set broke another: %v", err)
		}

		r = b.Get("/portal/audit")
		for _, action := range []string{"merchant.created", "key_set.created", "key_set.secret_rolled", "key_set.revoked", "portal.logged_in"} {
			if !strings.Contains(r.Body, action) {
				t.Errorf("audit log misses %s", action)
			}
		}

		// Log-out ends the session on the server too.
		if r := b.Submit("/portal/", "/portal/logout", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("log-out = %d", r.StatusCode)
		}
		if r := b.Get("/portal/keys"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/portal/login") {
			t.Errorf("after log-out /portal/keys = %d → %q, want the log-in page", r.StatusCode, r.Header.Get("Location"))
		}
	})
}

// TestOtherMerchantsKeySets checks that another merchant's key set id, in
// a URL or a form field, is not found and changes nothing, even with a
// valid CSRF token.
func TestOtherMerchantsKeySets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		ctx := context.Background()
		other := h.Browser(t).VerifiedMerchant("Other Co", "dev@other.example")
		theirs, _, err := h.Keys.Create(ctx, keys.NewKeySet{MerchantID: other.ID, Environment: openflex.Training, TrustURLs: []string{"https://other.example"}}, keys.Actor{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		b := h.Browser(t)
		b.VerifiedMerchant("Maple Furniture", "dev@maple.example")

		base := "/portal/keys/" + theirs.ID
		for _, path := range []string{base, base + "/revoke"} {
			if r := b.Get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, theirs.ClientID) {
				t.Errorf("GET %s = %d, want 404 without their data", path, r.StatusCode)
			}
		}
		tests := []struct {
			name   string
			action string
			form   url.Values
		}{
			{"revoke", base + "/revoke", url.Values{}},
			{"roll", base + "/roll", url.Values{"expires_in": {"now"}}},
			{"trust", base + "/trust", url.Values{"trust_urls": {"https://evil.example"}}},
			{"webhook key set field", "/portal/webhooks/training", url.Values{"key_set": {theirs.ID}, "url": {"https://other.example/hook"}, "events": {"*"}}},
		}
		for _, tc := range tests {
			tc.form.Set("csrf", b.SessionToken(tc.action))
			if r := b.Post(tc.action, tc.form); r.StatusCode != http.StatusNotFound {
				t.Errorf("%s: POST %s = %d, want 404:\n%s", tc.name, tc.action, r.StatusCode, r.Body)
			}
		}
		got, err := h.Stores.Control.KeySet(ctx, theirs.ID)
		if err != nil || !got.Active() || len(got.Secrets) != 1 || len(got.TrustURLs) != 1 || got.TrustURLs[0] != "https://other.example" {
			t.Fatalf("their key set changed: %+v, %v", got, err)
		}
		if eps, _ := h.Stores.Control.WebhookEndpoints(ctx, other.ID, openflex.Training); len(eps) != 0 {
			t.Fatalf("an endpoint was created on their key set: %v", eps)
		}
	})
}

// TestTrustEditorProduction goes live through the admin console, creates a
// PRODUCTION key set, and checks that the Trust URL editor refuses a URL
// with a path or plain http, with the message next to the field.
func TestTrustEditorProduction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		ctx := context.Background()
		b := h.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")

		// PRODUCTION is refused before go-live.
		r := b.Submit("/portal/keys", "/portal/keys", url.Values{"environment": {"production"}, "trust_ips": {"203.0.113.0/24"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="environment-error"`) {
			t.Fatalf("PRODUCTION key set before go-live = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := b.Submit("/portal/go-live", "/portal/go-live", url.Values{"note": {"Shopify store ready"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("go-live request = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := b.Get("/portal/go-live"); !strings.Contains(r.Body, "Your request is with the lender") {
			t.Errorf("go-live page does not show the pending request:\n%s", r.Body)
		}

		// The lender approves in the admin console.
		if err := h.Users.BootstrapAdmin(ctx, "ops@lender.example", webtest.Password); err != nil {
			t.Fatal(err)
		}
		admin := h.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)
		if r := b.Get("/portal/admin"); r.StatusCode != http.StatusNotFound {
			t.Errorf("a merchant user sees the admin console: %d", r.StatusCode)
		}
		reqs, err := h.Stores.Control.GoLiveRequests(ctx, m.ID, 1)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("GoLiveRequests = %v, %v", reqs, err)
		}
		approve := "/portal/admin/go-live/" + reqs[0].ID + "/approve"
		if r := admin.Submit("/portal/admin", approve, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve = %d:\n%s", r.StatusCode, r.Body)
		}
		if got, _ := h.Stores.Control.Merchant(ctx, m.ID); !got.LiveApproved {
			t.Fatal("approval did not record go-live")
		}

		r = b.Submit("/portal/keys", "/portal/keys", url.Values{"environment": {"production"}, "name": {"Web store"},
			"trust_urls": {"https://shop.example.com"}, "trust_ips": {"203.0.113.0/24"}})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("PRODUCTION key set = %d:\n%s", r.StatusCode, r.Body)
		}
		webtest.Find(t, webtest.ProdSecretRE, r.Body)
		page := "/portal/keys/" + webtest.Find(t, webtest.KeySetLinkRE, r.Body)

		r = b.Submit(page, page+"/trust", url.Values{"trust_urls": {"https://shop.example.com\nhttp://x.com/path"}, "trust_ips": {"203.0.113.0/24"}})
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad Trust URL = %d, want 400", r.StatusCode)
		}
		// The message sits right after the field, and the field points at it.
		want := `</textarea>
  <p class="field-error" id="trust_urls-error">Line 2: “http://x.com/path” must be an https origin such as https://shop.example.com (no path or trailing slash).</p>`
		if !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `aria-invalid="true" aria-describedby="trust_urls-error"`) {
			t.Fatalf("the error is not next to the Trust URL field:\n%s", r.Body)
		}
		if !strings.Contains(r.Body, "http://x.com/path</textarea>") {
			t.Error("the form lost what was typed")
		}
		if !strings.Contains(r.Body, `<option value="24h" selected>`) {
			t.Error("after a refused Trust edit the roll form does not default to 24 hours")
		}
		ks, _ := h.Stores.Control.KeySet(ctx, strings.TrimPrefix(page, "/portal/keys/"))
		if len(ks.TrustURLs) != 1 || ks.TrustURLs[0] != "https://shop.example.com" {
			t.Fatalf("a refused edit changed the Trust URLs: %v", ks.TrustURLs)
		}
		// PRODUCTION needs a Trust IP; the fix is accepted.
		r = b.Submit(page, page+"/trust", url.Values{"trust_urls": {"https://shop.example.com"}, "trust_ips": {""}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="trust_ips-error">PRODUCTION key sets need at least one Trust IP range.`) {
			t.Fatalf("empty PRODUCTION Trust IPs = %d:\n%s", r.StatusCode, r.Body)
		}
		r = b.Submit(page, page+"/trust", url.Values{"trust_urls": {"https://shop.example.com\nhttps://checkout.example.com"}, "trust_ips": {"203.0.113.0/24"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("valid Trust lists = %d:\n%s", r.StatusCode, r.Body)
		}
		if ks, _ := h.Stores.Control.KeySet(ctx, ks.ID); len(ks.TrustURLs) != 2 {
			t.Errorf("Trust URLs after save = %v", ks.TrustURLs)
		}
	})
}

// TestRollGraceExpires checks the roll choice reaches keys.Service: with
// "now" the old secret stops at once.
func TestRollGraceExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		b := h.Browser(t)
		b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		r := b.Get("/portal/keys")
		ksID := webtest.Find(t, webtest.KeySetLinkRE, r.Body)
		ks, _ := h.Stores.Control.KeySet(context.Background(), ksID)
		page := "/portal/keys/" + ksID
		r = b.Submit(page, page+"/roll", url.Values{"expires_in": {"now"}})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("roll = %d", r.StatusCode)
		}
		h.Clock.Advance(time.Second)
		ks, _ = h.Stores.Control.KeySet(context.Background(), ks.ID)
		if len(ks.Secrets) != 2 || ks.Secrets[0].ValidAt(h.Clock.Now()) || !ks.Secrets[1].ValidAt(h.Clock.Now()) {
			t.Fatalf("secrets after an immediate roll: %+v", ks.Secrets)
		}
	})
}
