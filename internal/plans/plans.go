// Package plans holds the lender's financing plans: their validation, which
// of them a customer may use for a purchase (amount, province, risk
// category, available credit) and their quotes with disclosures.
package plans

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// NewPlan is a plan as the lender sets it up.
type NewPlan struct {
	MerchantID     string
	Environment    openflex.Environment // TRAINING or PRODUCTION
	Name           string
	NameFR         string // optional French name
	Category       openflex.PlanCategory
	Terms          []openflex.PlanTerm
	MinAmount      int64
	MaxAmount      int64
	Provinces      []openflex.Province
	RiskCategories []openflex.RiskCategory

	// MerchantFee is what each purchase costs the merchant.
	MerchantFee openflex.MerchantFee
}

// Build validates np (every problem at once) and returns the plan.
func Build(np NewPlan, now time.Time) (*openflex.Plan, error) {
	var p openflex.Problems
	if strings.TrimSpace(np.Name) == "" {
		p.Missing("name")
	}
	switch np.Category {
	case openflex.PlanRegular, openflex.PlanEqualPayments, openflex.PlanDeferred:
	case "":
		p.Missing("category")
	default:
		p.Invalid("category", "category must be regular, equal_payments or deferred")
	}
	switch {
	case np.Environment == "":
		p.Missing("environment")
	case !np.Environment.Valid():
		p.Invalid("environment", "environment must be training or production")
	}
	if len(np.NameFR) > 0 && strings.TrimSpace(np.NameFR) == "" {
		p.Invalid("name_fr", "name_fr must not be blank: leave it out to show the name in French too")
	}
	if len(np.Terms) == 0 {
		p.Missing("terms")
	}
	for i, t := range np.Terms {
		param := fmt.Sprintf("terms[%d]", i)
		if np.Category == openflex.PlanRegular && t.Months != 0 {
			p.Invalid(param+".months", "regular (revolving) plans have no term: months must be 0")
		}
		if np.Category != openflex.PlanRegular && (t.Months < 1 || t.Months > finance.MaxMonths) {
			p.Invalid(param+".months", "months must be from 1 to %d", finance.MaxMonths)
		}
		if t.AnnualRate < 0 || t.AnnualRate > int64(finance.MaxPercent) {
			p.Invalid(param+".annual_interest_rate", "annual_interest_rate must be from 0 to 100")
		}
		p.Add(openflex.CheckAmount(param+".admin_fee", t.AdminFee, true))
		switch {
		case t.FeeKind != "" && t.FeeKind != string(finance.FeeTotal) && t.FeeKind != string(finance.FeeMonthly):
			p.Invalid(param+".fee_kind", "fee_kind must be total or monthly")
		case np.Category == openflex.PlanRegular && t.FeeKind == string(finance.FeeMonthly) && t.AdminFee > 0:
			// A revolving purchase has no term, so a monthly fee has no total
			// to disclose: the cost of borrowing would be unknowable.
			p.Invalid(param+".fee_kind", "regular (revolving) plans take a one-time fee only")
		}
	}
	p.Add(openflex.CheckAmount("min_amount", np.MinAmount, true))
	p.Add(openflex.CheckAmount("max_amount", np.MaxAmount, true))
	if np.MaxAmount != 0 && np.MaxAmount < np.MinAmount {
		p.Invalid("max_amount", "max_amount must not be below min_amount")
	}
	for i, pr := range np.Provinces {
		if !pr.Valid() {
			p.Invalid(fmt.Sprintf("provinces[%d]", i), "%q is not a province or territory code", pr)
		}
	}
	for i, rc := range np.RiskCategories {
		if rc != openflex.RiskPreferred && rc != openflex.RiskPremium && rc != openflex.RiskStandard {
			p.Invalid(fmt.Sprintf("risk_categories[%d]", i), "risk category must be preferred, premium or standard")
		}
	}
	checkMerchantFee(&p, np.MerchantFee)
	if len(p) == 0 {
		// Only terms that are otherwise valid can be priced: the criminal-rate
		// cap (35 % APR, fees included) holds at every amount the plan allows.
		for i, t := range np.Terms {
			ft := finance.Terms{Category: finance.Category(np.Category), Months: t.Months, AnnualRate: finance.Percent(t.AnnualRate),
				AdminFee: t.AdminFee, FeeKind: finance.FeeKind(t.FeeKind)}
			if err := servicing.CheckCriminalRate(ft, np.MinAmount, np.MaxAmount); err != nil {
				var e *openflex.Error
				if !errors.As(err, &e) {
					return nil, err
				}
				p = append(p, openflex.FieldError{Param: fmt.Sprintf("terms[%d]", i), Code: e.Code, Message: e.Message})
			}
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	terms := make([]openflex.PlanTerm, len(np.Terms))
	for i, t := range np.Terms {
		if t.FeeKind == "" {
			t.FeeKind = string(finance.FeeTotal)
		}
		terms[i] = t
	}
	return &openflex.Plan{ID: openflex.NewID(openflex.PrefixPlan), MerchantID: np.MerchantID, Environment: np.Environment,
		Name: strings.TrimSpace(np.Name), NameFR: strings.TrimSpace(np.NameFR), Category: np.Category, Terms: terms, MinAmount: np.MinAmount, MaxAmount: np.MaxAmount,
		Provinces: np.Provinces, RiskCategories: np.RiskCategories, Active: true, Created: now.UTC().Truncate(time.Microsecond),
		MerchantFee: np.MerchantFee}, nil
}

// Terms converts a plan term to the finance package's terms.
func Terms(p *openflex.Plan, t openflex.PlanTerm) finance.Terms {
	return finance.Terms{Category: finance.Category(p.Category), Months: t.Months, AnnualRate: finance.Percent(t.AnnualRate),
		AdminFee: t.AdminFee, FeeKind: finance.FeeKind(t.FeeKind)}
}

// Option is one plan and term a customer may choose, with its quote.
type Option struct {
	Plan  *openflex.Plan
	Term  openflex.PlanTerm
	Quote finance.Quote
}

// eligible reports why plan p cannot finance amount for an account in a
// store's province, or "" when it can.
func eligible(p *openflex.Plan, env openflex.Environment, acct *openflex.Account, province openflex.Province, amount int64) string {
	switch {
	case !p.OfferedIn(env):
		return "this plan is not offered in this environment"
	case p.MinAmount > 0 && amount < p.MinAmount:
		return "this plan starts at " + openflex.FormatCAD(p.MinAmount, "en")
	case p.MaxAmount > 0 && amount > p.MaxAmount:
		return "this plan goes up to " + openflex.FormatCAD(p.MaxAmount, "en")
	case len(p.Provinces) > 0 && !contains(p.Provinces, province):
		return "this plan is not offered in " + string(province)
	case acct != nil && len(p.RiskCategories) > 0 && !contains(p.RiskCategories, acct.RiskCategory):
		return "this plan is not offered on this account"
	}
	return ""
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Options returns every plan and term the account may use at a store in
// province for amount, with quotes in lang. Amounts above the available
// credit have no options, and a term the finance rules cannot quote for
// this amount is left out rather than failing the others.
func Options(all []*openflex.Plan, env openflex.Environment, acct *openflex.Account, province openflex.Province, amount int64, lang string) ([]Option, error) {
	if acct != nil && amount > acct.Available() {
		return nil, nil
	}
	var out []Option
	for _, p := range all {
		if eligible(p, env, acct, province, amount) != "" {
			continue
		}
		for _, t := range p.Terms {
			q, err := finance.NewQuote(amount, Terms(p, t), lang)
			var ie *finance.InputError
			if errors.As(err, &ie) {
				continue // a term this amount cannot take; the others still can
			}
			if err != nil {
				return nil, err
			}
			out = append(out, Option{Plan: p, Term: t, Quote: q})
		}
	}
	return out, nil
}

// Choose checks that planID with termMonths may finance this purchase and
// returns its quote (plan_not_available otherwise, naming why).
func Choose(all []*openflex.Plan, env openflex.Environment, acct *openflex.Account, province openflex.Province, planID string, termMonths int, amount int64, lang string) (*Option, error) {
	notAvailable := func(msg string) error {
		return &openflex.Error{Code: openflex.CodePlanNotAvailable, Param: "financing.plan_id", Message: msg}
	}
	for _, p := range all {
		if p.ID != planID {
			continue
		}
		if why := eligible(p, env, acct, province, amount); why != "" {
			return nil, notAvailable(why)
		}
		for _, t := range p.Terms {
			if t.Months == termMonths {
				q, err := finance.NewQuote(amount, Terms(p, t), lang)
				if err != nil {
					var ie *finance.InputError
					if errors.As(err, &ie) {
						return nil, notAvailable(ie.Message)
					}
					return nil, err
				}
				return &Option{Plan: p, Term: t, Quote: q}, nil
			}
		}
		return nil, &openflex.Error{Code: openflex.CodePlanNotAvailable, Param: "financing.term_months",
			Message: fmt.Sprintf("plan %s has no %d-month term", planID, termMonths)}
	}
	return nil, notAvailable(fmt.Sprintf("no plan %q is set up for this merchant", planID))
}

// AsLowAs is the "as low as $X/month" of the cheapest plan for amount
// among the plans offered in env (no account: representative pricing).
func AsLowAs(all []*openflex.Plan, env openflex.Environment, amount int64) (monthly int64, plan *openflex.Plan, term openflex.PlanTerm, ok bool) {
	var terms []finance.Terms
	type ref struct {
		p *openflex.Plan
		t openflex.PlanTerm
	}
	var refs []ref
	for _, p := range all {
		if !p.OfferedIn(env) || (p.MinAmount > 0 && amount < p.MinAmount) || (p.MaxAmount > 0 && amount > p.MaxAmount) {
			continue
		}
		for _, t := range p.Terms {
			terms = append(terms, Terms(p, t))
			refs = append(refs, ref{p, t})
		}
	}
	m, i, ok := finance.AsLowAs(amount, terms)
	if !ok {
		return 0, nil, openflex.PlanTerm{}, false
	}
	return m, refs[i].p, refs[i].t, true
}

// Copy makes a new plan in env with p's terms: a new object with a new id,
// since a plan belongs to one environment. Copying to the plan's own
// environment is refused, so a copy is never mistaken for a duplicate.
func Copy(p *openflex.Plan, env openflex.Environment, now time.Time) (*openflex.Plan, error) {
	if !env.Valid() {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "environment", Message: "environment must be training or production"}
	}
	if env == p.Environment {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "environment",
			Message: fmt.Sprintf("plan %s is already a %s plan: copy it to the other environment", p.ID, p.Environment)}
	}
	c := *p
	c.ID, c.Environment, c.Created = openflex.NewID(openflex.PrefixPlan), env, now.UTC().Truncate(time.Microsecond)
	c.Terms = append([]openflex.PlanTerm(nil), p.Terms...)
	c.Provinces = append([]openflex.Province(nil), p.Provinces...)
	c.RiskCategories = append([]openflex.RiskCategory(nil), p.RiskCategories...)
	return &c, nil
}

// CheckMerchantFee validates a plan's merchant fee on its own, for
// changing the fee of a plan that exists.
func CheckMerchantFee(f openflex.MerchantFee) error {
	var p openflex.Problems
	checkMerchantFee(&p, f)
	return p.Err()
}

func checkMerchantFee(p *openflex.Problems, f openflex.MerchantFee) {
	if f.Bps < 0 || f.Bps > openflex.MaxMerchantFeeBps {
		p.Invalid("merchant_fee_bps", "merchant_fee_bps must be from 0 to %d (100 %%)", openflex.MaxMerchantFeeBps)
	}
	p.Add(openflex.CheckAmount("merchant_fee_fixed", f.Fixed, true))
}
