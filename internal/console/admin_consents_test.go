package console_test

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

// TestAdminRevokesConsent: lender staff find which merchants hold a
// customer's consent on an account and revoke one; it is audited, and the
// merchant's online purchases stop.
func TestAdminRevokesConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		ctx := context.Background()
		b := th.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		store := th.FirstStore(t, m.ID)
		acct := th.OpenAccount(t, openflex.Training, m.ID, store.ID) // Maple's application: Maple holds consent
		if err := th.Users.BootstrapAdmin(ctx, "ops@lender.example", webtest.Password); err != nil {
			t.Fatal(err)
		}
		if r := b.Get("/portal/admin/consents?env=training&account=" + acct.Number); r.StatusCode != http.StatusNotFound {
			t.Fatalf("a merchant user reached the consents console: %d", r.StatusCode)
		}
		admin := th.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)
		page := "/portal/admin/consents?env=training&account=" + acct.Number
		r := admin.Get(page)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, m.ID) || !strings.Contains(r.Body, "application") {
			t.Fatalf("consents page = %d:\n%s", r.StatusCode, r.Body)
		}
		r = admin.Submit(page, "/portal/admin/consents/revoke", url.Values{"env": {"training"}, "account": {acct.Number},
			"merchant": {m.ID}, "reason": {"customer called"}})
		if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=consent_revoked") {
			t.Fatalf("revoke = %d %s:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		if r := admin.Get(r.Header.Get("Location")); !strings.Contains(r.Body, "customer called") || !strings.Contains(r.Body, "staff") {
			t.Fatalf("after revocation:\n%s", r.Body)
		}
		if c, err := th.Lending[openflex.Training].Consent(ctx, m.ID, acct.Number); err != nil || c != nil {
			t.Fatalf("consent after the staff's revocation = %+v, %v", c, err)
		}
		entries, err := th.Stores.Control.AuditLog(ctx, m.ID, 20)
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
