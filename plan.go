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

// Plan is a financing plan the lender set up for a merchant. Plans live in
// the control plane and apply to both environments unless Environment
// narrows them.
type Plan struct {
	ID             string
	MerchantID     string
	Environment    Environment // "" for both
	Name           string
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
	return p.Active && (p.Environment == "" || p.Environment == env)
}
