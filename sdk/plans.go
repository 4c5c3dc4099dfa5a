package sdk

import (
	"context"
	"time"
)

// PlanCategory is how a plan is repaid.
type PlanCategory string

// Plan categories of API.md.
const (
	// PlanRegular is a revolving purchase at the plan's annual rate.
	PlanRegular PlanCategory = "regular"
	// PlanEqualPayments is N equal monthly payments.
	PlanEqualPayments PlanCategory = "equal_payments"
	// PlanDeferred is no interest if paid in full within N months.
	PlanDeferred PlanCategory = "deferred"
)

// Plan is a financing plan the lender set up for the merchant.
type Plan struct {
	ID          string      `json:"id"`
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	Created     time.Time   `json:"created"`
	Name        string      `json:"name"`
	// NameFR is the plan's French name; nil: Name is shown in French too.
	NameFR   *string      `json:"name_fr"`
	Category PlanCategory `json:"category"`
	Terms    []PlanTerm   `json:"terms"`
	// MinAmount is the smallest purchase the plan finances, in cents.
	MinAmount int64 `json:"min_amount"`
	// MaxAmount is the largest, in cents; nil is no limit.
	MaxAmount *int64 `json:"max_amount"`
	Currency  string `json:"currency"`
	// Provinces and RiskCategories restrict the plan; empty is all.
	Provinces      []string `json:"provinces"`
	RiskCategories []string `json:"risk_categories"`
	// MerchantFee is what each purchase on the plan costs the merchant.
	MerchantFee *MerchantFee `json:"merchant_fee"`
}

// MerchantFee is a plan's fee to the merchant, withheld from settlements.
type MerchantFee struct {
	RateBps          int64 `json:"rate_bps"`     // basis points of each capture
	FixedAmount      int64 `json:"fixed_amount"` // cents per purchase
	RefundedOnReturn bool  `json:"refunded_on_return"`
}

// PlanTerm is one term a plan offers.
type PlanTerm struct {
	// Months is the term; 0 for a revolving plan.
	Months int `json:"months"`
	// AnnualInterestRate is a decimal string in percent, such as "29.99":
	// exact, never a float.
	AnnualInterestRate string `json:"annual_interest_rate"`
	// AdminFee is in cents.
	AdminFee     int64  `json:"admin_fee"`
	AdminFeeType string `json:"admin_fee_type"`
}

// PlanService lists financing plans: GET /v1/plans.
type PlanService struct{ c *Client }

// List returns every plan offered in the client's environment (the list
// is never paged).
func (s *PlanService) List(ctx context.Context) (*List[Plan], error) {
	var out List[Plan]
	if err := s.c.get(ctx, "/v1/plans", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
