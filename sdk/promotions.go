package sdk

import (
	"context"
	"net/url"
	"strconv"
)

// Promotion is the "as low as $X/month" of the merchant's cheapest plan
// for a price, for promo messaging next to a product.
type Promotion struct {
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	// Available reports whether a plan fits the amount; the other fields
	// below are set only when one does.
	Available bool `json:"available"`
	// Amount is the price, in cents.
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// MonthlyPayment is in cents.
	MonthlyPayment int64  `json:"monthly_payment"`
	PlanID         string `json:"plan_id"`
	PlanName       string `json:"plan_name"`
	TermMonths     int    `json:"term_months"`
	APR            string `json:"apr"`
	// Disclosure is the cost-of-borrowing text to show with the price.
	Disclosure string `json:"disclosure"`
}

// PromotionService reads promo pricing. Its endpoint is public: it sends
// the Client ID, never the secret or a token, as the openflex.js drop-in
// does in browsers.
type PromotionService struct{ c *Client }

// Get returns the promotion for a price in cents (GET
// /v1/public/promotions).
func (s *PromotionService) Get(ctx context.Context, amount int64) (*Promotion, error) {
	q := url.Values{"client_id": {s.c.clientID}, "amount": {strconv.FormatInt(amount, 10)}}
	var out Promotion
	if err := s.c.get(ctx, "/v1/public/promotions", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
