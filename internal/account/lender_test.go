package account_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/statementpdf"
	"github.com/openflex/openflex/internal/storetest"
)

// TestConfiguredLender configures a lender and finds its name, phone,
// email, mailing address and website where a customer reads them: the
// statement (text and PDF, in both languages), the pre-authorized debit
// agreement and its written confirmation, and the welcome message. Nothing
// of the demo lender is left in any of them.
func TestConfiguredLender(t *testing.T) {
	lender := servicing.Lender{Name: "Prêts Érable inc.", Phone: "1-877-555-0142", Email: "aide@erable.example",
		Address: "500 rue Sainte-Catherine O, Montréal QC H3B 1A6", Website: "https://erable.example"}
	p := apptest.Start(t, storetest.Engines(t)[0], apptest.Options{Tweak: func(c *app.Config) { c.Lender = lender }})
	ctx := context.Background()
	demo := servicing.DefaultLender
	details := []string{lender.Name, lender.Phone, lender.Email, lender.Address, lender.Website}
	check := func(what, text string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, text)
			}
		}
		for _, old := range []string{demo.Name, demo.Phone, demo.Email, demo.Address} {
			if strings.Contains(text, old) {
				t.Errorf("%s still names the demo lender (%q):\n%s", what, old, text)
			}
		}
	}
	for _, lang := range []string{"en", "fr"} {
		acct := customerWithStatement(t, p, lang)
		list, _, err := p.Main.Planes[openflex.Training].Servicing.Statements(ctx, acct.Number, openflex.ListParams{Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatalf("Statements = %d, %v", len(list), err)
		}
		st := list[0].Statement
		check("the statement in "+lang, servicing.Render(st), details...)
		var pdf bytes.Buffer
		if err := statementpdf.Write(&pdf, st); err != nil {
			t.Fatal(err)
		}
		// The PDF wraps long lines: compare with single spaces.
		check("the statement's PDF in "+lang, strings.Join(strings.Fields(pdfText(t, pdf.Bytes())), " "), details...)

		a, err := p.Main.PAD[openflex.Training].Enrol(ctx, pad.EnrolRequest{AccountNumber: acct.Number, Choice: pad.ChoiceMinimum, Language: lang,
			Accepted: true, By: "customer", Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Élise Client"}})
		if err != nil {
			t.Fatal(err)
		}
		check("the PAD agreement in "+lang, a.Text, lender.Name, lender.Phone, lender.Email, lender.Address)
		msgs, err := p.Main.Stores.Data(openflex.Training).AccountMessages(ctx, acct.Number, 10)
		if err != nil || len(msgs) < 2 {
			t.Fatalf("messages = %d, %v", len(msgs), err)
		}
		for _, m := range msgs { // the confirmation, and the welcome message
			check(m.Kind+" message in "+lang, m.Body, lender.Contact())
		}
	}
}

// TestOverviewStatusNamesTheLender: a frozen account's overview tells the
// customer who froze it and the number to call (the configured lender's),
// never a bare "call us", in both languages. (A closed account's is checked
// by TestClosedAccountSignsIn; a charged-off one takes 180 days: its texts
// are checked by TestStatusTextsNameTheLender.)
func TestOverviewStatusNamesTheLender(t *testing.T) {
	lender := servicing.Lender{Name: "Prêts Érable inc.", Phone: "1-877-555-0142", Email: "aide@erable.example",
		Address: "500 rue Sainte-Catherine O, Montréal QC H3B 1A6"}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.Lender = lender }})
		for _, tc := range []struct {
			lang   string
			action servicing.StaffAction
			want   string
		}{
			{"en", servicing.ActionFreeze, "Frozen by Prêts Érable inc.: no purchases for now. Call 1-877-555-0142 to find out why."},
			{"fr", servicing.ActionFreeze, "Gelé par Prêts Érable inc.\u00a0: aucun achat pour l’instant. Appelez le 1-877-555-0142 pour savoir pourquoi."},
		} {
			t.Run(tc.lang+" "+string(tc.action), func(t *testing.T) {
				acct := customerWithStatement(t, p, tc.lang)
				if _, err := p.Main.Planes[openflex.Training].Servicing.StaffAction(context.Background(), acct.Number, tc.action, "agent@lender.example", "test"); err != nil {
					t.Fatal(err)
				}
				v := newVisitor(t, p.URL+"/account/training/")
				expect(t, v.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-15"}, "lang": {tc.lang}}), http.StatusSeeOther, "sign-in")
				codeTok := csrfRE.FindStringSubmatch(v.do("GET", "code", nil).body)[1]
				expect(t, v.do("POST", "code", url.Values{"csrf": {codeTok}, "code": {"222222"}}), http.StatusSeeOther, "code")
				over := v.do("GET", "", nil)
				expect(t, over, http.StatusOK, "overview", html.EscapeString(tc.want))
				if strings.Contains(over.body, "OpenFlex Financial") || strings.Contains(over.body, servicing.DefaultLender.Phone) {
					t.Errorf("the overview names the demo lender:\n%s", over.body)
				}
			})
		}
	})
}

// TestClosedAccountSignsIn: a closed account still owing signs in and
// reads its overview and statements, and may pay once from the pay page;
// automatic payments are refused with a clear message, in its language.
func TestClosedAccountSignsIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		for _, tc := range []struct{ lang, owed, refused string }{
			{"en", "$500.00", "This account is closed: it takes no automatic payments."},
			{"fr", "500,00", "Ce compte est fermé\u00a0: il ne prend pas de paiements automatiques."},
		} {
			t.Run(tc.lang, func(t *testing.T) {
				acct := customerWithStatement(t, p, tc.lang) // $500.00 owed
				// The enrolment form as a page opened before the account closed.
				early := newVisitor(t, p.URL+"/account/training/")
				signIn(t, early, acct, tc.lang)
				earlyTok := csrfRE.FindAllStringSubmatch(early.do("GET", "autopay", nil).body, -1)[1][1]
				if _, err := p.Main.Planes[openflex.Training].Servicing.StaffAction(context.Background(), acct.Number, servicing.ActionClose, "admin@lender.example", "test"); err != nil {
					t.Fatal(err)
				}
				v := newVisitor(t, p.URL+"/account/training/")
				signIn(t, v, acct, tc.lang)
				expect(t, v.do("GET", "", nil), http.StatusOK, "overview", tc.owed)
				list := v.do("GET", "statements", nil)
				expect(t, list, http.StatusOK, "statements", tc.owed)
				expect(t, v.do("GET", "statements/"+statementRE.FindStringSubmatch(list.body)[1], nil), http.StatusOK, "statement", tc.owed)
				expect(t, v.do("GET", "pay", nil), http.StatusOK, "pay page", `id="payoff">`)
				ap := v.do("GET", "autopay", nil)
				expect(t, ap, http.StatusOK, "autopay page", html.EscapeString(tc.refused))
				if strings.Contains(ap.body, `action="/account/training/autopay"`) {
					t.Errorf("a closed account is offered the enrolment form:\n%s", ap.body)
				}
				form := url.Values{"csrf": {earlyTok}, "accepted": {"yes"}, "choice": {"minimum"}, "holder_name": {"Élise Client"},
					"institution": {"004"}, "transit": {"12345"}, "account": {"1234567"}}
				expect(t, early.do("POST", "autopay", form), http.StatusConflict, "enrol a closed account", html.EscapeString(tc.refused))
				if a, err := p.Main.PAD[openflex.Training].Store.ActiveAgreement(context.Background(), acct.Number); err != nil || a != nil {
					t.Errorf("agreement of a closed account = %+v, %v", a, err)
				}
			})
		}
	})
}
