package sdktest_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/sdk"
)

// TestServices calls every service method against the real server and
// checks the typed replies.
func TestServices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		c, _ := newClient(t, p.URL, p.Training)
		ctx := context.Background()
		on, bc := p.Stores[0].ID, p.Stores[1].ID

		if got := c.Environment(); got != sdk.Training {
			t.Fatalf("Environment() = %q, want training", got)
		}

		// Stores.
		stores, err := c.Stores.List(ctx, nil)
		if err != nil || len(stores.Data) != 2 || stores.HasMore {
			t.Fatalf("Stores.List = %+v, %v; want 2 stores", stores, err)
		}
		page, err := c.Stores.List(ctx, &sdk.StoreListParams{ListParams: sdk.ListParams{Limit: 1}})
		if err != nil || len(page.Data) != 1 || !page.HasMore {
			t.Fatalf("Stores.List(limit 1) = %+v, %v; want 1 store and has_more", page, err)
		}
		var all []string
		for st, err := range c.Stores.All(ctx, &sdk.StoreListParams{ListParams: sdk.ListParams{Limit: 1}}) {
			if err != nil {
				t.Fatalf("Stores.All: %v", err)
			}
			all = append(all, st.ID)
		}
		if len(all) != 2 || all[0] == all[1] {
			t.Fatalf("Stores.All in pages of 1 = %v, want the 2 stores", all)
		}
		var back []string
		for st, err := range c.Stores.All(ctx, &sdk.StoreListParams{ListParams: sdk.ListParams{EndingBefore: all[1], Limit: 1}}) {
			if err != nil {
				t.Fatalf("Stores.All(ending_before): %v", err)
			}
			back = append(back, st.ID)
		}
		if len(back) != 1 || back[0] != all[0] {
			t.Fatalf("Stores.All(ending_before the oldest) = %v, want [%s]", back, all[0])
		}
		st, err := c.Stores.Get(ctx, on)
		if err != nil || st.ID != on || st.Province != "ON" || st.TimeZone != "America/Toronto" || st.Object != "store" ||
			st.Environment != sdk.Shared || st.Created.IsZero() || st.Name != "Toronto" {
			t.Fatalf("Stores.Get = %+v, %v", st, err)
		}
		if _, err := c.Stores.Get(ctx, "str_missing"); apiError(t, err).Code != sdk.CodeResourceMissing {
			t.Fatalf("Stores.Get(missing) = %v, want resource_missing", err)
		}

		// Plans.
		plans, err := c.Plans.List(ctx)
		if err != nil || len(plans.Data) != 3 {
			t.Fatalf("Plans.List = %+v, %v; want the 3 demo plans", plans, err)
		}
		var equal, regular *sdk.Plan
		for _, pl := range plans.Data {
			switch pl.Category {
			case sdk.PlanEqualPayments:
				equal = pl
			case sdk.PlanRegular:
				regular = pl
			}
		}
		if equal == nil || equal.MinAmount != 300_00 || equal.MaxAmount != nil || len(equal.Terms) != 1 ||
			equal.Terms[0].Months != 12 || equal.Terms[0].AdminFee != 49_99 {
			t.Fatalf("equal-payments plan = %+v", equal)
		}
		if regular == nil || len(regular.Terms) != 1 || regular.Terms[0].AnnualInterestRate != "29.99" {
			t.Fatalf("regular plan = %+v, want a 29.99 rate", regular)
		}

		// Applications and accounts.
		a := applicant("A-RR_L")
		app, err := c.Applications.Create(ctx, &sdk.ApplicationParams{StoreID: on, Applicant: a, RequestedAmount: 2_000_00,
			Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true}})
		if err != nil {
			t.Fatalf("Applications.Create: %v", err)
		}
		if app.Status != sdk.ApplicationApproved || app.CreditLimit == nil || *app.CreditLimit != 12_000_00 ||
			app.RiskCategory == nil || *app.RiskCategory != sdk.RiskPreferred || app.Account == nil ||
			app.RequestedAmount == nil || *app.RequestedAmount != 2_000_00 || !strings.HasPrefix(app.ID, "app_") || len(app.Reasons) != 0 {
			t.Fatalf("Applications.Create = %+v", app)
		}
		number := app.Account.AccountNumber
		if !sdk.ValidAccountNumber(number) {
			t.Fatalf("account number %q fails ValidAccountNumber", number)
		}
		got, err := c.Applications.Get(ctx, app.ID)
		if err != nil || got.ID != app.ID || got.Status != sdk.ApplicationApproved || got.Account == nil || got.Account.AccountNumber != number {
			t.Fatalf("Applications.Get = %+v, %v", got, err)
		}
		acct, err := c.Accounts.Get(ctx, number)
		if err != nil || acct.FirstName != "Émilie" || acct.LastInitial != "T" || acct.CreditLimit != 12_000_00 ||
			acct.AvailableCredit != 12_000_00 || acct.Status != sdk.AccountNormal || acct.Currency != "CAD" || acct.Province != "ON" {
			t.Fatalf("Accounts.Get = %+v, %v", acct, err)
		}
		found, err := c.Accounts.Search(ctx, &sdk.AccountSearchParams{FirstName: a.FirstName, LastName: a.LastName,
			DateOfBirth: a.DateOfBirth, PostalCode: a.Address.PostalCode})
		if err != nil || len(found.Data) != 1 || found.Data[0].AccountNumber != number {
			t.Fatalf("Accounts.Search = %+v, %v; want the one account", found, err)
		}

		// Quotes and verifications.
		q, err := c.Accounts.Quote(ctx, number, &sdk.QuoteParams{Amount: 1_299_99, StoreID: on})
		if err != nil || q.Amount != 1_299_99 || q.AvailableCredit != 12_000_00 || len(q.Options) != 3 {
			t.Fatalf("Accounts.Quote = %+v, %v; want 3 options", q, err)
		}
		var opt sdk.QuoteOption
		for _, o := range q.Options {
			if o.MonthlyPayment <= 0 || o.Disclosure == "" || o.APR == "" || o.TotalToPay < q.Amount {
				t.Errorf("quote option %+v: want a payment, a disclosure, an APR and a total of at least the amount", o)
			}
			if o.Category == sdk.PlanEqualPayments {
				opt = o
			}
		}
		if opt.TermMonths != 12 || opt.NumberOfPayments != 12 || opt.AdminFee != 49_99 || opt.TotalToPay != 1_299_99+49_99 {
			t.Fatalf("equal-payments option = %+v", opt)
		}
		ver, err := c.Accounts.CreateVerification(ctx, number, &sdk.VerificationParams{Channel: "sms"})
		if err != nil || !strings.HasPrefix(ver.ID, "ver_") || ver.SentTo == "" || ver.Channel != "sms" ||
			ver.AccountNumber != number || !ver.ExpiresAt.After(time.Now()) {
			t.Fatalf("Accounts.CreateVerification = %+v, %v", ver, err)
		}

		// An in-store authorization, financed, with every optional field.
		ref := uniqueName("order")
		auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{
			AccountNumber: number, Amount: 1_299_99, Currency: "CAD", StoreID: on, Channel: sdk.ChannelInStore,
			Financing:    &sdk.FinancingParams{PlanID: opt.PlanID, TermMonths: opt.TermMonths},
			Verification: &sdk.VerificationCode{ID: ver.ID, Code: "222222"},
			Reference:    ref, EmployeeID: "emp-7", RegisterID: "reg-2",
			Items:    []sdk.LineItem{{SKU: "SOFA-1", Description: "Sofa", Quantity: 1, UnitPrice: 1_150_43}},
			Taxes:    &sdk.Taxes{GSTHST: 149_56},
			Metadata: map[string]string{"order": ref},
		})
		if err != nil {
			t.Fatalf("Authorizations.Create: %v", err)
		}
		if auth.Status != sdk.AuthorizationPending || auth.Amount != 1_299_99 || auth.RemainingAmount != 1_299_99 ||
			auth.Financing == nil || auth.Financing.PlanID != opt.PlanID || auth.Financing.Disclosure == "" ||
			len(auth.Items) != 1 || auth.Items[0].UnitPrice != 1_150_43 || auth.Taxes.GSTHST != 149_56 || auth.Metadata["order"] != ref ||
			auth.Channel != sdk.ChannelInStore || auth.EmployeeID != "emp-7" || auth.RegisterID != "reg-2" ||
			!auth.ExpiresAt.After(auth.Created) || len(auth.Captures) != 0 {
			t.Fatalf("Authorizations.Create = %+v", auth)
		}
		if g, err := c.Authorizations.Get(ctx, auth.ID); err != nil || g.ID != auth.ID || g.Reference != ref {
			t.Fatalf("Authorizations.Get = %+v, %v", g, err)
		}
		byRef, err := c.Authorizations.List(ctx, &sdk.AuthorizationListParams{Reference: ref})
		if err != nil || len(byRef.Data) != 1 || byRef.Data[0].ID != auth.ID {
			t.Fatalf("Authorizations.List(reference) = %+v, %v", byRef, err)
		}
		if n := count(t, c.Authorizations.All(ctx, &sdk.AuthorizationListParams{AccountNumber: number, Status: sdk.AuthorizationPending})); n != 1 {
			t.Fatalf("Authorizations.All(account, pending) yielded %d, want 1", n)
		}

		// Captures: a partial one, then a final one that releases the rest.
		auth, err = c.Authorizations.Capture(ctx, auth.ID, &sdk.CaptureParams{Amount: 999_99, Reference: "cap-1"})
		if err != nil || auth.Status != sdk.AuthorizationPartiallyCaptured || auth.CapturedAmount != 999_99 ||
			auth.RemainingAmount != 300_00 || len(auth.Captures) != 1 {
			t.Fatalf("Authorizations.Capture(partial) = %+v, %v", auth, err)
		}
		cap1 := auth.Captures[0]
		auth, err = c.Authorizations.Capture(ctx, auth.ID, &sdk.CaptureParams{Amount: 100_00, Final: true})
		if err != nil || auth.Status != sdk.AuthorizationCaptured || auth.CapturedAmount != 1_099_99 ||
			auth.ReleasedAmount != 200_00 || auth.RemainingAmount != 0 || len(auth.Captures) != 2 {
			t.Fatalf("Authorizations.Capture(final) = %+v, %v", auth, err)
		}
		if g, err := c.Captures.Get(ctx, cap1.ID); err != nil || g.Amount != 999_99 || g.AuthorizationID != auth.ID ||
			g.Reference != "cap-1" || g.RemainingAmount != 999_99 {
			t.Fatalf("Captures.Get = %+v, %v", g, err)
		}
		caps, err := c.Captures.List(ctx, &sdk.CaptureListParams{AuthorizationID: auth.ID})
		if err != nil || len(caps.Data) != 2 {
			t.Fatalf("Captures.List(authorization) = %+v, %v", caps, err)
		}
		if n := count(t, c.Captures.All(ctx, &sdk.CaptureListParams{AuthorizationID: auth.ID, ListParams: sdk.ListParams{Limit: 1}})); n != 2 {
			t.Fatalf("Captures.All yielded %d, want 2", n)
		}

		// Returns.
		ret, err := c.Captures.Return(ctx, cap1.ID, &sdk.ReturnParams{Amount: 199_99, Reason: "damaged", Reference: "ret-1"})
		if err != nil || ret.Amount != 199_99 || ret.CaptureID != cap1.ID || ret.AuthorizationID != auth.ID ||
			ret.RemainingCaptureAmount == nil || *ret.RemainingCaptureAmount != 800_00 ||
			ret.RemainingAuthorizationAmount == nil || *ret.RemainingAuthorizationAmount != 900_00 {
			t.Fatalf("Captures.Return = %+v, %v", ret, err)
		}
		if g, err := c.Returns.Get(ctx, ret.ID); err != nil || g.ID != ret.ID || g.Reason != "damaged" || g.RemainingCaptureAmount != nil {
			t.Fatalf("Returns.Get = %+v, %v", g, err)
		}
		rets, err := c.Returns.List(ctx, &sdk.ReturnListParams{CaptureID: cap1.ID})
		if err != nil || len(rets.Data) != 1 {
			t.Fatalf("Returns.List(capture) = %+v, %v", rets, err)
		}
		if n := count(t, c.Returns.All(ctx, nil)); n != 1 {
			t.Fatalf("Returns.All yielded %d, want 1", n)
		}
		if _, err := c.Captures.Return(ctx, cap1.ID, &sdk.ReturnParams{Full: true}); err != nil {
			t.Fatalf("Captures.Return(full): %v", err)
		}
		if _, err := c.Captures.Return(ctx, cap1.ID, &sdk.ReturnParams{Amount: 1}); apiError(t, err).Code != sdk.CodeReturnExceedsCaptured {
			t.Fatalf("return beyond the capture = %v, want return_exceeds_captured", err)
		}

		// Release, expiry and a payment.
		small, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: number, Amount: 50_00, Currency: "CAD",
			StoreID: bc, Channel: sdk.ChannelOnline})
		if err != nil {
			t.Fatal(err)
		}
		rel, err := c.Authorizations.Release(ctx, small.ID, nil)
		if err != nil || rel.Status != sdk.AuthorizationReleased || rel.ReleasedAmount != 50_00 {
			t.Fatalf("Authorizations.Release = %+v, %v", rel, err)
		}
		if _, err := c.Authorizations.Release(ctx, small.ID, nil); apiError(t, err).Code != sdk.CodeAuthorizationNotOpen {
			t.Fatalf("second Release = %v, want authorization_not_open", err)
		}
		exp, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: number, Amount: 25_00, Currency: "CAD",
			StoreID: bc, Channel: sdk.ChannelOnline})
		if err != nil {
			t.Fatal(err)
		}
		if exp, err = c.TestHelpers.ExpireAuthorization(ctx, exp.ID, nil); err != nil || exp.Status != sdk.AuthorizationExpired {
			t.Fatalf("TestHelpers.ExpireAuthorization = %+v, %v", exp, err)
		}
		before, err := c.Accounts.Get(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		paid, err := c.TestHelpers.Pay(ctx, number, &sdk.PaymentParams{Amount: 100_00})
		if err != nil || paid.AvailableCredit != before.AvailableCredit+100_00 {
			t.Fatalf("TestHelpers.Pay = %+v, %v; want available credit %d", paid, err, before.AvailableCredit+100_00)
		}

		// History: newest first, the account's every movement.
		var types []sdk.TransactionType
		for txn, err := range c.Transactions.All(ctx, &sdk.TransactionListParams{AccountNumber: number, ListParams: sdk.ListParams{Limit: 2}}) {
			if err != nil {
				t.Fatalf("Transactions.All: %v", err)
			}
			if txn.AccountNumber != number || txn.Amount <= 0 || txn.Created.IsZero() {
				t.Errorf("transaction %+v", txn)
			}
			if txn.Type == sdk.TransactionReturn && (txn.ReturnID == nil || txn.CaptureID == nil) {
				t.Errorf("return transaction without return_id or capture_id: %+v", txn)
			}
			types = append(types, txn.Type)
		}
		for _, want := range []sdk.TransactionType{sdk.TransactionAuthorization, sdk.TransactionCapture, sdk.TransactionReturn,
			sdk.TransactionRelease, sdk.TransactionExpiry} {
			if !slices.Contains(types, want) {
				t.Errorf("Transactions.All types = %v, missing %s", types, want)
			}
		}
		if types[len(types)-1] != sdk.TransactionAuthorization {
			t.Errorf("oldest transaction is %s, want the first authorization", types[len(types)-1])
		}
		caps1, err := c.Transactions.List(ctx, &sdk.TransactionListParams{StoreID: on, Type: sdk.TransactionCapture})
		if err != nil || len(caps1.Data) != 2 {
			t.Fatalf("Transactions.List(store, capture) = %+v, %v; want 2", caps1, err)
		}
		none, err := c.Transactions.List(ctx, &sdk.TransactionListParams{ListParams: sdk.ListParams{CreatedTo: time.Now().Add(-time.Hour)}})
		if err != nil || len(none.Data) != 0 {
			t.Fatalf("Transactions.List(created an hour ago) = %+v, %v; want none", none, err)
		}

		// Settlements: today's is open and holds the captures and returns.
		sts, err := c.Settlements.List(ctx, &sdk.SettlementListParams{Status: sdk.SettlementOpen})
		if err != nil || len(sts.Data) == 0 {
			t.Fatalf("Settlements.List(open) = %+v, %v", sts, err)
		}
		var open *sdk.Settlement
		for i := range sts.Data {
			if sts.Data[i].GrossAmount > 0 {
				open = sts.Data[i]
			}
		}
		if open == nil || open.Status != sdk.SettlementOpen || open.ClosedAt != nil || open.NetAmount != open.GrossAmount-open.ReturnsAmount-open.FeesAmount+open.FeeRefundsAmount {
			t.Fatalf("open settlement = %+v", sts.Data)
		}
		if got, err := c.Settlements.Get(ctx, open.ID); err != nil || got.NetAmount != open.NetAmount {
			t.Fatalf("Settlements.Get = %+v, %v", got, err)
		}
		var lines int64
		for l, err := range c.Settlements.AllLines(ctx, open.ID) {
			if err != nil || l.SettlementID != open.ID {
				t.Fatalf("Settlements.AllLines: %+v, %v", l, err)
			}
			lines++
		}
		if lines != open.LineCount {
			t.Fatalf("Settlements.AllLines yielded %d, want %d", lines, open.LineCount)
		}
		if csv, err := c.Settlements.DownloadLines(ctx, open.ID); err != nil || !strings.HasPrefix(string(csv), "settlement_id,") ||
			int64(strings.Count(string(csv), "\n")) != open.LineCount+1 {
			t.Fatalf("Settlements.DownloadLines = %q, %v", csv, err)
		}
		// TRAINING closes the day on demand and pays it.
		closed, err := c.TestHelpers.CloseSettlements(ctx, nil)
		if err != nil || len(closed.Data) == 0 || closed.Data[0].ID != open.ID || closed.Data[0].Status != sdk.SettlementPaid ||
			closed.Data[0].PaidAt == nil || closed.Data[0].NetAmount != open.NetAmount {
			t.Fatalf("TestHelpers.CloseSettlements = %+v, %v; want %s paid", closed, err, open.ID)
		}

		// The store's day: captures less returns.
		sum, err := c.Stores.Summary(ctx, on, nil)
		if err != nil || sum.StoreID != on || sum.TimeZone != "America/Toronto" || sum.Date == "" || !sum.To.After(sum.From) {
			t.Fatalf("Stores.Summary = %+v, %v", sum, err)
		}
		if sum.NetAmount != 1_099_99-999_99 {
			t.Errorf("Stores.Summary net = %d, want %d (captured 1,099.99, returned 999.99)", sum.NetAmount, 1_099_99-999_99)
		}
		dated, err := c.Stores.Summary(ctx, on, &sdk.StoreSummaryParams{Date: "2020-01-02"})
		if err != nil || dated.Date != "2020-01-02" || len(dated.Totals) != 0 || dated.NetAmount != 0 {
			t.Fatalf("Stores.Summary(2020-01-02) = %+v, %v", dated, err)
		}

		// Events, with their objects.
		evs, err := c.Events.List(ctx, &sdk.EventListParams{Type: sdk.EventAuthorizationCreated})
		if err != nil || len(evs.Data) != 3 {
			t.Fatalf("Events.List(authorization.created) = %+v, %v; want 3", evs, err)
		}
		var ea sdk.Authorization
		if err := evs.Data[2].DecodeObject(&ea); err != nil || ea.ID != auth.ID || ea.Amount != 1_299_99 {
			t.Fatalf("oldest authorization.created object = %+v, %v; want %s", ea, err, auth.ID)
		}
		approvals, err := c.Events.List(ctx, &sdk.EventListParams{Type: sdk.EventApplicationApproved})
		if err != nil || len(approvals.Data) != 1 {
			t.Fatalf("Events.List(application.approved) = %+v, %v; want 1", approvals, err)
		}
		var ev sdk.Application
		if err := approvals.Data[0].DecodeObject(&ev); err != nil || ev.ID != app.ID || ev.Account == nil || ev.Account.AccountNumber != number {
			t.Fatalf("application.approved object = %+v, %v; want application %s with its account", ev, err, app.ID)
		}
		var evTypes []string
		for ev, err := range c.Events.All(ctx, &sdk.EventListParams{ListParams: sdk.ListParams{Limit: 3}}) {
			if err != nil {
				t.Fatalf("Events.All: %v", err)
			}
			evTypes = append(evTypes, ev.Type)
		}
		for _, want := range []string{sdk.EventApplicationApproved, sdk.EventAuthorizationCreated, sdk.EventAuthorizationCaptured,
			sdk.EventReturnCreated, sdk.EventAuthorizationReleased, sdk.EventAuthorizationExpired} {
			if !slices.Contains(evTypes, want) {
				t.Errorf("Events.All types = %v, missing %s", evTypes, want)
			}
		}

		// A hosted checkout and promo pricing.
		chk, err := c.Checkouts.Create(ctx, &sdk.CheckoutParams{Amount: 899_00, Currency: "CAD", StoreID: on, Reference: "web-77",
			Flow: sdk.FlowApplyOrBuy, SuccessURL: "https://shop.example.com/ok", CancelURL: "https://shop.example.com/cart",
			Customer: &sdk.CheckoutCustomer{FirstName: "Émilie", Email: "emilie@example.com"},
			Items:    []sdk.LineItem{{SKU: "LAMP", Description: "Lamp", Quantity: 2, UnitPrice: 449_50}}})
		if err != nil || !strings.HasPrefix(chk.ID, "chk_") || chk.Status != sdk.CheckoutOpen || chk.URL == nil || *chk.URL == "" ||
			chk.Amount != 899_00 || chk.AuthorizationID != nil || !chk.ExpiresAt.After(chk.Created) {
			t.Fatalf("Checkouts.Create = %+v, %v", chk, err)
		}
		if g, err := c.Checkouts.Get(ctx, chk.ID); err != nil || g.ID != chk.ID || g.Status != sdk.CheckoutOpen || g.URL != nil || g.Reference != "web-77" {
			t.Fatalf("Checkouts.Get = %+v, %v; want the open checkout without its URL", g, err)
		}
		_, err = c.Checkouts.Create(ctx, &sdk.CheckoutParams{Amount: 899_00, Currency: "CAD", StoreID: on, Flow: sdk.FlowBuy,
			SuccessURL: "https://phish.example/ok", CancelURL: "https://shop.example.com/cart"})
		if e := apiError(t, err); e.Code != sdk.CodeURLNotTrusted {
			t.Fatalf("checkout to an untrusted URL = %v, want url_not_trusted", err)
		}
		promo, err := c.Promotions.Get(ctx, 1_299_99)
		if err != nil || !promo.Available || promo.MonthlyPayment <= 0 || promo.MonthlyPayment >= 1_299_99 || promo.PlanID == "" || promo.Disclosure == "" {
			t.Fatalf("Promotions.Get = %+v, %v", promo, err)
		}

		// A pending application, settled by lender staff.
		pend, err := c.Applications.Create(ctx, &sdk.ApplicationParams{StoreID: on, Applicant: applicant("P-CREDIT"),
			Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true}})
		if err != nil || pend.Status != sdk.ApplicationPending || pend.Account != nil || len(pend.Reasons) == 0 {
			t.Fatalf("Applications.Create(P-CREDIT) = %+v, %v; want pending with a reason", pend, err)
		}
		decided, err := c.TestHelpers.DecideApplication(ctx, pend.ID, &sdk.DecideApplicationParams{Status: sdk.ApplicationApproved, CreditLimit: 3_000_00})
		if err != nil || decided.Status != sdk.ApplicationApproved || decided.Account == nil || decided.Account.CreditLimit != 3_000_00 {
			t.Fatalf("TestHelpers.DecideApplication = %+v, %v", decided, err)
		}
		declined, err := c.Applications.Create(ctx, &sdk.ApplicationParams{StoreID: on, Applicant: applicant("D-NO_HIT"),
			Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true}})
		if err != nil || declined.Status != sdk.ApplicationDeclined || len(declined.Reasons) != 1 || declined.Reasons[0].Code != "no_credit_file" {
			t.Fatalf("Applications.Create(D-NO_HIT) = %+v, %v; want declined, no_credit_file", declined, err)
		}
	})
}

// TestProductionKeys checks that PRODUCTION keys see their own environment
// only and get no test helpers.
func TestProductionKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		ctx := context.Background()
		train, _ := newClient(t, p.URL, p.Training)
		prod, _ := newClient(t, p.URL, p.Production)
		if prod.Environment() != sdk.Production {
			t.Fatalf("Environment() = %q, want production", prod.Environment())
		}
		stores, err := prod.Stores.List(ctx, nil)
		if err != nil || len(stores.Data) != 2 || stores.Data[0].Environment != sdk.Shared {
			t.Fatalf("production Stores.List = %+v, %v", stores, err)
		}
		acct := approvedAccount(t, train, p.Stores[0].ID)
		if _, err := prod.Accounts.Get(ctx, acct.AccountNumber); apiError(t, err).Status != http.StatusNotFound {
			t.Fatalf("production Accounts.Get(training account) = %v, want 404", err)
		}
		_, err = prod.TestHelpers.Pay(ctx, acct.AccountNumber, &sdk.PaymentParams{Amount: 1})
		if e := apiError(t, err); e.Status != http.StatusNotFound || e.Code != sdk.CodeResourceMissing {
			t.Fatalf("production TestHelpers.Pay = %v, want 404 resource_missing", err)
		}
	})
}

// count drains a sequence, failing on its error.
func count[T any](t testing.TB, seq func(yield func(*T, error) bool)) int {
	t.Helper()
	n := 0
	for _, err := range seq {
		if err != nil {
			t.Fatalf("iterate: %v", err)
		}
		n++
	}
	return n
}

// TestKeySetTrust: a deployment script reads its key set and replaces its
// Trust lists with the SDK; a list that would shut it out is refused.
func TestKeySetTrust(t *testing.T) {
	p := apptest.Start(t, storetest.Engines(t)[0])
	ctx := context.Background()
	c, _ := newClient(t, p.URL, p.Training)
	ks, err := c.KeySet.Get(ctx)
	if err != nil || ks.ClientID == "" || ks.Object != "key_set" {
		t.Fatalf("KeySet.Get = %+v, %v", ks, err)
	}
	_, err = c.KeySet.ReplaceTrust(ctx, &sdk.TrustParams{TrustIPs: []string{"198.51.100.0/24"}})
	if ae := apiError(t, err); ae.Status != 400 || ae.Param != "trust_ips" {
		t.Fatalf("a Trust IP list without the caller = %+v, want 400 on trust_ips", ae)
	}
	got, err := c.KeySet.ReplaceTrust(ctx, &sdk.TrustParams{TrustURLs: []string{"https://shop.example.com"}, TrustIPs: []string{"127.0.0.0/8", "::1"}})
	if err != nil || len(got.TrustURLs) != 1 || len(got.TrustIPs) != 2 {
		t.Fatalf("KeySet.ReplaceTrust = %+v, %v", got, err)
	}
}
