package till_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

var (
	authURLRE = regexp.MustCompile(`/authorizations/(auth_[0-9a-z]+)\?done=till_authorized$`)
	capIDRE   = regexp.MustCompile(`/captures/(cap_[0-9a-z]+)/return"`)
)

// sale walks a clerk from look-up to the authorize form: look up by
// account number, send a code, enter 222222, quote amount. Every post
// answers with a redirect, followed here as a browser does. It returns the
// page with the authorize form.
func sale(t testing.TB, th *webtest.Harness, b *webtest.Browser, base string, acct *openflex.Account, amount string) webtest.Resp {
	t.Helper()
	r := follow(t, b, b.Submit(base, base+"/lookup", url.Values{"account_number": {acct.Number}}), "look-up")
	webtest.Want(t, r, http.StatusOK, "look-up", "Jeanne T.", openflex.FormatCAD(acct.Available(), "en"), "in good standing")
	if strings.Contains(r.Body, acct.LastName) {
		t.Fatalf("look-up shows the last name %q:\n%s", acct.LastName, r.Body)
	}
	r = follow(t, b, b.PostIn(r.Body, base+"/verify", url.Values{"account": {acct.Number}, "channel": {"sms"}}), "send code")
	webtest.Want(t, r, http.StatusOK, "send code", "222222")
	verification := webtest.Find(t, regexp.MustCompile(`name="verification" value="(ver_[0-9a-z]+)"`), r.Body)
	r = follow(t, b, b.PostIn(r.Body, base+"/verify/check", url.Values{"account": {acct.Number}, "verification": {verification}, "code": {"222222"}}), "check code")
	webtest.Want(t, r, http.StatusOK, "check code", "Customer verified.")
	// The quote is a read: a GET form on the sale's page.
	r = b.Get(base + "/sale/" + verification + "?" + url.Values{"amount": {amount}}.Encode())
	webtest.Want(t, r, http.StatusOK, "quote", "12 easy payments", "12 months", "Monthly payment", "APR")
	return r
}

// follow checks that a post answered with a redirect (303) and loads where
// it leads, as the browser does.
func follow(t testing.TB, b *webtest.Browser, r webtest.Resp, step string) webtest.Resp {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s = %d, want 303 (redirect after post):\n%s", step, r.StatusCode, r.Body)
	}
	return b.Get(r.Header.Get("Location"))
}

// TestTillHappyPath is a sale at the till: look up, verify with the
// TRAINING code, quote, authorize $500 on a 12-month plan, capture $300,
// return $100, and the store's day shows the movements and the net.
func TestTillHappyPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		b := th.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		st := th.FirstStore(t, m.ID)
		plan := th.TwelveMonths(t, m.ID)
		acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)

		r := b.Get("/portal/store")
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("GET /portal/store = %d, want 303", r.StatusCode)
		}
		r = b.Get("/portal/store/training")
		base := "/portal/store/training/" + st.ID
		webtest.Want(t, r, http.StatusOK, "store picker", `href="`+base+`"`)

		// Look up by name and date of birth shows the same customer.
		r = b.Submit(base, base+"/lookup", url.Values{"first_name": {"Jeanne"}, "last_name": {acct.LastName}, "date_of_birth": {"1985-06-15"}})
		if loc := r.Header.Get("Location"); strings.Contains(loc, acct.Number) || strings.Contains(loc, "1985") || strings.Contains(loc, acct.LastName) {
			t.Errorf("the look-up's redirect shows what it searched or found: %s", loc)
		}
		r = follow(t, b, r, "look-up by name")
		webtest.Want(t, r, http.StatusOK, "look-up by name", "Jeanne T.", "•••• "+acct.Number[10:])

		r = sale(t, th, b, base, acct, "500")
		option := plan.ID + ":12"
		r = b.PostIn(r.Body, base+"/authorize", url.Values{"account": {acct.Number}, "verification": {webtest.Find(t, regexp.MustCompile(`name="verification" value="(ver_[0-9a-z]+)"`), r.Body)},
			"amount": {"50000"}, "option": {option}, "nonce": {webtest.FormNonce(t, r.Body, base+"/authorize")}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("authorize = %d:\n%s", r.StatusCode, r.Body)
		}
		loc := r.Header.Get("Location")
		authID := webtest.Find(t, authURLRE, loc)
		page := base + "/authorizations/" + authID
		r = b.Get(loc)
		webtest.Want(t, r, http.StatusOK, "authorization page", "Authorized.", "Pending (held)", "$500.00", "12 months")
		got, err := th.Lending[openflex.Training].Authorization(context.Background(), m.ID, authID)
		if err != nil || got.Financing == nil || got.Financing.PlanID != plan.ID || got.Financing.TermMonths != 12 || got.Channel != "in_store" || got.VerificationID == "" {
			t.Fatalf("stored authorization = %+v, %v", got, err)
		}

		// Capture $300.
		r = b.PostIn(r.Body, page+"/capture", url.Values{"capture_amount": {"300"}, "nonce": {webtest.FormNonce(t, r.Body, page+"/capture")}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("capture = %d:\n%s", r.StatusCode, r.Body)
		}
		r = b.Get(r.Header.Get("Location"))
		webtest.Want(t, r, http.StatusOK, "after capture", "Captured.", "Partly captured", `<dd id="captured">$300.00</dd>`, `<dd id="remaining">$200.00</dd>`)
		// The disclosure stays as agreed, for $500.00, and the page says only
		// the $300.00 captured is financed, worded on the same terms.
		webtest.Want(t, r, http.StatusOK, "disclosure after a partial capture", "As disclosed and agreed, for the authorized $500.00:",
			"Only what was captured, $300.00, is financed.", `id="captured-disclosure">You are financing $300.00`)

		// Capturing more than remains is refused next to the form.
		r2 := b.PostIn(r.Body, page+"/capture", url.Values{"capture_amount": {"250"}, "nonce": {webtest.FormNonce(t, r.Body, page+"/capture")}})
		webtest.Want(t, r2, http.StatusBadRequest, "over-capture", "That is more than is still held on this authorization.")

		// Return $100 of the capture; then more than is left is refused.
		capAction := page + "/captures/" + webtest.Find(t, capIDRE, r.Body) + "/return"
		r = b.PostIn(r.Body, capAction, url.Values{"amount": {"100.00"}, "nonce": {webtest.FormNonce(t, r.Body, capAction)}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("return = %d:\n%s", r.StatusCode, r.Body)
		}
		r = b.Get(r.Header.Get("Location"))
		webtest.Want(t, r, http.StatusOK, "after return", "Returned.", `<dd id="returned">$100.00</dd>`)
		r2 = b.PostIn(r.Body, capAction, url.Values{"amount": {"250"}, "nonce": {webtest.FormNonce(t, r.Body, capAction)}})
		webtest.Want(t, r2, http.StatusBadRequest, "over-return", "That is more than is left to return on this capture.")

		// The store's day: one movement of each kind and the net.
		r = b.Get(base)
		webtest.Want(t, r, http.StatusOK, "store's day", `<td class="num" id="net">$200.00</td>`)
		for _, line := range []string{"<td>Authorization</td><td>1</td><td class=\"num\">$500.00</td>",
			"<td>Capture</td><td>1</td><td class=\"num\">$300.00</td>", "<td>Return</td><td>1</td><td class=\"num\">$100.00</td>"} {
			if !strings.Contains(r.Body, line) {
				t.Errorf("store's day lacks %q:\n%s", line, r.Body)
			}
		}
		if n := strings.Count(r.Body, `<tr class="txn">`); n != 3 {
			t.Errorf("store's day lists %d transactions, want 3", n)
		}
		// French renders the same day in French figures.
		r = b.Get(base + "?lang=fr")
		webtest.Want(t, r, http.StatusOK, "store's day in French", "200,00\u00a0$", "Encaissement")

		// Release frees the $200 still held.
		r = b.Get(page + "?lang=en")
		r = b.PostIn(r.Body, page+"/release", url.Values{"nonce": {webtest.FormNonce(t, r.Body, page+"/release")}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("release = %d:\n%s", r.StatusCode, r.Body)
		}
		a, err := th.Credit[openflex.Training].Account(context.Background(), acct.Number)
		if err != nil || a.Held != 0 || a.PostedBalance != 200_00 {
			t.Fatalf("account after the sale = %+v, %v; want nothing held and $200 posted", a, err)
		}
	})
}

// TestTillDoubleSubmit sends the authorize form twice, as a double click
// or a re-sent post does: one authorization, and the second post lands
// on the same page.
func TestTillDoubleSubmit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		b := th.Browser(t)
		m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		st := th.FirstStore(t, m.ID)
		th.TwelveMonths(t, m.ID)
		acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
		base := "/portal/store/training/" + st.ID
		r := sale(t, th, b, base, acct, "500")
		fields := url.Values{"account": {acct.Number}, "verification": {webtest.Find(t, regexp.MustCompile(`name="verification" value="(ver_[0-9a-z]+)"`), r.Body)},
			"amount": {"50000"}, "option": {""}, "nonce": {webtest.FormNonce(t, r.Body, base+"/authorize")}}
		first := b.PostIn(r.Body, base+"/authorize", fields)
		second := b.PostIn(r.Body, base+"/authorize", fields)
		if first.StatusCode != http.StatusSeeOther || second.StatusCode != http.StatusSeeOther {
			t.Fatalf("authorize twice = %d, %d:\n%s\n%s", first.StatusCode, second.StatusCode, first.Body, second.Body)
		}
		if l1, l2 := first.Header.Get("Location"), second.Header.Get("Location"); l1 != l2 {
			t.Errorf("the second post went to %s, the first to %s", l2, l1)
		}
		auths, _, err := th.Lending[openflex.Training].Authorizations(context.Background(), m.ID, lending.AuthorizationFilter{}, openflex.ListParams{Limit: 10})
		if err != nil || len(auths) != 1 {
			t.Fatalf("authorizations = %d, %v; want 1", len(auths), err)
		}
		// A fresh form (new nonce) with the consumed verification is refused
		// in plain language.
		fields.Set("nonce", "another-nonce")
		r = b.PostIn(r.Body, base+"/authorize", fields)
		webtest.Want(t, r, http.StatusBadRequest, "reused verification", "already used for a purchase")
	})
}

// TestTillIsolation: another merchant's authorization, store or an
// unknown environment is not found; PRODUCTION waits for go-live; money
// forms refuse a missing CSRF token.
func TestTillIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		th := webtest.New(t, e, webtest.WithTill)
		ctx := context.Background()
		alice := th.Browser(t)
		ma := alice.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		sa := th.FirstStore(t, ma.ID)
		acct := th.OpenAccount(t, openflex.Training, ma.ID, sa.ID)
		// Alice's authorization, made through the service.
		v, err := th.Credit[openflex.Training].StartVerification(ctx, ma.ID, credit.TillBudget(ma.ID), acct.Number, "sms")
		if err != nil {
			t.Fatal(err)
		}
		if err := th.Credit[openflex.Training].CheckVerification(ctx, ma.ID, v.ID, credit.TrainingCode, acct.Number); err != nil {
			t.Fatal(err)
		}
		auth, err := th.Lending[openflex.Training].Authorize(ctx, lending.AuthorizeRequest{MerchantID: ma.ID, StoreID: sa.ID, AccountNumber: acct.Number,
			Amount: 100_00, Currency: openflex.CAD, Channel: "in_store", VerificationID: v.ID})
		if err != nil {
			t.Fatal(err)
		}
		alicePage := "/portal/store/training/" + sa.ID + "/authorizations/" + auth.ID
		webtest.Want(t, alice.Get(alicePage), http.StatusOK, "own authorization", "$100.00")

		bob := th.Browser(t)
		mb := bob.VerifiedMerchant("Birch Beds", "dev@birch.example")
		sb := th.FirstStore(t, mb.ID)
		bobPage := "/portal/store/training/" + sb.ID + "/authorizations/" + auth.ID
		for _, path := range []string{bobPage, alicePage, "/portal/store/training/" + sa.ID, "/portal/store/staging"} {
			if r := bob.Get(path); r.StatusCode != http.StatusNotFound {
				t.Errorf("bob GET %s = %d, want 404", path, r.StatusCode)
			}
		}
		// Even with a valid CSRF token, bob cannot capture alice's hold.
		for _, path := range []string{bobPage + "/capture", bobPage + "/release"} {
			r := bob.Post(path, url.Values{"csrf": {bob.SessionToken(path)}, "nonce": {"n1"}})
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("bob POST %s = %d, want 404", path, r.StatusCode)
			}
		}
		if a, _ := th.Lending[openflex.Training].Authorization(ctx, ma.ID, auth.ID); a.CapturedAmount != 0 || a.Status != openflex.AuthPending {
			t.Errorf("alice's authorization changed: %+v", a.Authorization)
		}

		// PRODUCTION is refused before go-live, open after.
		for _, path := range []string{"/portal/store/production", "/portal/store/production/" + sa.ID} {
			if r := alice.Get(path); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "after the lender approves go-live") {
				t.Errorf("GET %s before go-live = %d:\n%s", path, r.StatusCode, r.Body)
			}
		}
		prodLookup := "/portal/store/production/" + sa.ID + "/lookup"
		if r := alice.Post(prodLookup, url.Values{"csrf": {alice.SessionToken(prodLookup)}, "account_number": {acct.Number}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s before go-live = %d, want 403", prodLookup, r.StatusCode)
		}
		if err := th.Merchants.Approve(ctx, ma.ID, "test"); err != nil {
			t.Fatal(err)
		}
		webtest.Want(t, alice.Get("/portal/store/production/"+sa.ID), http.StatusOK, "PRODUCTION after go-live", "PRODUCTION")
		// TRAINING's account does not exist in PRODUCTION's data plane.
		r := follow(t, alice, alice.Submit("/portal/store/production/"+sa.ID, prodLookup, url.Values{"account_number": {acct.Number}}), "PRODUCTION look-up")
		webtest.Want(t, r, http.StatusOK, "PRODUCTION look-up", "No customer matches")

		// CSRF: a capture without a token, or with another form's token, is
		// refused and moves nothing.
		capture := alicePage + "/capture"
		for name, token := range map[string]string{"none": "", "release form's": alice.SessionToken(alicePage + "/release")} {
			r := alice.Post(capture, url.Values{"csrf": {token}, "capture_amount": {"50"}, "nonce": {"n-" + name}})
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("capture with %s token = %d, want 403", name, r.StatusCode)
			}
		}
		if a, _ := th.Lending[openflex.Training].Authorization(ctx, ma.ID, auth.ID); a.CapturedAmount != 0 {
			t.Errorf("a refused CSRF post captured %d", a.CapturedAmount)
		}
	})
}

// TestTillHiddenWithoutServices: the default portal has no store screens.
func TestTillHiddenWithoutServices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := webtest.New(t, e)
		b := h.Browser(t)
		b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
		if r := b.Get("/portal/store/training"); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET /portal/store/training without services = %d, want 404", r.StatusCode)
		}
		if r := b.Get("/portal/"); strings.Contains(r.Body, `href="/portal/store"`) {
			t.Error("the navigation links the hidden store screens")
		}
	})
}

// TestTillShowsNamesZonesAndLanguage: the clerk's screens show times in
// the store's time zone, the plan by its name, one "no plan" choice, and
// the disclosure in the screen's language.
func TestTillShowsNamesZonesAndLanguage(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill) // screens, not storage
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil || st.TimeZone == "UTC" {
		t.Fatalf("the store's zone %q: %v", st.TimeZone, err)
	}
	plan := th.TwelveMonths(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	base := "/portal/store/training/" + st.ID

	// Without a regular-terms plan, one "no plan" choice.
	r := sale(t, th, b, base, acct, "500")
	if n := strings.Count(r.Body, `name="option" value=""`); n != 1 {
		t.Errorf("%d no-plan choices, want 1", n)
	}
	r = b.PostIn(r.Body, base+"/authorize", url.Values{"account": {acct.Number}, "verification": {webtest.Find(t, regexp.MustCompile(`name="verification" value="(ver_[0-9a-z]+)"`), r.Body)},
		"amount": {"50000"}, "option": {plan.ID + ":12"}, "nonce": {webtest.FormNonce(t, r.Body, base+"/authorize")}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize = %d:\n%s", r.StatusCode, r.Body)
	}
	page := strings.TrimSuffix(r.Header.Get("Location"), "?done=till_authorized")
	authID := page[strings.LastIndex(page, "/")+1:]
	got, err := th.Lending[openflex.Training].Authorization(context.Background(), m.ID, authID)
	if err != nil {
		t.Fatal(err)
	}
	local := got.Created.In(loc).Format("2006-01-02 15:04 MST")
	utc := got.Created.UTC().Format("2006-01-02 15:04 UTC")

	r = b.Get(page)
	webtest.Want(t, r, http.StatusOK, "authorization", "<strong>12 easy payments</strong> — 12 months", local)
	if strings.Contains(r.Body, "<code>"+plan.ID+"</code>") || strings.Contains(r.Body, utc) {
		t.Errorf("the authorization shows the plan id or UTC times:\n%s", r.Body)
	}
	if strings.Contains(r.Body, "\u00a0$") {
		t.Errorf("the English screen shows a French disclosure")
	}
	r = b.Get(page + "?lang=fr")
	webtest.Want(t, r, http.StatusOK, "authorization in French", "12 easy payments", "500,00\u00a0$")
	if i := strings.Index(r.Body, `class="disclosure"`); i < 0 || !strings.Contains(r.Body[i:i+600], "\u00a0$") {
		t.Errorf("the French screen's disclosure is not French:\n%s", r.Body)
	}
	r = b.Get(base + "?lang=en")
	// The day lists its movements by the time of day, in the store's zone.
	webtest.Want(t, r, http.StatusOK, "store's day", ">"+got.Created.In(loc).Format("15:04 MST")+"</time>")
	if strings.Contains(r.Body, utc) || strings.Contains(r.Body, ">"+got.Created.UTC().Format("15:04")+" UTC<") {
		t.Errorf("the store's day shows UTC times")
	}

	// With a regular-terms plan, it is the no-plan choice, checked first.
	regular, err := plans.Build(plans.NewPlan{MerchantID: m.ID, Environment: openflex.Training, Name: "Regular purchase", Category: openflex.PlanRegular,
		Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 29990}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := th.Stores.Data(openflex.Training).CreatePlan(context.Background(), regular); err != nil {
		t.Fatal(err)
	}
	if acct, err = th.Credit[openflex.Training].Account(context.Background(), acct.Number); err != nil {
		t.Fatal(err)
	}
	r = sale(t, th, b, base, acct, "100")
	if strings.Contains(r.Body, `name="option" value=""`) || !strings.Contains(r.Body, `value="`+regular.ID+`:0" checked`) {
		t.Errorf("with a regular plan, want it as the only, checked no-plan choice:\n%s", r.Body)
	}
}

// TestTillSaysWhenToTryAgain: past the account's code limit (30 in 10
// minutes in TRAINING) the till refuses to send a code and tells the clerk
// when the customer may try again.
func TestTillSaysWhenToTryAgain(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	base := "/portal/store/training/" + st.ID
	lookup := follow(t, b, b.Submit(base, base+"/lookup", url.Values{"account_number": {acct.Number}}), "look-up")
	for i := range 30 {
		r := b.PostIn(lookup.Body, base+"/verify", url.Values{"account": {acct.Number}, "channel": {"sms"}})
		webtest.Want(t, r, http.StatusSeeOther, fmt.Sprintf("code %d of 30", i+1))
	}
	r := b.PostIn(lookup.Body, base+"/verify", url.Values{"account": {acct.Number}, "channel": {"sms"}})
	webtest.Want(t, r, http.StatusTooManyRequests, "the 31st code in 10 minutes", "Ask the customer to try again in 10 minutes.")
}

// TestTillRedirectsAfterEveryPost: each post of a sale answers with a
// redirect, so reloading the page it leads to repeats nothing: after "Send
// code" a reload sends no other code; the look-up's result reloads for this
// session alone; the sale's page follows its verification (code, amount,
// options, then "used"), and an in-store sale captures now unless the
// clerk unticks it.
func TestTillRedirectsAfterEveryPost(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill) // screens, not storage
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	th.TwelveMonths(t, m.ID)
	acct := th.OpenAccount(t, openflex.Training, m.ID, st.ID)
	base := "/portal/store/training/" + st.ID
	ctx := context.Background()
	sent := func() int {
		t.Helper()
		msgs, err := th.Stores.Data(openflex.Training).Messages(ctx, m.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}

	lookup := b.Submit(base, base+"/lookup", url.Values{"account_number": {acct.Number}})
	if lookup.StatusCode != http.StatusSeeOther || strings.Contains(lookup.Header.Get("Location"), acct.Number) {
		t.Fatalf("look-up = %d to %q, want a redirect that does not show the account number", lookup.StatusCode, lookup.Header.Get("Location"))
	}
	found := lookup.Header.Get("Location")
	for range 2 {
		webtest.Want(t, b.Get(found), http.StatusOK, "the look-up reloaded", "Jeanne T.", "•••• "+acct.Number[10:])
	}
	other := th.Browser(t)
	other.LogIn("dev@maple.example", webtest.Password)
	if r := other.Get(found); r.StatusCode != http.StatusOK || strings.Contains(r.Body, "Jeanne T.") || !strings.Contains(r.Body, "no longer shown") {
		t.Errorf("the look-up's URL in another session = %d, want the day without the result:\n%s", r.StatusCode, r.Body)
	}

	before := sent()
	r := b.PostIn(b.Get(found).Body, base+"/verify", url.Values{"account": {acct.Number}, "channel": {"sms"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), base+"/sale/ver_") {
		t.Fatalf("send code = %d to %q, want a redirect to the sale's page", r.StatusCode, r.Header.Get("Location"))
	}
	salePage := r.Header.Get("Location")
	if n := sent(); n != before+1 {
		t.Fatalf("send code sent %d codes, want 1", n-before)
	}
	for range 2 { // the clerk reloads the page
		webtest.Want(t, b.Get(salePage), http.StatusOK, "the code step reloaded", "Enter the customer’s code", "222222")
	}
	if n := sent(); n != before+1 {
		t.Fatalf("reloading the sale's page sent %d more codes, want none", n-before-1)
	}
	page := b.Get(salePage)
	verification := salePage[strings.LastIndex(salePage, "/")+1:]
	wrong := b.PostIn(page.Body, base+"/verify/check", url.Values{"account": {acct.Number}, "verification": {verification}, "code": {"000000"}})
	webtest.Want(t, wrong, http.StatusBadRequest, "a wrong code", "That code did not work")
	r = follow(t, b, b.PostIn(page.Body, base+"/verify/check", url.Values{"account": {acct.Number}, "verification": {verification}, "code": {"222222"}}), "the right code")
	webtest.Want(t, r, http.StatusOK, "the right code", "Customer verified.", `<form method="get" action="`+salePage+`"`)
	webtest.Want(t, b.Get(salePage), http.StatusOK, "the amount step reloaded", "Customer verified.")
	webtest.Want(t, b.Get(salePage+"?amount=lots"), http.StatusBadRequest, "a bad amount", `id="error-summary"`)

	options := b.Get(salePage + "?amount=250")
	webtest.Want(t, options, http.StatusOK, "options", `name="auto_capture" value="on" checked`)
	form := url.Values{"account": {acct.Number}, "verification": {verification}, "amount": {"25000"}, "option": {""},
		"auto_capture": {"on"}, "nonce": {webtest.FormNonce(t, options.Body, base+"/authorize")}}
	r = follow(t, b, b.PostIn(options.Body, base+"/authorize", form), "authorize")
	webtest.Want(t, r, http.StatusOK, "authorized", "Authorized.", `<dd id="captured">$250.00</dd>`)
	webtest.Want(t, b.Get(salePage), http.StatusOK, "the sale's page once used", "This verification was used for a sale")
	if n := sent(); n != before+1 {
		t.Errorf("the sale sent %d codes, want 1", n-before)
	}
}

// TestTillOwnNavigation: a merchant's user at the till gets the till's
// short navigation (all stores, this store, back to the portal), not the
// portal's dozen links to tab through at every step of a sale; the portal's
// pages keep theirs.
func TestTillOwnNavigation(t *testing.T) {
	th := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill)
	b := th.Browser(t)
	m := b.VerifiedMerchant("Maple Furniture", "dev@maple.example")
	st := th.FirstStore(t, m.ID)
	navRE := regexp.MustCompile(`(?s)<header class="top">.*?<nav aria-label="([^"]+)">(.*?)</nav>`)
	linkRE := regexp.MustCompile(`<a href="([^"]+)"`)
	nav := func(path string) (string, []string) {
		t.Helper()
		r := b.Get(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, r.StatusCode)
		}
		mm := navRE.FindStringSubmatch(r.Body)
		if mm == nil {
			t.Fatalf("GET %s: no navigation:\n%s", path, r.Body)
		}
		var links []string
		for _, l := range linkRE.FindAllStringSubmatch(mm[2], -1) {
			links = append(links, l[1])
		}
		return mm[1], links
	}
	base := "/portal/store/training/" + st.ID
	for path, want := range map[string][]string{
		"/portal/store/training": {"/portal/store/training", "/portal/"},
		base:                     {"/portal/store/training", base, "/portal/"},
	} {
		label, links := nav(path)
		if label != "Till" || strings.Join(links, " ") != strings.Join(want, " ") {
			t.Errorf("GET %s: navigation %q links %v, want Till: %v", path, label, links, want)
		}
	}
	if label, links := nav("/portal/keys"); label != "Main" || len(links) < 8 {
		t.Errorf("the portal's navigation: %q %v", label, links)
	}
}
