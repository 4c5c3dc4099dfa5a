package till_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

const clerkEmail = "sam@maple.example"

// inviteClerk has the merchant's browser invite clerkEmail for storeID and
// returns the invitation link mailed to the clerk.
func inviteClerk(t *testing.T, th *webtest.Harness, merchant *webtest.Browser, storeID string) string {
	t.Helper()
	r := merchant.Submit("/portal/clerks", "/portal/clerks", url.Values{"email": {clerkEmail}, "stores": {storeID}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite = %d:\n%s", r.StatusCode, r.Body)
	}
	r = merchant.Get(r.Header.Get("Location"))
	webtest.Want(t, r, http.StatusOK, "clerks page", "The invitation is sent.", clerkEmail, "invited, no password yet")
	return th.Mail.Link(t, clerkEmail, "/portal/invite")
}

// acceptInvite sets the clerk's password through the link.
func acceptInvite(b *webtest.Browser, link string) webtest.Resp {
	return b.Submit(link, "/portal/invite", url.Values{"token": {strings.TrimPrefix(link, "/portal/invite?token=")},
		"password": {webtest.Password}, "confirm": {webtest.Password}})
}

// TestClerkSellsAtItsStoreOnly is issue 28's clerk: invited by the
// merchant, choosing a password through the one-time link, signing in to
// the till of its store and selling there — and finding every developer
// page, another store's till and the console missing, whatever the links.
func TestClerkSellsAtItsStoreOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		th := webtest.New(t, e, webtest.WithTill)
		dev := th.Browser(t)
		m := dev.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		st := th.FirstStore(t, m.ID)
		other := &openflex.Store{ID: openflex.NewID(openflex.PrefixStore), MerchantID: m.ID, Name: "Maple Outlet", Province: "ON",
			TimeZone: "America/Toronto", Status: openflex.StoreActive, Created: th.Clock.Now()}
		if err := th.Stores.Control.CreateStore(ctx, other); err != nil {
			t.Fatal(err)
		}
		th.TwelveMonths(t, m.ID)
		acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)

		link := inviteClerk(t, th, dev, st.ID)
		clerk := th.Browser(t)
		// Before the password is chosen nobody can sign in as the clerk,
		// and the verification page does not spend the invitation.
		if r := clerk.Get(strings.Replace(link, "/portal/invite", "/portal/verify", 1)); r.StatusCode == http.StatusOK && strings.Contains(r.Body, "confirmed") {
			t.Fatalf("the verification page accepted an invitation:\n%s", r.Body)
		}
		r := acceptInvite(clerk, link)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/login?done=invite_accepted" {
			t.Fatalf("accept invitation = %d %s:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		// The link works once.
		r = acceptInvite(clerk, link)
		webtest.Want(t, r, http.StatusBadRequest, "second use of the invitation", "already used")

		clerk.LogIn(clerkEmail, webtest.Password)
		r = clerk.Get("/portal/")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/store" {
			t.Fatalf("clerk's home = %d %s, want the till", r.StatusCode, r.Header.Get("Location"))
		}
		base := "/portal/store/training/" + st.ID
		r = clerk.Get("/portal/store/training")
		webtest.Want(t, r, http.StatusOK, "clerk's store picker", `href="`+base+`"`, "Store till")
		if strings.Contains(r.Body, other.ID) {
			t.Fatalf("the clerk's store picker lists another store:\n%s", r.Body)
		}
		// The till's own navigation: the clerk's stores and nothing of the
		// portal.
		r = clerk.Get(base)
		webtest.Want(t, r, http.StatusOK, "clerk's till", `aria-label="Your stores"`, `href="`+base+`" aria-current="page">Maple Furniture`)
		for _, portalLink := range []string{`href="/portal/keys"`, `href="/portal/audit"`, `href="/portal/webhooks/training"`, `href="/portal/reference"`, `href="/portal/clerks"`} {
			if strings.Contains(r.Body, portalLink) {
				t.Errorf("the clerk's till links %s", portalLink)
			}
		}

		// A sale at its store.
		r = sale(t, th, clerk, base, acct, "500")
		r = clerk.PostIn(r.Body, base+"/authorize", url.Values{"account": {acct.Number}, "verification": {webtest.Find(t, regexp.MustCompile(`name="verification" value="(ver_[0-9a-z]+)"`), r.Body)},
			"amount": {"50000"}, "option": {webtest.Find(t, regexp.MustCompile(`name="option" value="([^"]+)"`), r.Body)}, "nonce": {webtest.FormNonce(t, r.Body, base+"/authorize")}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("clerk's authorize = %d:\n%s", r.StatusCode, r.Body)
		}
		webtest.Want(t, clerk.Get(r.Header.Get("Location")), http.StatusOK, "clerk's authorization", "Authorized.")

		// Everything else answers as if it did not exist.
		for _, path := range []string{"/portal/keys", "/portal/webhooks/training", "/portal/settlements/training", "/portal/audit", "/portal/requests",
			"/portal/reference", "/portal/go-live", "/portal/stores", "/portal/inbox", "/portal/clerks", "/portal/admin", "/portal/admin/applications/production",
			"/portal/store/training/" + other.ID, "/portal/store/training/" + other.ID + "/authorizations/x"} {
			if r := clerk.Get(path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, `href="/portal/store"`) || strings.Contains(r.Body, `href="/portal/keys"`) {
				t.Errorf("clerk GET %s = %d, want 404 leading back to the till, without portal links:\n%s", path, r.StatusCode, r.Body)
			}
		}
		for _, path := range []string{"/portal/keys", "/portal/clerks", "/portal/store/training/" + other.ID + "/lookup"} {
			r := clerk.Post(path, url.Values{"csrf": {clerk.SessionToken(path)}, "email": {"x@y.example"}, "account_number": {acct.Number}})
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("clerk POST %s = %d, want 404", path, r.StatusCode)
			}
		}

		// The merchant's developer keeps everything, other stores included.
		for _, path := range []string{"/portal/keys", "/portal/audit", "/portal/store/training/" + other.ID} {
			if r := dev.Get(path); r.StatusCode != http.StatusOK {
				t.Errorf("merchant GET %s = %d, want 200", path, r.StatusCode)
			}
		}
		webtest.Want(t, dev.Get("/portal/clerks"), http.StatusOK, "clerks page after joining", clerkEmail, "Maple Furniture", "active")

		// Removing the clerk ends its session at once.
		u, err := th.Stores.Control.PortalUserByEmail(ctx, clerkEmail)
		if err != nil {
			t.Fatal(err)
		}
		action := "/portal/clerks/" + u.ID + "/remove"
		r = dev.Submit("/portal/clerks", action, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove = %d:\n%s", r.StatusCode, r.Body)
		}
		webtest.Want(t, dev.Get(r.Header.Get("Location")), http.StatusOK, "after removal", "The clerk is removed and signed out.")
		if r := clerk.Get(base); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/portal/login") {
			t.Fatalf("removed clerk's till = %d %s, want the sign-in", r.StatusCode, r.Header.Get("Location"))
		}
	})
}

// TestClerkInviteRefusals: the merchant cannot invite for another
// merchant's store, nor remove another merchant's clerk.
func TestClerkInviteRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		dev := th.Browser(t)
		m := dev.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		st := th.FirstStore(t, m.ID)
		rival := th.Browser(t)
		rm := rival.VerifiedMerchant("Birch Beds", "dev@birch.example")
		rst := th.FirstStore(t, rm.ID)

		r := dev.Submit("/portal/clerks", "/portal/clerks", url.Values{"email": {clerkEmail}, "stores": {rst.ID}})
		webtest.Want(t, r, http.StatusBadRequest, "invite for another merchant's store", "Choose at least one of your stores.")
		r = dev.Submit("/portal/clerks", "/portal/clerks", url.Values{"email": {clerkEmail}})
		webtest.Want(t, r, http.StatusBadRequest, "invite without a store", "Choose at least one of your stores.")
		r = dev.Submit("/portal/clerks", "/portal/clerks", url.Values{"email": {"dev@birch.example"}, "stores": {st.ID}})
		webtest.Want(t, r, http.StatusBadRequest, "invite an existing account", "An account already uses this email.")

		inviteClerk(t, th, dev, st.ID)
		u, err := th.Stores.Control.PortalUserByEmail(context.Background(), clerkEmail)
		if err != nil {
			t.Fatal(err)
		}
		action := "/portal/clerks/" + u.ID + "/remove"
		if r := rival.Post(action, url.Values{"csrf": {rival.SessionToken(action)}}); r.StatusCode != http.StatusNotFound {
			t.Fatalf("another merchant removing the clerk = %d, want 404", r.StatusCode)
		}
		// A developer login is not a clerk either.
		du, _ := th.Stores.Control.PortalUserByEmail(context.Background(), "dev@maple.example")
		action = "/portal/clerks/" + du.ID + "/remove"
		if r := dev.Post(action, url.Values{"csrf": {dev.SessionToken(action)}}); r.StatusCode != http.StatusNotFound {
			t.Fatalf("removing a developer login as a clerk = %d, want 404", r.StatusCode)
		}
	})
}
