package lending

import (
	"context"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plans"
)

// FinancingChoice is the plan and term a customer picked among the
// options quoted to them. It names a plan, never a price: the fee, the
// disclosure and whether the plan may finance this purchase at all are
// decided here (decideFinancing), from the merchant's plans as stored.
type FinancingChoice struct {
	PlanID     string
	TermMonths int
}

// PlanStore is the port lending reads a merchant's plans through.
type PlanStore interface {
	Plans(ctx context.Context, merchantID string) ([]*openflex.Plan, error)
}

// validate reports the choice's field problems.
func (c *FinancingChoice) validate(p *openflex.Problems) {
	switch {
	case c.PlanID == "":
		p.Missing("financing.plan_id")
	case !strings.HasPrefix(c.PlanID, openflex.PrefixPlan+"_"):
		p.Invalid("financing.plan_id", "financing.plan_id must be a plan id (plan_…)")
	}
	if c.TermMonths < 0 {
		p.Invalid("financing.term_months", "financing.term_months must be 0 (a regular plan) or more")
	}
}

// decideFinancing is the one place a financed purchase is decided: the
// chosen plan and term must be one of the merchant's plans, offered in this
// environment, at this store's province, to this account and for this
// amount (plan_not_available otherwise, naming why); the authorization then
// records the plan's merchant fee and the disclosure in r.Language.
// Eligibility is not credit: the account is judged without its balances,
// insufficient credit being the authorization's own answer.
func (s *Service) decideFinancing(ctx context.Context, r AuthorizeRequest, acct *openflex.Account) (*openflex.Financing, error) {
	all, err := s.Store.Plans(ctx, r.MerchantID)
	if err != nil {
		return nil, err
	}
	judged := *acct
	judged.PostedBalance, judged.Held, judged.CreditLimit = 0, 0, openflex.MaxAmount
	opt, err := plans.Choose(all, s.Env, &judged, r.Province, r.Financing.PlanID, r.Financing.TermMonths, r.Amount, r.Language)
	if err != nil {
		return nil, err
	}
	return &openflex.Financing{PlanID: opt.Plan.ID, TermMonths: opt.Term.Months, Disclosure: opt.Quote.Disclosure,
		MerchantFee: opt.Plan.MerchantFee}, nil
}
