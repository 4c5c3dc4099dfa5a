package lending_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// TestFinancingDecidedByLending: a purchase names a plan and a term, and
// lending decides from the merchant's plans as stored whether it may be
// financed, at which merchant fee and with which disclosure (in the
// purchase's language). No caller hands it a fee or a text.
func TestFinancingDecidedByLending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		now := time.Now().UTC().Truncate(time.Microsecond)
		plan := func(id string, env openflex.Environment, provinces []openflex.Province, active bool) {
			t.Helper()
			if err := le.db.CreatePlan(le.ctx, &openflex.Plan{ID: id, MerchantID: "mer_test", Environment: env, Name: "12 months",
				Category: openflex.PlanEqualPayments, Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 0, FeeKind: "total"}},
				MinAmount: 100_00, Provinces: provinces, Active: active, MerchantFee: openflex.MerchantFee{Bps: 450, Fixed: 25}, Created: now}); err != nil {
				t.Fatal(err)
			}
		}
		plan("plan_twelve", openflex.Training, nil, true)
		plan("plan_bc_only", openflex.Training, []openflex.Province{"BC"}, true)
		plan("plan_production", openflex.Production, nil, true)
		plan("plan_retired", openflex.Training, nil, false)
		n := le.account(10_000_00)
		buy := func(amount int64, planID string, months int, lang string) (*lending.AuthorizationView, error) {
			return le.svc.Authorize(le.ctx, lending.AuthorizeRequest{MerchantID: "mer_test", StoreID: "str_test", Province: "ON",
				AccountNumber: n, Amount: amount, Currency: openflex.CAD, Channel: "online", Language: lang,
				Financing: &lending.FinancingChoice{PlanID: planID, TermMonths: months}})
		}

		refusals := []struct {
			name    string
			amount  int64
			plan    string
			months  int
			want    openflex.Code
			param   string
			message string
		}{
			{"unknown plan", 500_00, "plan_nonesuch", 12, openflex.CodePlanNotAvailable, "financing.plan_id", "no plan"},
			{"no such term", 500_00, "plan_twelve", 24, openflex.CodePlanNotAvailable, "financing.term_months", "no 24-month term"},
			{"below the plan's minimum", 50_00, "plan_twelve", 12, openflex.CodePlanNotAvailable, "financing.plan_id", "starts at $100.00"},
			{"another province only", 500_00, "plan_bc_only", 12, openflex.CodePlanNotAvailable, "financing.plan_id", "not offered in ON"},
			{"another environment's plan", 500_00, "plan_production", 12, openflex.CodePlanNotAvailable, "financing.plan_id", "environment"},
			{"a retired plan", 500_00, "plan_retired", 12, openflex.CodePlanNotAvailable, "financing.plan_id", "environment"},
			{"not a plan id", 500_00, "twelve", 12, openflex.CodeParameterInvalid, "financing.plan_id", "plan id"},
			{"no plan id", 500_00, "", 12, openflex.CodeParameterMissing, "financing.plan_id", "required"},
		}
		for _, tc := range refusals {
			_, err := buy(tc.amount, tc.plan, tc.months, "en")
			var oe *openflex.Error
			if code(err) != tc.want || !errorsAs(err, &oe) || oe.Param != tc.param || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("%s: Authorize = %v, want %s on %s saying %q", tc.name, err, tc.want, tc.param, tc.message)
			}
		}
		if _, _, held, _ := le.balances(n); held != 0 {
			t.Fatalf("refused financing held %d", held)
		}

		for _, lang := range []string{"en", "fr"} {
			v, err := buy(1_200_00, "plan_twelve", 12, lang)
			if err != nil {
				t.Fatal(err)
			}
			f := v.Financing
			if f == nil || f.PlanID != "plan_twelve" || f.TermMonths != 12 || f.MerchantFee != (openflex.MerchantFee{Bps: 450, Fixed: 25}) {
				t.Fatalf("%s: financing recorded = %+v, want the stored plan's term and fee", lang, f)
			}
			want := map[string]string{"en": "12 equal monthly payments of $100.00", "fr": "12 versements mensuels égaux de 100,00\u00a0$"}[lang]
			if !strings.Contains(f.Disclosure, want) {
				t.Errorf("%s: disclosure %q lacks %q", lang, f.Disclosure, want)
			}
			stored, err := le.db.Authorization(le.ctx, "mer_test", v.ID)
			if err != nil || stored.Financing == nil || stored.Financing.Disclosure != f.Disclosure || stored.Financing.MerchantFee != f.MerchantFee {
				t.Fatalf("%s: stored financing = %+v, %v", lang, stored.Financing, err)
			}
		}
	})
}

func errorsAs(err error, target **openflex.Error) bool { return errors.As(err, target) }
