package account_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
)

// customerWithStatement is apptest's customer past its first statement
// (born 1985-06-15, $500 bought on 2027-01-05, clock at 2027-02-01).
func customerWithStatement(t *testing.T, p *apptest.Platform, lang string) *openflex.Account {
	t.Helper()
	return p.CustomerWithStatement(t, lang).Account
}

type visitor struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newVisitor(t *testing.T, base string) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (v *visitor) do(method, path string, form url.Values) resp {
	v.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, v.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := v.c.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

func expect(t *testing.T, r resp, status int, step string, texts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s = %d, want %d:\n%s", step, r.status, status, r.body)
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Fatalf("%s does not show %q:\n%s", step, s, r.body)
		}
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var statementRE = regexp.MustCompile(`/statements/([a-z]+_[0-9a-z]+)"`)

// TestCustomerPages walks a customer through sign-in (a wrong date of
// birth and a forged form refused), the overview, the statement as a page
// and as a PDF, French, another account's statement refused, and sign-out.
func TestCustomerPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		acct := customerWithStatement(t, p, "en")
		other := customerWithStatement(t, p, "fr")
		v := newVisitor(t, p.URL+"/account/training/")

		// The welcome message told the new customer their full number (in
		// TRAINING it is kept, not sent).
		spaced := acct.Number[0:4] + " " + acct.Number[4:8] + " " + acct.Number[8:12] + " " + acct.Number[12:]
		welcome, err := p.Main.Stores.Data(openflex.Training).AccountMessages(context.Background(), acct.Number, 10)
		if err != nil || len(welcome) == 0 || welcome[len(welcome)-1].Kind != "welcome" || !strings.Contains(welcome[len(welcome)-1].Body, spaced) {
			t.Errorf("welcome message = %+v, %v; want the full account number", welcome, err)
		}

		expect(t, v.do("GET", "", nil), http.StatusOK, "sign-in page", "Account number", "Date of birth", "TRAINING")
		expect(t, v.do("GET", "statements", nil), http.StatusSeeOther, "statements before sign-in")
		r := v.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-16"}, "lang": {"en"}})
		expect(t, r, http.StatusUnprocessableEntity, "wrong date of birth", "do not match an account")
		r = v.do("POST", "signin", url.Values{"account_number": {"70000000000013"}, "date_of_birth": {"1985-06-15"}, "lang": {"en"}})
		expect(t, r, http.StatusUnprocessableEntity, "unknown account", "do not match an account")

		expect(t, v.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-15"}, "channel": {"sms"}, "lang": {"en"}}),
			http.StatusSeeOther, "sign-in")
		expect(t, v.do("POST", "code", url.Values{"csrf": {"forged"}, "code": {"222222"}}), http.StatusForbidden, "forged code form")
		form := v.do("GET", "code", nil)
		codeTok := csrfRE.FindStringSubmatch(form.body)[1]
		expect(t, v.do("POST", "code", url.Values{"csrf": {codeTok}, "code": {"123456"}}), http.StatusUnprocessableEntity, "wrong code", "not right")
		expect(t, v.do("POST", "code", url.Values{"csrf": {codeTok}, "code": {"222222"}}), http.StatusSeeOther, "right code")

		over := v.do("GET", "", nil)
		expect(t, over, http.StatusOK, "overview", "Your account", "•••• "+acct.Number[10:], "In good standing", "$500.00", "Minimum payment due on",
			"Purchase — Maple Furniture — Toronto", "Latest statement", "February 22, 2027", "January 31, 2027")
		// Dates are spelled out as on the statement, never ISO days.
		if strings.Contains(over.body, ">2027-02-22<") {
			t.Errorf("the overview shows the due date as an ISO day")
		}
		if strings.Contains(over.body, acct.Number) {
			t.Errorf("the overview shows the full account number")
		}
		if cc := over.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
		list := v.do("GET", "statements", nil)
		expect(t, list, http.StatusOK, "statements", "2027-01-31", "$500.00")
		id := statementRE.FindStringSubmatch(list.body)[1]
		// The purchase is named by its merchant's and store's names, as
		// the customer knows them, never by their ids.
		page := v.do("GET", "statements/"+id, nil)
		expect(t, page, http.StatusOK, "statement page", "New balance", "$500.00", "Payment due date",
			"Purchase — Maple Furniture — Toronto", "•••• "+acct.Number[10:])
		pdf := v.do("GET", "statements/"+id+"/pdf", nil)
		expect(t, pdf, http.StatusOK, "statement PDF")
		got := pdfText(t, []byte(pdf.body))
		if !strings.Contains(got, "New balance") || !strings.Contains(got, "$500.00") {
			t.Errorf("the PDF's text lacks the balance:\n%s", got)
		}
		// As everywhere after the account opens, its number shows only its
		// last four digits: a downloaded PDF outlives the session.
		if strings.Contains(page.body, acct.Number) || strings.Contains(got, acct.Number) {
			t.Errorf("the statement page or its PDF shows the full account number")
		}
		if !strings.Contains(got, "Purchase — Maple Furniture — Toronto") {
			t.Errorf("the PDF's text does not name the merchant and the store:\n%s", got)
		}
		fr := v.do("GET", "statements/"+id+"?lang=fr", nil)
		expect(t, fr, http.StatusOK, "statement in French", "Nouveau solde", "500,00", "Achat — Maple Furniture — Toronto")
		if got, frPDF := pdfText(t, []byte(v.do("GET", "statements/"+id+"/pdf?lang=fr", nil).body)), "Achat — Maple Furniture — Toronto"; !strings.Contains(got, frPDF) {
			t.Errorf("the French PDF's text lacks %q:\n%s", frPDF, got)
		}
		for _, r := range []resp{page, fr} {
			if strings.Contains(r.body, "mer_") || strings.Contains(r.body, "str_") {
				t.Errorf("the statement page shows an id:\n%s", r.body)
			}
		}
		expect(t, v.do("GET", "", nil), http.StatusOK, "overview in French", "Votre compte", "En règle", "Achat — Maple Furniture — Toronto", "22 février 2027")

		// Automatic payments: refused without the agreement accepted, then
		// set up (the written confirmation sent), then cancelled.
		ap := v.do("GET", "autopay?lang=en", nil)
		expect(t, ap, http.StatusOK, "autopay page", "Set up automatic payments", "recourse rights")
		tok := csrfRE.FindAllStringSubmatch(ap.body, -1)[1][1] // the sign-out form's comes first
		bank := url.Values{"csrf": {tok}, "choice": {"fixed"}, "fixed_amount": {"75.00"}, "holder_name": {"Élise Client"},
			"institution": {"004"}, "transit": {"12345"}, "account": {"1234567"}}
		expect(t, v.do("POST", "autopay", bank), http.StatusUnprocessableEntity, "enrol without accepting", `aria-invalid`, "accept the agreement")
		bank.Set("accepted", "yes")
		expect(t, v.do("POST", "autopay", url.Values{"csrf": {"forged"}, "accepted": {"yes"}}), http.StatusForbidden, "forged enrol")
		expect(t, v.do("POST", "autopay", bank), http.StatusSeeOther, "enrol")
		ap = v.do("GET", "autopay", nil)
		expect(t, ap, http.StatusOK, "autopay on", "Automatic payments are on", "a fixed amount of $75.00", "004-12345-•••567", "Cancel automatic payments")
		msgs, err := p.Main.Stores.Data(openflex.Training).AccountMessages(context.Background(), acct.Number, 5)
		if err != nil || len(msgs) == 0 || msgs[0].Kind != "pad_confirmation" {
			t.Errorf("no written confirmation after enrolment: %+v, %v", msgs, err)
		}
		tok = csrfRE.FindAllStringSubmatch(ap.body, -1)[1][1] // the cancel form's (the sign-out form comes first)
		expect(t, v.do("POST", "autopay/cancel", url.Values{"csrf": {tok}}), http.StatusSeeOther, "cancel autopay")
		expect(t, v.do("GET", "autopay", nil), http.StatusOK, "autopay off", "Set up automatic payments")

		// The merchant whose application opened the account may charge it,
		// until the customer revokes it.
		mp := v.do("GET", "merchants", nil)
		expect(t, mp, http.StatusOK, "merchants", "Maple Furniture", "Revoke")
		action := "merchants/" + p.Merchant.ID + "/revoke"
		expect(t, v.do("POST", action, url.Values{"csrf": {"forged"}}), http.StatusForbidden, "forged revoke")
		tok = csrfRE.FindAllStringSubmatch(mp.body, -1)[1][1]
		expect(t, v.do("POST", action, url.Values{"csrf": {tok}}), http.StatusSeeOther, "revoke")
		expect(t, v.do("GET", "merchants", nil), http.StatusOK, "merchants after revoke", "No merchant may charge")
		if k, _ := p.Main.Stores.Data(openflex.Training).ActiveConsent(context.Background(), p.Merchant.ID, acct.Number); k != nil {
			t.Errorf("the consent is still active after the customer revoked it")
		}

		otherList, _, err := p.Main.Planes[openflex.Training].Servicing.Statements(context.Background(), other.Number, openflex.ListParams{Limit: 1})
		if err != nil || len(otherList) != 1 {
			t.Fatal(otherList, err)
		}
		expect(t, v.do("GET", "statements/"+otherList[0].Stored.ID, nil), http.StatusNotFound, "another account's statement")
		expect(t, v.do("GET", "statements/"+otherList[0].Stored.ID+"/pdf", nil), http.StatusNotFound, "another account's PDF")

		over = v.do("GET", "", nil)
		expect(t, v.do("POST", "signout", url.Values{"csrf": {"forged"}}), http.StatusForbidden, "forged sign-out")
		tok = csrfRE.FindStringSubmatch(over.body)[1]
		expect(t, v.do("POST", "signout", url.Values{"csrf": {tok}}), http.StatusSeeOther, "sign-out")
		expect(t, v.do("GET", "statements", nil), http.StatusSeeOther, "statements after sign-out")

		// PRODUCTION's pages do not know TRAINING's accounts.
		prod := newVisitor(t, p.URL+"/account/")
		expect(t, prod.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-15"}, "lang": {"en"}}),
			http.StatusUnprocessableEntity, "TRAINING account on PRODUCTION's pages")
	})
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (Debian poppler-utils) is needed; scripts/test installs it")
	}
	f := filepath.Join(t.TempDir(), "s.pdf")
	os.WriteFile(f, pdf, 0o600)
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestOverviewAfterTheDueDate: once the statement's due date has passed,
// the overview no longer tells the customer to "pay this by then" to keep
// the grace period (that day is gone); it says what is past due now.
func TestOverviewAfterTheDueDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		c := p.CustomerWithStatement(t, "en") // $500.00, $25.00 due 2027-02-22
		v := newVisitor(t, p.URL+"/account/training/")
		signIn(t, v, c.Account, "en")
		expect(t, v.do("GET", "", nil), http.StatusOK, "before the due date", "Pay this by then to pay no interest")

		c.Advance(t, apptest.Toronto(2027, 2, 24, 12))
		for _, tc := range []struct{ lang, want, notWant string }{
			{"en", "The due date has passed. Past due now: $25.00", "Pay this by then"},
			{"fr", "La date d’échéance est passée. En souffrance maintenant\u00a0: 25,00\u00a0$", "Payez ce montant d’ici là"},
		} {
			r := v.do("GET", "?lang="+tc.lang, nil)
			expect(t, r, http.StatusOK, "after the due date, "+tc.lang, tc.want)
			if strings.Contains(r.body, tc.notWant) {
				t.Errorf("%s: the overview still says %q after the due date", tc.lang, tc.notWant)
			}
		}
	})
}

// TestMessagesLinkToThePages: a message about the account links to the
// customer's pages by their full address (an email or a text message has
// no page to be relative to), also when the server was given no
// --public-url and learnt its address when it started listening.
func TestMessagesLinkToThePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		c := p.CustomerWithStatement(t, "en")
		msgs, err := p.Main.Stores.Data(openflex.Training).AccountMessages(context.Background(), c.Account.Number, 10)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, m := range msgs {
			if m.Kind == "statement_ready" {
				found = true
				if !strings.Contains(m.Body, p.URL+"/account/training/") {
					t.Errorf("the statement message does not link to %s/account/training/:\n%s", p.URL, m.Body)
				}
			}
		}
		if !found {
			t.Fatalf("no statement_ready message in %+v", msgs)
		}
	})
}

// TestOverviewAfterAPayment: once the customer has paid the minimum, or
// the whole statement balance, the overview says so instead of still
// asking for the statement's figures (the pay page shows what was paid
// since; the overview must agree with it).
func TestOverviewAfterAPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		p := apptest.Start(t, e)
		c := p.CustomerWithStatement(t, "en") // $500.00, $25.00 due 2027-02-22
		v := newVisitor(t, p.URL+"/account/training/")
		signIn(t, v, c.Account, "en")
		svc := p.Main.Planes[openflex.Training].Servicing
		pay := func(amount int64, ref string) {
			t.Helper()
			if _, err := svc.Pay(ctx, engine.PaymentRequest{AccountNumber: c.Account.Number, Amount: amount, Channel: engine.ChannelCheque, Reference: ref}); err != nil {
				t.Fatal(err)
			}
		}
		pay(10_00, "CHQ-1")
		expect(t, v.do("GET", "", nil), http.StatusOK, "part of the minimum paid",
			"$15.00</span> — Minimum payment due on", "Pay this by then to pay no interest on regular purchases: $490.00")
		pay(15_00, "CHQ-2")
		r := v.do("GET", "", nil)
		expect(t, r, http.StatusOK, "the minimum paid", "Your minimum payment is paid. Thank you.",
			"Pay this by then to pay no interest on regular purchases: $475.00")
		pay(475_00, "CHQ-3")
		expect(t, v.do("GET", "?lang=fr", nil), http.StatusOK, "the statement paid, in French",
			"Votre paiement minimum est payé. Merci.", "Le solde de votre relevé est payé\u00a0: aucun intérêt sur vos achats courants.")
	})
}

// TestUnknownPagesAreTheRoomsOwn: a mistyped address under either
// environment's pages answers the room's not-found page in the visitor's
// language, never the mux's bare "404 page not found".
func TestUnknownPagesAreTheRoomsOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		for _, c := range []struct{ path, lang, want string }{
			{"/account/nope", "en", "This page does not exist."},
			{"/account/statements/x/y/z", "fr", "Cette page n’existe pas."},
			{"/account/training/nope", "fr", "Cette page n’existe pas."},
			{"/account/training/pay/extra/bits", "en", "This page does not exist."},
		} {
			req, _ := http.NewRequest("GET", p.URL+c.path, nil)
			req.Header.Set("Accept-Language", c.lang)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			expect(t, resp{status: res.StatusCode, body: string(b)}, http.StatusNotFound, c.path, c.want, `lang="`+c.lang+`"`)
		}
	})
}
