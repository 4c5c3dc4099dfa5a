package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
)

// TestAdminRevokesConsent: lender staff find which merchants hold a
// customer's consent on an account and revoke one; it is audited, and the
// merchant's online purchases stop.
func TestAdminRevokesConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := newTillHarness(t, e)
		ctx := context.Background()
		b := th.browser(t)
		m := b.verifiedMerchant("Maple Furniture", "dev@maple.example")
		store := th.firstStore(t, m.ID)
		acct := th.openAccount(t, openflex.Training, m.ID, store.ID) // Maple's application: Maple holds consent
		if err := th.portal.BootstrapAdmin(ctx, "ops@lender.example", password); err != nil {
			t.Fatal(err)
		}
		if r := b.get("/portal/admin/consents?env=training&account=" + acct.Number); r.StatusCode != http.StatusNotFound {
			t.Fatalf("a merchant user reached the consents console: %d", r.StatusCode)
		}
		admin := th.browser(t)
		admin.logIn("ops@lender.example", password)
		page := "/portal/admin/consents?env=training&account=" + acct.Number
		r := admin.get(page)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, m.ID) || !strings.Contains(r.Body, "application") {
			t.Fatalf("consents page = %d:\n%s", r.StatusCode, r.Body)
		}
		r = admin.submit(page, "/portal/admin/consents/revoke", url.Values{"env": {"training"}, "account": {acct.Number},
			"merchant": {m.ID}, "reason": {"customer called"}})
		if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=consent_revoked") {
			t.Fatalf("revoke = %d %s:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		if r := admin.get(r.Header.Get("Location")); !strings.Contains(r.Body, "customer called") || !strings.Contains(r.Body, "staff") {
			t.Fatalf("after revocation:\n%s", r.Body)
		}
		if c, err := th.lending[openflex.Training].Consent(ctx, m.ID, acct.Number); err != nil || c != nil {
			t.Fatalf("consent after the staff's revocation = %+v, %v", c, err)
		}
		entries, err := th.stores.Control.AuditLog(ctx, m.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range entries {
			found = found || a.Action == "consent.revoked"
		}
		if !found {
			t.Fatalf("no consent.revoked audit entry among %+v", entries)
		}
	})
}
