package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// TestReviewApplications: lender staff list pending applications, open
// one with personal data masked, approve one with a limit they typed and
// decline another with reasons; both decisions are audited, and only
// staff reach the screens.
func TestReviewApplications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		ctx := context.Background()
		b := th.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		st := th.FirstStore(t, m.ID)
		approveMe := th.PendingApplication(t, openflex.Training, m.ID, st.ID, "Tremblay-Review")
		declineMe := th.PendingApplication(t, openflex.Training, m.ID, st.ID, "Gagnon-Review")
		if err := th.Users.BootstrapAdmin(ctx, "ops@lender.example", webtest.Password); err != nil {
			t.Fatal(err)
		}
		admin := th.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)

		r := admin.Get("/portal/admin")
		webtest.Want(t, r, http.StatusOK, "console", `href="/portal/admin/applications/production"`)
		if strings.Contains(r.Body, "elsewhere") {
			t.Errorf("the console still sends reviews elsewhere")
		}
		list := "/portal/admin/applications/training"
		r = admin.Get(list)
		webtest.Want(t, r, http.StatusOK, "pending list", approveMe.ID, declineMe.ID, "Maple Furniture", "$1,500.00")
		webtest.Want(t, admin.Get("/portal/admin/applications/production"), http.StatusOK, "PRODUCTION list", "No application is waiting for review.")

		file := list + "/" + approveMe.ID
		r = admin.Get(file)
		webtest.Want(t, r, http.StatusOK, "file", "J. T.", "Ontario · M5V", "$65,000.00", "Employed", "Rents", "$1,800.00", "…@example.com", "•••0199",
			"given (not shown)")
		for _, secret := range []string{"Jeanne", "Tremblay", "1985-06-15", "77 Secret Lane", "2T6", "130692544", "130 692 544", "jeanne.review", "416555"} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("the review file shows %q", secret)
			}
		}

		// Merchants and strangers do not reach the screens.
		if r := b.Get(list); r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusNotFound {
			t.Errorf("a merchant on the review list = %d", r.StatusCode)
		}
		approve := file + "/approve"
		if r := b.Post(approve, url.Values{"csrf": {b.SessionToken(approve)}, "credit_limit": {"2500"}}); r.StatusCode == http.StatusSeeOther && strings.Contains(r.Header.Get("Location"), "done=application") {
			t.Fatalf("a merchant approved an application")
		}

		// A limit that is not an amount is refused next to the field.
		r = admin.Submit(file, approve, url.Values{"credit_limit": {"lots"}})
		webtest.Want(t, r, http.StatusBadRequest, "bad limit", "Enter a credit limit in dollars", `aria-invalid="true" aria-describedby="credit_limit-error"`)
		r = admin.Submit(file, approve, url.Values{"credit_limit": {"2,750.00"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != list+"?done=application_approved" {
			t.Fatalf("approve = %d %s:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		app, acct, err := th.Credit[openflex.Training].Application(ctx, m.ID, approveMe.ID)
		if err != nil || app.Status != openflex.ApplicationApproved || acct == nil || acct.CreditLimit != 275_000 {
			t.Fatalf("after approval: %+v %+v %v", app, acct, err)
		}
		if r := admin.Post(approve, url.Values{"csrf": {admin.SessionToken(approve)}, "credit_limit": {"100"}}); r.StatusCode != http.StatusConflict {
			t.Errorf("deciding twice = %d, want 409", r.StatusCode)
		}

		// A decline needs a reason; the reasons chosen are the applicant's.
		decFile := list + "/" + declineMe.ID
		decline := decFile + "/decline"
		r = admin.Submit(decFile, decline, url.Values{})
		webtest.Want(t, r, http.StatusBadRequest, "decline without reasons", "Tick at least one reason.")
		r = admin.Submit(decFile, decline, url.Values{"reason": {credit.ReasonInsufficientIncome, credit.ReasonDebtServiceRatio}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("decline = %d:\n%s", r.StatusCode, r.Body)
		}
		app, _, err = th.Credit[openflex.Training].Application(ctx, m.ID, declineMe.ID)
		if err != nil || app.Status != openflex.ApplicationDeclined || len(app.Reasons) != 2 ||
			app.Reasons[0].Code != credit.ReasonDebtServiceRatio || app.Reasons[1].Code != credit.ReasonInsufficientIncome ||
			!strings.Contains(app.Reasons[1].Message, "revenu") {
			t.Fatalf("after decline: %+v %v", app, err)
		}
		if r := admin.Post(decline, url.Values{"csrf": {admin.SessionToken(decline)}, "reason": {"because"}}); r.StatusCode != http.StatusConflict {
			t.Errorf("an invented reason on a decided application = %d", r.StatusCode)
		}
		webtest.Want(t, admin.Get(list), http.StatusOK, "list after", "No application is waiting for review.")

		// Both decisions are in the audit log, by the reviewer.
		log, err := th.Stores.Control.AuditLog(ctx, m.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for _, e := range log {
			if strings.HasPrefix(e.Action, "application.") {
				seen[e.ObjectID] = e.Action + " " + e.Actor + " " + e.Detail
			}
		}
		if a := seen[approveMe.ID]; !strings.HasPrefix(a, "application.approved admin:") || !strings.Contains(a, "$2,750.00") {
			t.Errorf("approval audit = %q", a)
		}
		if d := seen[declineMe.ID]; !strings.HasPrefix(d, "application.declined admin:") || !strings.Contains(d, "insufficient_income") {
			t.Errorf("decline audit = %q", d)
		}
	})
}

// TestDecideRejectsBadReasons: the domain call refuses unknown reasons and
// reasons on an approval, and changes nothing.
func TestDecideRejectsBadReasons(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	app := th.PendingApplication(t, openflex.Training, m.ID, st.ID, "Roy-Reasons")
	svc := th.Credit[openflex.Training]
	ctx := context.Background()
	for _, tc := range []struct {
		status  openflex.ApplicationStatus
		limit   int64
		reasons []string
	}{
		{openflex.ApplicationDeclined, 0, []string{"made_up"}},
		{openflex.ApplicationApproved, 0, []string{credit.ReasonCreditScore}},
		{openflex.ApplicationApproved, -5, nil},
	} {
		if _, _, err := svc.Decide(ctx, "", app.ID, tc.status, tc.limit, tc.reasons...); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Errorf("Decide(%s, %d, %v) = %v, want parameter_invalid", tc.status, tc.limit, tc.reasons, err)
		}
	}
	if got, _, _ := svc.Application(ctx, m.ID, app.ID); got.Status != openflex.ApplicationPending {
		t.Errorf("a refused decision changed the application to %s", got.Status)
	}
}

// TestReviewShowsRepeats: another merchant's application of the same
// person is listed as a repeat of the first, with a link to it; it cannot
// be approved on its own; staff open a separate account for it only
// deliberately, with a reason the audit log keeps, and that account gives
// the merchant no consent.
func TestReviewShowsRepeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		ctx := context.Background()
		first := th.Browser(t).VerifiedMerchant("Maple Furniture", "dev@maple.example")
		second := th.Browser(t).VerifiedMerchant("Copycat Sofas", "dev@copycat.example")
		orig := th.PendingApplication(t, openflex.Training, first.ID, th.FirstStore(t, first.ID).ID, "Tremblay-Repeat")
		rep := th.PendingApplication(t, openflex.Training, second.ID, th.FirstStore(t, second.ID).ID, "Tremblay-Repeat")
		if rep.RepeatOf != orig.ID {
			t.Fatalf("second application repeats %q, want %s", rep.RepeatOf, orig.ID)
		}
		if err := th.Users.BootstrapAdmin(ctx, "ops@lender.example", webtest.Password); err != nil {
			t.Fatal(err)
		}
		admin := th.Browser(t)
		admin.LogIn("ops@lender.example", webtest.Password)

		list := "/portal/admin/applications/training"
		webtest.Want(t, admin.Get(list), http.StatusOK, "list", "Repeat of", `<a href="`+list+"/"+orig.ID+`"><code>`+orig.ID)
		file := list + "/" + rep.ID
		r := admin.Get(file)
		webtest.Want(t, r, http.StatusOK, "repeat file", "A repeat: the same person applied earlier through another merchant", "Open a separate account anyway")
		if strings.Contains(r.Body, `id="approve"`) {
			t.Error("the repeat's file offers to approve it on its own")
		}
		r = admin.Post(file+"/approve", url.Values{"csrf": {admin.SessionToken(file + "/approve")}, "credit_limit": {"2500"}})
		webtest.Want(t, r, http.StatusBadRequest, "approve a repeat", "repeats "+orig.ID)

		separate := file + "/separate"
		r = admin.Submit(file, separate, url.Values{"credit_limit": {"1000"}})
		webtest.Want(t, r, http.StatusBadRequest, "separate without a reason", "Give the reason for a separate account.")
		r = admin.Submit(file, separate, url.Values{"credit_limit": {"1000"}, "reason": {"customer called: wants a second line for the sofa store"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("separate = %d:\n%s", r.StatusCode, r.Body)
		}
		app, acct, err := th.Credit[openflex.Training].Application(ctx, second.ID, rep.ID)
		if err != nil || app.Status != openflex.ApplicationApproved || acct == nil || acct.CreditLimit != 100_000 {
			t.Fatalf("after a separate account: %+v %+v %v", app, acct, err)
		}
		if c, err := th.Stores.Data(openflex.Training).ActiveConsent(ctx, second.ID, acct.Number); err != nil || c != nil {
			t.Fatalf("the repeat's merchant holds consent %v (%v)", c, err)
		}
		log, err := th.Stores.Control.AuditLog(ctx, second.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			found = found || (e.Action == "application.separate_account" && e.ObjectID == rep.ID && strings.Contains(e.Detail, "second line for the sofa store"))
		}
		if !found {
			t.Errorf("no separate-account audit entry among %+v", log)
		}
		// The original is still pending and decided on its own.
		if app, _, err := th.Credit[openflex.Training].Application(ctx, first.ID, orig.ID); err != nil || app.Status != openflex.ApplicationPending {
			t.Fatalf("original after the separate account: %+v %v", app, err)
		}
	})
}
