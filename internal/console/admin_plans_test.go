package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestAdminPlanFees: lender staff see a merchant's plans of one
// environment with their merchant fees and change a fee; the change is
// saved to that environment only and audited, a refused form (in English
// or French) changes nothing, and merchants and forged posts are refused.
func TestAdminPlanFees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		ctx := context.Background()
		b := th.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		plan := th.TwelveMonths(t, m.ID)
		if err := th.Users.BootstrapAdmin(ctx, "ops@lender.example", webtest.Password); err != nil {
			t.Fatal(err)
		}
		page := "/portal/admin/merchants/" + m.ID + "/plans?env=training"
		action := "/portal/admin/merchants/" + m.ID + "/plans/training/" + plan.ID + "/merchant-fee"
		stored := func() openflex.MerchantFee {
			t.Helper()
			p, err := th.Stores.Data(openflex.Training).Plan(ctx, m.ID, plan.ID)
			if err != nil {
				t.Fatal(err)
			}
			return p.MerchantFee
		}
		audits := func() (n int, last openflex.AuditEntry) {
			t.Helper()
			entries, err := th.Stores.Control.AuditLog(ctx, m.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range entries {
				if a.Action == "plan.merchant_fee_set" {
					if n == 0 {
						last = a // newest first
					}
					n++
				}
			}
			return n, last
		}

		// A merchant's user is not told the console exists.
		if r := b.Get(page); r.StatusCode != http.StatusNotFound {
			t.Fatalf("a merchant user reached the plans console: %d", r.StatusCode)
		}
		if r := b.Post(action, url.Values{"bps": {"1"}, "refund": {"none"}}); r.StatusCode != http.StatusNotFound {
			t.Fatalf("a merchant user's fee post = %d", r.StatusCode)
		}

		admin := th.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)
		if r := admin.Get("/portal/admin?lang=en"); !strings.Contains(r.Body, `href="/portal/admin/merchants/`+m.ID+`/plans?env=training"` /* not live yet: its TRAINING plans */) {
			t.Fatalf("the admin home does not link the merchant's plans:\n%s", r.Body)
		}
		r := admin.Get(page)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "12 easy payments") || !strings.Contains(r.Body, "12 months at 9.99%") ||
			!strings.Contains(html.UnescapeString(r.Body), "0.00% + $0.00 per purchase, refunded pro rata on returns") || !strings.Contains(r.Body, "authorized from then on") {
			t.Fatalf("plans page = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := admin.Get("/portal/admin/merchants/" + m.ID + "/plans?env=production"); r.StatusCode != http.StatusOK ||
			strings.Contains(r.Body, plan.ID) || !strings.Contains(r.Body, "no plans in this environment") {
			t.Fatalf("production plans page = %d:\n%s", r.StatusCode, r.Body)
		}
		for _, bad := range []string{"/portal/admin/merchants/" + m.ID + "/plans?env=staging", "/portal/admin/merchants/mer_nosuch/plans"} {
			if r := admin.Get(bad); r.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", bad, r.StatusCode)
			}
		}

		// Set the fee.
		r = admin.Submit(page, action, url.Values{"bps": {"350"}, "fixed": {"$1.25"}, "refund": {"none"}})
		if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=plan_fee_set") {
			t.Fatalf("set fee = %d %s:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		want := openflex.MerchantFee{Bps: 350, Fixed: 125, NoRefund: true}
		if got := stored(); got != want {
			t.Fatalf("stored fee = %+v, want %+v", got, want)
		}
		if p, err := th.Stores.Data(openflex.Training).Plan(ctx, m.ID, plan.ID); err != nil || p.Name != plan.Name || len(p.Terms) != 1 || !p.Active {
			t.Fatalf("the fee change touched the rest of the plan: %+v, %v", p, err)
		}
		if r := admin.Get(r.Header.Get("Location")); !strings.Contains(html.UnescapeString(r.Body), "3.50% + $1.25 per purchase, kept on returns") ||
			!strings.Contains(r.Body, "Merchant fee saved") {
			t.Fatalf("after setting the fee:\n%s", r.Body)
		} else if !regexp.MustCompile(`id="plan-`+plan.ID+`"[^>]*>[^<]*</h2>\s*<p class="flash" role="status" tabindex="-1" data-focus id="saved">Merchant fee saved`).MatchString(r.Body) ||
			strings.Count(r.Body, "Merchant fee saved") != 1 {
			// The redirect scrolls to the plan: the confirmation is there, and focused, not at the top.
			t.Fatalf("the confirmation is not under the saved plan's heading:\n%s", r.Body)
		}
		n, last := audits()
		if n != 1 || last.ObjectID != plan.ID || !strings.HasPrefix(last.Actor, "admin:") ||
			last.Detail != "training: 350 bps + 125 cents, kept on returns (was 0 bps + 0 cents, refunded pro rata)" {
			t.Fatalf("audit: %d entries, newest %+v", n, last)
		}

		// Refused forms change nothing and say why, on the form.
		for _, c := range []struct {
			name  string
			form  url.Values
			field string
			msg   string
		}{
			{"rate above 100 %", url.Values{"bps": {"10001"}, "fixed": {"0"}, "refund": {"pro_rata"}}, "bps", "from 0 to 10000"},
			{"negative rate", url.Values{"bps": {"-1"}, "fixed": {"0"}, "refund": {"pro_rata"}}, "bps", "from 0 to 10000"},
			{"rate not a number", url.Values{"bps": {"6%"}, "fixed": {"0"}, "refund": {"pro_rata"}}, "bps", "from 0 to 10000"},
			{"no rate", url.Values{"bps": {""}, "fixed": {"0"}, "refund": {"pro_rata"}}, "bps", "from 0 to 10000"},
			{"negative fixed", url.Values{"bps": {"600"}, "fixed": {"-0.30"}, "refund": {"pro_rata"}}, "fixed", "0 or more"},
			{"fixed in fractions of a cent", url.Values{"bps": {"600"}, "fixed": {"0.305"}, "refund": {"pro_rata"}}, "fixed", "0 or more"},
			{"fixed above the largest amount", url.Values{"bps": {"600"}, "fixed": {"100000000000"}, "refund": {"pro_rata"}}, "fixed", "0 or more"},
			{"no refund choice", url.Values{"bps": {"600"}, "fixed": {"0"}}, "refund", "Choose whether returns refund"},
			{"unknown refund choice", url.Values{"bps": {"600"}, "fixed": {"0"}, "refund": {"maybe"}}, "refund", "Choose whether returns refund"},
		} {
			r := admin.Submit(page, action, c.form)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, c.msg) ||
				!strings.Contains(r.Body, `aria-describedby="`+c.field+`-error"`) {
				t.Errorf("%s: %d:\n%s", c.name, r.StatusCode, r.Body)
			}
			if got := stored(); got != want {
				t.Fatalf("%s changed the fee to %+v", c.name, got)
			}
		}
		// The refused form keeps what was typed.
		if r := admin.Submit(page, action, url.Values{"bps": {"abc"}, "fixed": {"2.50"}, "refund": {"pro_rata"}}); !strings.Contains(r.Body, `value="abc"`) {
			t.Errorf("the refused form lost the typed rate:\n%s", r.Body)
		}

		// A post without the form's CSRF token is refused.
		if r := admin.Post(action, url.Values{"bps": {"1"}, "fixed": {"0"}, "refund": {"pro_rata"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("fee post without CSRF = %d, want 403", r.StatusCode)
		}
		// A plan of another environment or merchant is not found.
		other := th.Browser(t).VerifiedMerchant("Birch Beds", "dev@birch.example")
		for _, a := range []string{"/portal/admin/merchants/" + m.ID + "/plans/production/" + plan.ID + "/merchant-fee",
			"/portal/admin/merchants/" + other.ID + "/plans/training/" + plan.ID + "/merchant-fee"} {
			form := url.Values{"bps": {"1"}, "fixed": {"0"}, "refund": {"pro_rata"}, "csrf": {admin.SessionToken(a)}}
			if r := admin.Post(a, form); r.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s = %d, want 404", a, r.StatusCode)
			}
		}
		if got := stored(); got != want {
			t.Fatalf("refused posts changed the fee to %+v", got)
		}
		if n, _ := audits(); n != 1 {
			t.Fatalf("%d fee audit entries after refused posts, want 1", n)
		}

		// In French.
		fr := page + "&lang=fr"
		if r := admin.Get(fr); !strings.Contains(r.Body, "Frais marchands de 12 easy payments") || !strings.Contains(r.Body, "3,50") ||
			!strings.Contains(r.Body, "conservés si des marchandises sont retournées") || !strings.Contains(r.Body, "12 mois à 9,99") {
			t.Fatalf("French plans page:\n%s", r.Body)
		}
		if r := admin.Submit(fr, action, url.Values{"bps": {"600"}, "fixed": {"-1"}, "refund": {"pro_rata"}}); r.StatusCode != http.StatusBadRequest ||
			!strings.Contains(r.Body, "Entrez le montant fixe en dollars") {
			t.Fatalf("French refused form = %d:\n%s", r.StatusCode, r.Body)
		}
		if r := admin.Submit(fr, action, url.Values{"bps": {"600"}, "fixed": {"0,30 $"}, "refund": {"pro_rata"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("French fee = %d:\n%s", r.StatusCode, r.Body)
		}
		if got := stored(); got != (openflex.MerchantFee{Bps: 600, Fixed: 30}) {
			t.Fatalf("fee typed in French = %+v", got)
		}
		if n, _ := audits(); n != 2 {
			t.Fatalf("%d fee audit entries, want 2", n)
		}
	})
}

// TestMerchantAtTheConsoleDoor: a merchant's session opening /portal/admin
// is told the console is for lender staff and offered the staff sign-in,
// which comes back to the console; the console's other pages stay unknown
// to it (404).
func TestMerchantAtTheConsoleDoor(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	if err := th.Users.BootstrapAdmin(context.Background(), "ops@lender.example", webtest.Password); err != nil {
		t.Fatal(err)
	}
	b := th.Browser(t)
	b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	r := b.Get("/portal/admin?lang=en")
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Lender staff only") || strings.Contains(r.Body, "Something went wrong") ||
		!strings.Contains(r.Body, `name="next" value="/portal/admin"`) {
		t.Fatalf("a merchant at /portal/admin = %d:\n%s", r.StatusCode, r.Body)
	}
	if r := b.Get("/portal/admin/merchants"); r.StatusCode != http.StatusNotFound {
		t.Errorf("a merchant at another console page = %d, want 404", r.StatusCode)
	}
	out := b.PostIn(r.Body, "/portal/logout", url.Values{"next": {"/portal/admin"}})
	if out.StatusCode != http.StatusSeeOther || !strings.Contains(out.Header.Get("Location"), "next=%2Fportal%2Fadmin") {
		t.Fatalf("sign out for staff = %d %s", out.StatusCode, out.Header.Get("Location"))
	}
	if evil := th.Browser(t); true {
		evil.VerifiedMerchant("Birch Beds", "dev@birch.example")
		page := evil.Get("/portal/")
		if o := evil.PostIn(page.Body, "/portal/logout", url.Values{"next": {"https://evil.example/"}}); strings.Contains(o.Header.Get("Location"), "evil") {
			t.Errorf("sign out went on to %s", o.Header.Get("Location"))
		}
	}
}
