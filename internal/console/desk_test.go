package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestAccountDesk: lender staff find an account by its number or by name
// and date of birth and act on it. Each action takes a reason, changes the
// account and writes an audit entry naming the staff member; an agent may
// freeze and write notes, and its posts of an administrator's actions are
// refused (404) with nothing changed.
func TestAccountDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill, webtest.WithDesk)
		ctx := context.Background()
		m := th.Browser(t).VerifiedMerchant("Maple Furniture", "dev@maple.example")
		acct := th.OpenAccount(t, openflex.Training, m.ID, th.FirstStore(t, m.ID).ID)
		adminUser, err := th.Users.BootstrapStaff(ctx, "ops@lender.example", webtest.Password, users.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		agentUser, err := th.Users.BootstrapStaff(ctx, "agent@lender.example", webtest.Password, users.RoleAgent)
		if err != nil {
			t.Fatal(err)
		}
		admin, agent := th.Browser(t), th.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)
		agent.LogIn("agent@lender.example", webtest.Password)

		page := "/portal/admin/accounts/training/" + acct.Number
		status := func() openflex.AccountStatus {
			t.Helper()
			a, err := th.Stores.Data(openflex.Training).Account(ctx, acct.Number)
			if err != nil {
				t.Fatal(err)
			}
			return a.Status
		}
		audits := func(action string) []openflex.AuditEntry {
			t.Helper()
			all, err := th.Stores.Control.AuditOf(ctx, acct.Number, 100)
			if err != nil {
				t.Fatal(err)
			}
			var out []openflex.AuditEntry
			for _, a := range all {
				if a.Action == action {
					out = append(out, a)
				}
			}
			return out
		}
		payments := func() []*engine.Payment {
			t.Helper()
			ps, _, err := th.Stores.Data(openflex.Training).Payments(ctx, acct.Number, openflex.ListParams{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}

		// Search.
		r := admin.Get("/portal/admin/accounts?env=training&number=" + acct.Number)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page {
			t.Fatalf("search by number = %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		byName := "/portal/admin/accounts?" + url.Values{"env": {"training"}, "first_name": {"Jeanne"}, "last_name": {acct.LastName},
			"date_of_birth": {"1985-06-15"}}.Encode()
		if r := agent.Get(byName); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `href="`+page+`"`) {
			t.Fatalf("search by name and birth date = %d:\n%s", r.StatusCode, r.Body)
		}
		for _, c := range []struct{ name, query, want string }{
			{"another birth date", url.Values{"env": {"training"}, "first_name": {"Jeanne"}, "last_name": {acct.LastName}, "date_of_birth": {"1985-06-16"}}.Encode(), "No account matches"},
			{"another environment", url.Values{"env": {"production"}, "number": {acct.Number}}.Encode(), "No account matches"},
		} {
			if r := admin.Get("/portal/admin/accounts?" + c.query); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, c.want) || strings.Contains(r.Body, `href="`+page+`"`) {
				t.Errorf("%s: %d:\n%s", c.name, r.StatusCode, r.Body)
			}
		}
		for _, c := range []struct{ name, query, field string }{
			{"bad number", "number=12345", "number"},
			{"no birth date", url.Values{"first_name": {"Jeanne"}, "last_name": {acct.LastName}}.Encode(), "date_of_birth"},
			{"no first name", url.Values{"last_name": {acct.LastName}, "date_of_birth": {"1985-06-15"}}.Encode(), "first_name"},
		} {
			if r := admin.Get("/portal/admin/accounts?env=training&" + c.query); r.StatusCode != http.StatusBadRequest ||
				!strings.Contains(r.Body, `aria-describedby="`+c.field+`-error"`) {
				t.Errorf("%s: %d:\n%s", c.name, r.StatusCode, r.Body)
			}
		}

		// The account page.
		r = agent.Get(page + "?lang=en")
		webtest.Want(t, r, http.StatusOK, "agent's account page", "in good standing", "Credit limit", "Staff notes", "Audit log", "As an agent")
		for _, admins := range []string{"/unfreeze", "/close", "/payments"} {
			if strings.Contains(r.Body, `action="`+page+admins+`"`) {
				t.Errorf("the agent's page offers %s", admins)
			}
		}
		if r := agent.Get("/portal/admin"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/admin/accounts" {
			t.Errorf("an agent at the console's door = %d %s, want the desk", r.StatusCode, r.Header.Get("Location"))
		}
		if r := agent.Get("/portal/admin/consents?env=training&account=" + acct.Number); r.StatusCode != http.StatusNotFound {
			t.Errorf("an agent reached an administrator's page: %d", r.StatusCode)
		}
		if r := th.Browser(t).Get(page); r.StatusCode != http.StatusSeeOther {
			t.Errorf("signed out = %d, want the log-in", r.StatusCode)
		}

		// A reason is required: nothing changes without one.
		r = agent.Submit(page, page+"/freeze", url.Values{"reason": {"  "}})
		webtest.Want(t, r, http.StatusBadRequest, "freeze without a reason", "Enter the reason.")
		if !strings.Contains(r.Body, `id="reason" name="reason"`) || !strings.Contains(r.Body, `href="#reason"`) {
			t.Errorf("the refused form's field is not linked from the summary:\n%s", r.Body)
		}
		if s := status(); s != openflex.AccountNormal {
			t.Fatalf("status after a refused freeze = %s", s)
		}
		// CSRF: a post without the form's token is refused.
		if r := agent.Post(page+"/freeze", url.Values{"reason": {"fraud suspected"}}); r.StatusCode != http.StatusForbidden {
			t.Fatalf("freeze without CSRF = %d", r.StatusCode)
		}

		// The agent freezes and writes a note.
		r = agent.Submit(page, page+"/freeze", url.Values{"reason": {"fraud suspected"}})
		if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=desk_freeze") {
			t.Fatalf("agent's freeze = %d %s:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		if s := status(); s != openflex.AccountFrozen {
			t.Fatalf("status after the freeze = %s", s)
		}
		if a := audits("account.freeze"); len(a) != 1 || a[0].Actor != "agent:"+agentUser.ID || !strings.Contains(a[0].Detail, "fraud suspected") {
			t.Fatalf("freeze audit: %+v", a)
		}
		r = agent.Submit(page, page+"/notes", url.Values{"note": {"Customer called about a card <b>theft</b>."}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("agent's note = %d:\n%s", r.StatusCode, r.Body)
		}
		if a := audits("account.note_added"); len(a) != 1 || a[0].Actor != "agent:"+agentUser.ID {
			t.Fatalf("note audit: %+v", a)
		}
		r = agent.Get(page)
		webtest.Want(t, r, http.StatusOK, "after the agent's actions", "frozen — fraud suspected", "Customer called about a card &lt;b&gt;theft&lt;/b&gt;.",
			"agent:"+agentUser.ID)

		// The agent cannot take an administrator's actions, even with a
		// valid token for each: 404, and nothing changes.
		for _, action := range []string{"/unfreeze", "/close", "/payments", "/payments/pay_whatever/reverse"} {
			form := url.Values{"reason": {"let me"}, "amount": {"10.00"}, "channel": {"bank"}, "reference": {"R1"}, "csrf": {agent.SessionToken(page + action)}}
			if r := agent.Post(page+action, form); r.StatusCode != http.StatusNotFound {
				t.Errorf("agent's POST %s = %d, want 404", action, r.StatusCode)
			}
		}
		if s, ps := status(), payments(); s != openflex.AccountFrozen || len(ps) != 0 {
			t.Fatalf("the agent's refused posts changed the account: %s, %d payments", s, len(ps))
		}

		// The administrator unfreezes, records a payment, reverses it and
		// closes the account.
		r = admin.Submit(page, page+"/unfreeze", url.Values{"reason": {"identity confirmed"}})
		if r.StatusCode != http.StatusSeeOther || status() != openflex.AccountNormal {
			t.Fatalf("unfreeze = %d, status %s:\n%s", r.StatusCode, status(), r.Body)
		}
		if a := audits("account.unfreeze"); len(a) != 1 || a[0].Actor != "admin:"+adminUser.ID {
			t.Fatalf("unfreeze audit: %+v", a)
		}
		r = admin.Submit(page, page+"/payments", url.Values{"amount": {"-5"}, "channel": {"cash"}, "reference": {""}, "reason": {"x"}})
		webtest.Want(t, r, http.StatusBadRequest, "a refused payment", "more than 0", "Choose how the payment was received", "Enter the bank")
		if ps := payments(); len(ps) != 0 {
			t.Fatalf("a refused payment was recorded: %+v", ps[0])
		}
		r = admin.Submit(page, page+"/payments", url.Values{"amount": {"$25.50"}, "channel": {"cheque"}, "reference": {"CHQ-1001"}, "reason": {"cheque by mail"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("record payment = %d:\n%s", r.StatusCode, r.Body)
		}
		ps := payments()
		if len(ps) != 1 || ps[0].Amount != 2550 || ps[0].Channel != "cheque" || ps[0].Reference != "CHQ-1001" || ps[0].Status != engine.PaymentSucceeded {
			t.Fatalf("payments after recording: %+v", ps)
		}
		if a := audits("payment.recorded"); len(a) != 1 || !strings.Contains(a[0].Detail, ps[0].ID) || !strings.Contains(a[0].Detail, "cheque by mail") {
			t.Fatalf("payment audit: %+v", a)
		}
		// The page says how each payment came, in words, and what each
		// balance owes (the regular balance has no purchase amount).
		if body := admin.Get(page).Body; !strings.Contains(body, "<td>cheque</td>") || !strings.Contains(body, "<th scope=\"col\">Owing</th>") {
			t.Fatalf("the account page after a cheque payment lacks its channel in words or the owing column:\n%s", body)
		}
		reverse := page + "/payments/" + ps[0].ID + "/reverse"
		r = admin.Submit(page, reverse, url.Values{"reason": {"cheque returned NSF"}, "returned": {"yes"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reverse = %d:\n%s", r.StatusCode, r.Body)
		}
		if ps := payments(); ps[0].Status != engine.PaymentReversed || ps[0].ReversalReason != "cheque returned NSF" {
			t.Fatalf("payment after the reversal: %+v", ps[0])
		}
		if a := audits("payment.reversed"); len(a) != 1 || !strings.Contains(a[0].Detail, "returned") {
			t.Fatalf("reversal audit: %+v", a)
		}
		// Another account's page cannot reverse this account's payment.
		other := th.OpenAccount(t, openflex.Training, m.ID, th.FirstStore(t, m.ID).ID)
		otherReverse := "/portal/admin/accounts/training/" + other.Number + "/payments/" + ps[0].ID + "/reverse"
		if r := admin.Post(otherReverse, url.Values{"reason": {"x"}, "csrf": {admin.SessionToken(otherReverse)}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("reverse through another account = %d, want 404", r.StatusCode)
		}
		r = admin.Submit(page, page+"/close", url.Values{"reason": {"customer asked"}})
		if r.StatusCode != http.StatusSeeOther || status() != openflex.AccountClosed {
			t.Fatalf("close = %d, status %s:\n%s", r.StatusCode, status(), r.Body)
		}
		if a := audits("account.close"); len(a) != 1 || a[0].Actor != "admin:"+adminUser.ID {
			t.Fatalf("close audit: %+v", a)
		}
		r = admin.Get(page)
		webtest.Want(t, r, http.StatusOK, "the closed account", "closed — customer asked", "cheque returned NSF", "CHQ-1001", "identity confirmed")
		if strings.Contains(r.Body, `action="`+page+`/freeze"`) {
			t.Errorf("a closed account offers a freeze")
		}

		// In French.
		r = admin.Get(page + "?lang=fr")
		webtest.Want(t, r, http.StatusOK, "French account page", "Compte "+acct.Number, "fermé", "Notes du personnel", "Journal d’audit")
		if r := agent.Get(byName + "&lang=fr"); !strings.Contains(html.UnescapeString(r.Body), "Comptes trouvés") {
			t.Errorf("French search:\n%s", r.Body)
		}
	})
}

// TestStaffRoles: an agent is lender staff without a merchant; no other
// role is created as staff.
func TestStaffRoles(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0])
	ctx := context.Background()
	u, err := th.Users.BootstrapStaff(ctx, "agent@lender.example", webtest.Password, users.RoleAgent)
	if err != nil || u.Role != users.RoleAgent || u.MerchantID != "" {
		t.Fatalf("BootstrapStaff(agent) = %+v, %v", u, err)
	}
	if got, err := th.Stores.Control.PortalUserByEmail(ctx, "agent@lender.example"); err != nil || got.Role != users.RoleAgent {
		t.Fatalf("stored agent = %+v, %v", got, err)
	}
	if _, err := th.Users.BootstrapStaff(ctx, "m@lender.example", webtest.Password, users.RoleMerchant); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
		t.Fatalf("BootstrapStaff(merchant) = %v, want parameter_invalid", err)
	}
}
