package account_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/storetest"
)

// TestAutopayChoices enrols a customer in each of the amounts a customer
// may choose, as the page's form posts it, and refuses a fixed amount
// that is not one; each accepted choice is the agreement kept, named on
// the page, with its written confirmation shown, then cancelled.
func TestAutopayChoices(t *testing.T) {
	p := apptest.Start(t, storetest.Engines(t)[0])
	for _, tc := range []struct {
		name, lang, choice, amount string
		status                     int
		wantFixed                  int64
		page                       []string
	}{
		{"minimum", "en", "minimum", "", http.StatusSeeOther, 0, []string{"the minimum payment of each statement", "Your written confirmation"}},
		{"statement balance", "en", "statement_balance", "", http.StatusSeeOther, 0, []string{"the full balance of each statement", "Sent by email to"}},
		{"fixed, French decimal comma", "fr", "fixed", "1\u00a0234,50", http.StatusSeeOther, 1234_50, []string{"un montant fixe de 1\u00a0234,50\u00a0$", "Votre confirmation écrite"}},
		{"fixed, English", "en", "fixed", "$40", http.StatusSeeOther, 40_00, []string{"a fixed amount of $40.00"}},
		{"minimum ignores a stray amount", "en", "minimum", "12.00", http.StatusSeeOther, 0, []string{"the minimum payment of each statement"}},
		{"fixed, not an amount", "en", "fixed", "forty", http.StatusUnprocessableEntity, 0, []string{`id="fixed_amount" name="fixed_amount" inputmode="decimal" value="forty" aria-invalid="true"`}},
		{"fixed, zero", "fr", "fixed", "0", http.StatusUnprocessableEntity, 0, []string{"Vérifiez les champs signalés"}},
		{"no choice", "en", "", "", http.StatusUnprocessableEntity, 0, []string{"Please check the highlighted fields"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acct := customerWithStatement(t, p, tc.lang)
			v := newVisitor(t, p.URL+"/account/training/")
			expect(t, v.do("POST", "signin", url.Values{"account_number": {acct.Number}, "date_of_birth": {"1985-06-15"}, "lang": {tc.lang}}), http.StatusSeeOther, "sign-in")
			codeTok := csrfRE.FindStringSubmatch(v.do("GET", "code", nil).body)[1]
			expect(t, v.do("POST", "code", url.Values{"csrf": {codeTok}, "code": {"222222"}}), http.StatusSeeOther, "code")
			tok := csrfRE.FindAllStringSubmatch(v.do("GET", "autopay", nil).body, -1)[1][1] // the sign-out form's comes first
			r := v.do("POST", "autopay", url.Values{"csrf": {tok}, "choice": {tc.choice}, "fixed_amount": {tc.amount}, "holder_name": {"Élise Client"},
				"institution": {"004"}, "transit": {"12345"}, "account": {"1234567"}, "accepted": {"yes"}})
			a, err := p.Main.Stores.Data(openflex.Training).ActiveAgreement(context.Background(), acct.Number)
			if err != nil {
				t.Fatal(err)
			}
			if tc.status != http.StatusSeeOther {
				expect(t, r, tc.status, "enrol", tc.page...)
				if a != nil {
					t.Errorf("refused enrolment left an agreement: %+v", a)
				}
				return
			}
			expect(t, r, tc.status, "enrol")
			if a == nil || a.Choice != pad.Choice(tc.choice) || a.FixedAmount != tc.wantFixed || a.Language != tc.lang {
				t.Fatalf("agreement = %+v, want %s %d in %s", a, tc.choice, tc.wantFixed, tc.lang)
			}
			on := v.do("GET", "autopay", nil)
			expect(t, on, http.StatusOK, "autopay on", append(tc.page, `id="autopay-on"`, `id="confirmation"`)...)
			tok = csrfRE.FindAllStringSubmatch(on.body, -1)[1][1]
			expect(t, v.do("POST", "autopay/cancel", url.Values{"csrf": {tok}}), http.StatusSeeOther, "cancel")
			expect(t, v.do("GET", "autopay", nil), http.StatusOK, "autopay off", `id="enrol"`)
		})
	}
}
