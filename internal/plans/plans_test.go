package plans

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

var now = time.Date(2026, 11, 23, 19, 40, 0, 0, time.UTC)

// valid is a plan Build accepts; cases edit a copy.
func valid() NewPlan {
	return NewPlan{MerchantID: "mer_1", Environment: openflex.Training, Name: "  Pay monthly  ", Category: openflex.PlanEqualPayments,
		Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 0, AdminFee: 4999}}, MinAmount: 300_00, MaxAmount: 5_000_00}
}

// problemParams lists the params of every field problem of err, sorted.
func problemParams(t testing.TB, err error) []string {
	t.Helper()
	e, ok := err.(*openflex.Error)
	if !ok {
		t.Fatalf("error %v (%T) is not an *openflex.Error", err, err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Param)
	}
	sort.Strings(out)
	return out
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*NewPlan)
		params []string // nil: accepted
	}{
		{"valid equal payments", func(*NewPlan) {}, nil},
		{"valid regular", func(p *NewPlan) {
			p.Category, p.Terms = openflex.PlanRegular, []openflex.PlanTerm{{Months: 0, AnnualRate: 29990}}
		}, nil},
		{"valid deferred, narrowed", func(p *NewPlan) {
			p.Category, p.Environment = openflex.PlanDeferred, openflex.Production
			p.Terms = []openflex.PlanTerm{{Months: 6, AnnualRate: 29990, FeeKind: "monthly", AdminFee: 100}}
			p.Provinces, p.RiskCategories = []openflex.Province{"QC"}, []openflex.RiskCategory{openflex.RiskPreferred}
		}, nil},
		// The highest rate and fee the fields take are over the criminal
		// rate (TestBuildCriminalRate); the highest lawful rate is 35 %.
		{"longest term, highest lawful rate, largest amounts", func(p *NewPlan) {
			p.Terms = []openflex.PlanTerm{{Months: finance.MaxMonths, AnnualRate: int64(servicing.CriminalRate)}}
			p.MinAmount, p.MaxAmount = openflex.MaxAmount, openflex.MaxAmount
		}, nil},
		{"no maximum", func(p *NewPlan) { p.MaxAmount = 0 }, nil},
		{"blank name", func(p *NewPlan) { p.Name = "   " }, []string{"name"}},
		{"no category", func(p *NewPlan) { p.Category = "" }, []string{"category"}},
		{"unknown category", func(p *NewPlan) { p.Category = "layaway" }, []string{"category"}},
		{"unknown environment", func(p *NewPlan) { p.Environment = "staging" }, []string{"environment"}},
		// A plan is an object of one environment: "both" is no longer a choice.
		{"no environment", func(p *NewPlan) { p.Environment = "" }, []string{"environment"}},
		{"French name", func(p *NewPlan) { p.NameFR = " Payez chaque mois " }, nil},
		{"blank French name", func(p *NewPlan) { p.NameFR = "  " }, []string{"name_fr"}},
		{"no terms", func(p *NewPlan) { p.Terms = nil }, []string{"terms"}},
		{"regular with a term", func(p *NewPlan) {
			p.Category, p.Terms = openflex.PlanRegular, []openflex.PlanTerm{{Months: 12, AnnualRate: 29990}}
		}, []string{"terms[0].months"}},
		{"equal payments without a term", func(p *NewPlan) { p.Terms[0].Months = 0 }, []string{"terms[0].months"}},
		{"term too long", func(p *NewPlan) { p.Terms[0].Months = finance.MaxMonths + 1 }, []string{"terms[0].months"}},
		{"negative rate", func(p *NewPlan) { p.Terms[0].AnnualRate = -1 }, []string{"terms[0].annual_interest_rate"}},
		{"rate over 100%", func(p *NewPlan) { p.Terms[0].AnnualRate = int64(finance.MaxPercent) + 1 }, []string{"terms[0].annual_interest_rate"}},
		{"negative fee", func(p *NewPlan) { p.Terms[0].AdminFee = -1 }, []string{"terms[0].admin_fee"}},
		{"fee too large", func(p *NewPlan) { p.Terms[0].AdminFee = openflex.MaxAmount + 1 }, []string{"terms[0].admin_fee"}},
		{"unknown fee kind", func(p *NewPlan) { p.Terms[0].FeeKind = "weekly" }, []string{"terms[0].fee_kind"}},
		{"second term named by its index", func(p *NewPlan) {
			p.Terms = append(p.Terms, openflex.PlanTerm{Months: 200, AnnualRate: 0})
		}, []string{"terms[1].months"}},
		{"negative minimum", func(p *NewPlan) { p.MinAmount = -1 }, []string{"min_amount"}},
		{"maximum too large", func(p *NewPlan) { p.MinAmount, p.MaxAmount = 0, openflex.MaxAmount+1 }, []string{"max_amount"}},
		{"maximum below minimum", func(p *NewPlan) { p.MinAmount, p.MaxAmount = 500_00, 499_99 }, []string{"max_amount"}},
		{"unknown province", func(p *NewPlan) { p.Provinces = []openflex.Province{"ON", "ZZ"} }, []string{"provinces[1]"}},
		{"unknown risk category", func(p *NewPlan) { p.RiskCategories = []openflex.RiskCategory{"gold"} }, []string{"risk_categories[0]"}},
		{"every problem at once", func(p *NewPlan) {
			*p = NewPlan{Category: "layaway", Environment: "staging",
				Terms:     []openflex.PlanTerm{{Months: -1, AnnualRate: -1, AdminFee: -1, FeeKind: "weekly"}},
				MinAmount: -1, MaxAmount: -2, Provinces: []openflex.Province{"XX"}, RiskCategories: []openflex.RiskCategory{"gold"}}
		}, []string{"category", "environment", "max_amount", "max_amount", "min_amount", "name", "provinces[0]", "risk_categories[0]",
			"terms[0].admin_fee", "terms[0].annual_interest_rate", "terms[0].fee_kind", "terms[0].months"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			np := valid()
			tc.edit(&np)
			p, err := Build(np, now)
			if tc.params == nil {
				if err != nil {
					t.Fatalf("Build(%+v) = %v, want a plan", np, err)
				}
				if !strings.HasPrefix(p.ID, "plan_") || !p.Active || p.Name != strings.TrimSpace(np.Name) || p.NameFR != strings.TrimSpace(np.NameFR) ||
					p.Environment != np.Environment || !p.Created.Equal(now) {
					t.Fatalf("Build(%+v) = %+v, want an active plan_ id, trimmed name, created %v", np, p, now)
				}
				for i, term := range p.Terms {
					if want := cmpOr(np.Terms[i].FeeKind, string(finance.FeeTotal)); term.FeeKind != want {
						t.Errorf("Build(…).Terms[%d].FeeKind = %q, want %q", i, term.FeeKind, want)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("Build(%+v) = %+v, want problems %v", np, p, tc.params)
			}
			if openflex.ErrorCode(err) != openflex.CodeParameterMissing && openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
				t.Errorf("Build(…) code = %s, want parameter_missing or parameter_invalid", openflex.ErrorCode(err))
			}
			if got := problemParams(t, err); !slices.Equal(got, tc.params) {
				t.Errorf("Build(…) problems = %v, want %v", got, tc.params)
			}
		})
	}
}

// TestBuildCriminalRate: a plan whose cost of borrowing, fees included,
// exceeds 35 % APR at any amount it allows is refused at creation, naming
// the term (notes, example 1: a $45 fee is lawful on $1,200 over 12 months,
// not on $250).
func TestBuildCriminalRate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*NewPlan)
		params []string // nil: accepted
	}{
		{"$45 fee from $1,200", func(p *NewPlan) {
			p.Terms, p.MinAmount, p.MaxAmount = []openflex.PlanTerm{{Months: 12, AdminFee: 45_00}}, 1_200_00, 5_000_00
		}, nil},
		{"$45 fee from $250", func(p *NewPlan) {
			p.Terms, p.MinAmount, p.MaxAmount = []openflex.PlanTerm{{Months: 12, AdminFee: 45_00}}, 250_00, 5_000_00
		}, []string{"terms[0]"}},
		{"a fee and no minimum amount", func(p *NewPlan) { p.MinAmount = 0 }, []string{"terms[0]"}},
		{"the second term only", func(p *NewPlan) {
			p.Terms = append(p.Terms, openflex.PlanTerm{Months: 3, AdminFee: 49_99})
		}, []string{"terms[1]"}},
		{"a rate above 35 %", func(p *NewPlan) {
			p.Category, p.Terms = openflex.PlanRegular, []openflex.PlanTerm{{AnnualRate: 39_990}}
		}, []string{"terms[0]"}},
		{"a deferred plan at 100 %", func(p *NewPlan) {
			p.Category, p.Terms = openflex.PlanDeferred, []openflex.PlanTerm{{Months: 6, AnnualRate: int64(finance.MaxPercent)}}
		}, []string{"terms[0]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			np := valid()
			tc.edit(&np)
			p, err := Build(np, now)
			if tc.params == nil {
				if err != nil {
					t.Fatalf("Build(%+v) = %v, want a plan", np.Terms, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Build(%+v) = %+v, want plan_exceeds_criminal_rate", np.Terms, p)
			}
			if got := openflex.ErrorCode(err); got != openflex.CodePlanExceedsCriminalRate {
				t.Errorf("Build(…) code = %s, want plan_exceeds_criminal_rate", got)
			}
			if got := problemParams(t, err); !slices.Equal(got, tc.params) {
				t.Errorf("Build(…) problems = %v, want %v", got, tc.params)
			}
		})
	}
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// TestBuildRefusesWhatFinanceCannotQuote: a plan Build accepts must be
// quotable, or every quote of the merchant fails.
func TestBuildRefusesWhatFinanceCannotQuote(t *testing.T) {
	np := NewPlan{Environment: openflex.Training, Name: "Revolving", Category: openflex.PlanRegular,
		Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 29990, AdminFee: 500, FeeKind: string(finance.FeeMonthly)}}}
	p, err := Build(np, now)
	if err == nil {
		if _, qerr := Options([]*openflex.Plan{p}, openflex.Training, nil, "ON", 100_00, "en"); qerr != nil {
			t.Errorf("Build(%+v) = ok, but Options on it = %v", np, qerr)
		}
		t.Fatalf("Build(%+v) = %+v, want terms[0].fee_kind parameter_invalid", np, p)
	}
	if got := problemParams(t, err); !slices.Equal(got, []string{"terms[0].fee_kind"}) {
		t.Fatalf("Build(…) problems = %v, want [terms[0].fee_kind]", got)
	}
}

// fixture is a set of plans covering every eligibility rule.
type fixture struct {
	regular, equal, deferred, production, inactive *openflex.Plan
	all                                            []*openflex.Plan
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	build := func(np NewPlan) *openflex.Plan {
		t.Helper()
		if np.Environment == "" {
			np.Environment = openflex.Training
		}
		p, err := Build(np, now)
		if err != nil {
			t.Fatalf("Build(%s) = %v", np.Name, err)
		}
		return p
	}
	f := fixture{
		regular: build(NewPlan{Name: "Revolving", Category: openflex.PlanRegular, Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 29990}}}),
		equal: build(NewPlan{Name: "Equal", Category: openflex.PlanEqualPayments,
			Terms:     []openflex.PlanTerm{{Months: 12, AnnualRate: 0, AdminFee: 4999}, {Months: 24, AnnualRate: 9990}},
			MinAmount: 300_00, MaxAmount: 5_000_00, RiskCategories: []openflex.RiskCategory{openflex.RiskPreferred}}),
		deferred: build(NewPlan{Name: "Deferred", Category: openflex.PlanDeferred,
			Terms: []openflex.PlanTerm{{Months: 6, AnnualRate: 29990}}, Provinces: []openflex.Province{"QC"}}),
		production: build(NewPlan{Name: "Production", Environment: openflex.Production, Category: openflex.PlanEqualPayments,
			Terms: []openflex.PlanTerm{{Months: 36, AnnualRate: 1990}}}),
		inactive: build(NewPlan{Name: "Retired", Category: openflex.PlanEqualPayments, Terms: []openflex.PlanTerm{{Months: 3, AnnualRate: 0}}}),
	}
	f.inactive.Active = false
	f.all = []*openflex.Plan{f.regular, f.equal, f.deferred, f.production, f.inactive}
	return f
}

// account is an account of a risk category with some credit available.
func account(risk openflex.RiskCategory, available int64) *openflex.Account {
	return &openflex.Account{Number: "10000000000009", Status: openflex.AccountNormal, CreditLimit: available + 100_00,
		PostedBalance: 60_00, Held: 40_00, RiskCategory: risk, Province: "ON", Currency: openflex.CAD}
}

// optionNames names options "plan/months", sorted.
func optionNames(opts []Option) []string {
	out := []string{}
	for _, o := range opts {
		out = append(out, o.Plan.Name+"/"+strconv.Itoa(o.Term.Months))
	}
	sort.Strings(out)
	return out
}

func TestOptions(t *testing.T) {
	f := newFixture(t)
	preferred, standard := account(openflex.RiskPreferred, 10_000_00), account(openflex.RiskStandard, 10_000_00)
	tests := []struct {
		name     string
		env      openflex.Environment
		acct     *openflex.Account
		province openflex.Province
		amount   int64
		want     []string
	}{
		{"preferred in ON", openflex.Training, preferred, "ON", 1_000_00, []string{"Equal/12", "Equal/24", "Revolving/0"}},
		{"deferred only in QC", openflex.Training, preferred, "QC", 1_000_00, []string{"Deferred/6", "Equal/12", "Equal/24", "Revolving/0"}},
		{"standard risk loses the preferred plan", openflex.Training, standard, "QC", 1_000_00, []string{"Deferred/6", "Revolving/0"}},
		{"below the minimum", openflex.Training, preferred, "ON", 299_99, []string{"Revolving/0"}},
		{"at the minimum", openflex.Training, preferred, "ON", 300_00, []string{"Equal/12", "Equal/24", "Revolving/0"}},
		{"at the maximum", openflex.Training, preferred, "ON", 5_000_00, []string{"Equal/12", "Equal/24", "Revolving/0"}},
		{"above the maximum", openflex.Training, preferred, "ON", 5_000_01, []string{"Revolving/0"}},
		{"only production plans in production", openflex.Production, preferred, "ON", 1_000_00, []string{"Production/36"}},
		{"all the available credit", openflex.Training, preferred, "ON", 10_000_00, []string{"Revolving/0"}},
		{"above the available credit", openflex.Training, preferred, "QC", 10_000_01, []string{}},
		{"no account: no risk or credit rule", openflex.Training, nil, "ON", 20_000_00, []string{"Revolving/0"}},
		{"no account, every category", openflex.Training, nil, "QC", 1_000_00, []string{"Deferred/6", "Equal/12", "Equal/24", "Revolving/0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := Options(f.all, tc.env, tc.acct, tc.province, tc.amount, "en")
			if err != nil {
				t.Fatalf("Options(%s, %s, %d) = %v", tc.env, tc.province, tc.amount, err)
			}
			if got := optionNames(opts); !slices.Equal(got, tc.want) {
				t.Fatalf("Options(%s, %s, %d) = %v, want %v", tc.env, tc.province, tc.amount, got, tc.want)
			}
			for _, o := range opts {
				if o.Quote.Amount != tc.amount || o.Quote.Disclosure == "" {
					t.Errorf("Options(…) %s quote = amount %d, disclosure %q; want amount %d and a disclosure",
						o.Plan.Name, o.Quote.Amount, o.Quote.Disclosure, tc.amount)
				}
			}
		})
	}
	t.Run("French disclosures", func(t *testing.T) {
		opts, err := Options(f.all, openflex.Training, preferred, "QC", 1_000_00, "fr")
		if err != nil || len(opts) == 0 {
			t.Fatalf("Options(…, fr) = %d options, %v", len(opts), err)
		}
		for _, o := range opts {
			if !strings.Contains(o.Quote.Disclosure, "taux") && !strings.Contains(o.Quote.Disclosure, "TAC") {
				t.Errorf("Options(…, fr) %s disclosure = %q, want French", o.Plan.Name, o.Quote.Disclosure)
			}
		}
	})
}

func TestChoose(t *testing.T) {
	f := newFixture(t)
	preferred, standard := account(openflex.RiskPreferred, 10_000_00), account(openflex.RiskStandard, 10_000_00)
	tests := []struct {
		name     string
		env      openflex.Environment
		acct     *openflex.Account
		province openflex.Province
		planID   string
		months   int
		amount   int64
		param    string // "" when the plan is available
	}{
		{"equal payments", openflex.Training, preferred, "ON", f.equal.ID, 24, 1_000_00, ""},
		{"regular, no term", openflex.Training, standard, "ON", f.regular.ID, 0, 1_000_00, ""},
		{"deferred in QC", openflex.Training, standard, "QC", f.deferred.ID, 6, 1_000_00, ""},
		{"unknown plan", openflex.Training, preferred, "ON", "plan_nope", 12, 1_000_00, "financing.plan_id"},
		{"wrong term", openflex.Training, preferred, "ON", f.equal.ID, 18, 1_000_00, "financing.term_months"},
		{"regular with a term", openflex.Training, preferred, "ON", f.regular.ID, 12, 1_000_00, "financing.term_months"},
		{"deferred outside QC", openflex.Training, preferred, "ON", f.deferred.ID, 6, 1_000_00, "financing.plan_id"},
		{"risk category", openflex.Training, standard, "ON", f.equal.ID, 12, 1_000_00, "financing.plan_id"},
		{"below the minimum", openflex.Training, preferred, "ON", f.equal.ID, 12, 299_99, "financing.plan_id"},
		{"above the maximum", openflex.Training, preferred, "ON", f.equal.ID, 12, 5_000_01, "financing.plan_id"},
		{"other environment", openflex.Training, preferred, "ON", f.production.ID, 36, 1_000_00, "financing.plan_id"},
		{"inactive plan", openflex.Training, preferred, "ON", f.inactive.ID, 3, 1_000_00, "financing.plan_id"},
		{"unquotable amount", openflex.Training, standard, "ON", f.regular.ID, 0, 0, "financing.plan_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Choose(f.all, tc.env, tc.acct, tc.province, tc.planID, tc.months, tc.amount, "en")
			if tc.param == "" {
				if err != nil {
					t.Fatalf("Choose(%s, %d months, %d) = %v, want an option", tc.planID, tc.months, tc.amount, err)
				}
				if o.Plan.ID != tc.planID || o.Term.Months != tc.months || o.Quote.Amount != tc.amount || o.Quote.Disclosure == "" {
					t.Fatalf("Choose(%s, %d months, %d) = plan %s, %d months, quote %+v", tc.planID, tc.months, tc.amount, o.Plan.ID, o.Term.Months, o.Quote)
				}
				return
			}
			e, ok := err.(*openflex.Error)
			if !ok || e.Code != openflex.CodePlanNotAvailable || e.Param != tc.param || e.Message == "" {
				t.Fatalf("Choose(%s, %d months, %d) = %v, %v; want plan_not_available on %s", tc.planID, tc.months, tc.amount, o, err, tc.param)
			}
		})
	}
}

func TestAsLowAs(t *testing.T) {
	f := newFixture(t)
	quote := func(p *openflex.Plan, i int, amount int64) int64 {
		t.Helper()
		q, err := finance.NewQuote(amount, Terms(p, p.Terms[i]), "en")
		if err != nil {
			t.Fatal(err)
		}
		return q.MonthlyPayment
	}
	tests := []struct {
		name     string
		plans    []*openflex.Plan
		env      openflex.Environment
		amount   int64
		wantPlan *openflex.Plan // nil: no "as low as"
		wantTerm int
	}{
		// 24 months at 9.99% costs less a month than 12 at 0% plus a fee,
		// and far less than 6 deferred months; regular plans never count.
		{"longest equal term wins", f.all, openflex.Training, 1_000_00, f.equal, 1},
		{"production plan in production", f.all, openflex.Production, 1_000_00, f.production, 0},
		{"below the equal plan's minimum", f.all, openflex.Training, 200_00, f.deferred, 0},
		{"only a regular plan", []*openflex.Plan{f.regular}, openflex.Training, 1_000_00, nil, 0},
		{"inactive plans do not count", []*openflex.Plan{f.regular, f.inactive}, openflex.Training, 1_000_00, nil, 0},
		{"no plans", nil, openflex.Training, 1_000_00, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			monthly, p, term, ok := AsLowAs(tc.plans, tc.env, tc.amount)
			if tc.wantPlan == nil {
				if ok {
					t.Fatalf("AsLowAs(%d) = %d with %s, want none", tc.amount, monthly, p.Name)
				}
				return
			}
			want := tc.wantPlan.Terms[tc.wantTerm]
			if !ok || p != tc.wantPlan || term != want {
				t.Fatalf("AsLowAs(%d) = %d, %v, %+v, %v; want %s %+v", tc.amount, monthly, p, term, ok, tc.wantPlan.Name, want)
			}
			if w := quote(tc.wantPlan, tc.wantTerm, tc.amount); monthly != w {
				t.Fatalf("AsLowAs(%d) monthly = %d, want the quote's %d", tc.amount, monthly, w)
			}
		})
	}
}

// TestCopy: a copy is a new object of the other environment, with the
// same terms, and shares no slices with the original.
func TestCopy(t *testing.T) {
	f := newFixture(t)
	later := now.Add(time.Hour)
	c, err := Copy(f.equal, openflex.Production, later)
	if err != nil {
		t.Fatalf("Copy(TRAINING plan, production) = %v", err)
	}
	if c.ID == f.equal.ID || !strings.HasPrefix(c.ID, "plan_") || c.Environment != openflex.Production || !c.Created.Equal(later) ||
		c.Name != f.equal.Name || !slices.Equal(c.Terms, f.equal.Terms) || !slices.Equal(c.RiskCategories, f.equal.RiskCategories) ||
		c.MinAmount != f.equal.MinAmount || c.MaxAmount != f.equal.MaxAmount {
		t.Fatalf("Copy = %+v, want a new PRODUCTION plan with %+v's terms", c, f.equal)
	}
	c.Terms[0].Months = 99
	if f.equal.Terms[0].Months == 99 {
		t.Fatal("Copy shares its terms with the original")
	}
	if f.equal.Environment != openflex.Training {
		t.Fatalf("Copy changed the original's environment to %s", f.equal.Environment)
	}
	for _, tc := range []struct {
		name string
		env  openflex.Environment
	}{{"its own environment", openflex.Training}, {"no environment", ""}, {"unknown environment", "staging"}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Copy(f.equal, tc.env, later); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
				t.Fatalf("Copy(TRAINING plan, %q) = %v, want parameter_invalid", tc.env, err)
			}
		})
	}
}
