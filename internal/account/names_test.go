package account_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// TestOverviewNamesMerchantsAndStores: the overview names where the
// customer bought by the merchant's and the store's names, never their
// ids: each plan of the latest statement and each recent transaction, in
// English and French.
func TestOverviewNamesMerchantsAndStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		ctx := context.Background()
		all, err := p.Main.Stores.Data(openflex.Training).Plans(ctx, p.Merchant.ID)
		if err != nil {
			t.Fatal(err)
		}
		var deferred *openflex.Plan
		for _, pl := range all {
			if pl.Category == openflex.PlanDeferred {
				deferred = pl
			}
		}
		if deferred == nil {
			t.Fatal("the platform's merchant has no deferred plan")
		}
		for _, tc := range []struct {
			lang string
			want []string
		}{
			{"en", []string{"6 months, no interest if paid in full</strong> — Maple Furniture", "Purchase — Maple Furniture — Vancouver",
				"Purchase — Maple Furniture — Toronto"}},
			{"fr", []string{"</strong> — Maple Furniture", "Achat — Maple Furniture — Vancouver", "Achat — Maple Furniture — Toronto"}},
		} {
			t.Run(tc.lang, func(t *testing.T) {
				c := p.CustomerWithStatement(t, tc.lang)
				if _, err := p.Main.Planes[openflex.Training].Lending.Authorize(ctx, lending.AuthorizeRequest{MerchantID: p.Merchant.ID,
					StoreID: p.Stores[1].ID, AccountNumber: c.Account.Number, Amount: 300_00, Currency: openflex.CAD, AutoCapture: true,
					Channel: "online", Financing: &lending.FinancingChoice{PlanID: deferred.ID, TermMonths: 6}}); err != nil {
					t.Fatal(err)
				}
				c.Advance(t, apptest.Toronto(2027, 3, 1, 12)) // February's statement shows the plan

				v := newVisitor(t, p.URL+"/account/training/")
				expect(t, v.do("POST", "signin", url.Values{"account_number": {c.Account.Number}, "date_of_birth": {"1985-06-15"}, "lang": {tc.lang}}),
					http.StatusSeeOther, "sign-in")
				codeTok := csrfRE.FindStringSubmatch(v.do("GET", "code", nil).body)[1]
				expect(t, v.do("POST", "code", url.Values{"csrf": {codeTok}, "code": {"222222"}}), http.StatusSeeOther, "code")
				over := v.do("GET", "", nil)
				expect(t, over, http.StatusOK, "overview", tc.want...)
				if strings.Contains(over.body, p.Merchant.ID) || strings.Contains(over.body, p.Stores[1].ID) {
					t.Errorf("the overview shows an id:\n%s", over.body)
				}
			})
		}
	})
}
