package openflex

import "time"

// PlanCategory is how a financing plan is repaid.
type PlanCategory string

// Plan categories of API.md.
const (
	PlanRegular       PlanCategory = "regular"        // revolving, at the account's annual rate
	PlanEqualPayments PlanCategory = "equal_payments" // N equal monthly payments
	PlanDeferred      PlanCategory = "deferred"       // no interest if paid in full within N months
)

// PlanTerm is one term a plan offers.
type PlanTerm struct {
	Months int
	// AnnualRate is the annual interest rate in thousandths of a percent
	// (29.99% = 29990), held exactly.
	AnnualRate int64
	AdminFee   int64  // cents
	FeeKind    string // "total" (once) or "monthly"
}

// Plan is a financing plan the lender set up for a merchant. A plan is an
// object of one environment, stored in that environment's data plane like
// customers and transactions: a TRAINING plan does not exist in PRODUCTION.
// Copying one creates a new plan with a new id.
type Plan struct {
	ID          string
	MerchantID  string
	Environment Environment // TRAINING or PRODUCTION, never ""
	Name        string
	// NameFR is the plan's French name; empty shows Name in French too.
	NameFR         string
	Category       PlanCategory
	Terms          []PlanTerm
	MinAmount      int64
	MaxAmount      int64
	Provinces      []Province     // empty: everywhere
	RiskCategories []RiskCategory // empty: every category
	Active         bool
	Created        time.Time

	// MerchantFee is what each purchase on the plan costs the merchant.
	MerchantFee MerchantFee
}

// OfferedIn reports whether the plan is offered in env.
func (p *Plan) OfferedIn(env Environment) bool {
	return p.Active && p.Environment == env
}

// NameIn is the plan's name in lang ("en" or "fr"): the French name when
// there is one, else the name.
func (p *Plan) NameIn(lang string) string {
	if lang == "fr" && p.NameFR != "" {
		return p.NameFR
	}
	return p.Name
}
