package sdk

import (
	"context"
	"time"
)

// CheckoutStatus is where a hosted checkout stands.
type CheckoutStatus string

// Checkout statuses of API.md.
const (
	CheckoutOpen      CheckoutStatus = "open"
	CheckoutCompleted CheckoutStatus = "completed"
	CheckoutCancelled CheckoutStatus = "cancelled"
	CheckoutExpired   CheckoutStatus = "expired"
)

// Checkout flows: what the shopper may do on the hosted page.
const (
	// FlowApplyOrBuy lets a shopper sign in to an account or apply.
	FlowApplyOrBuy = "apply_or_buy"
	// FlowBuy is for shoppers who already have an account.
	FlowBuy = "buy"
	// FlowApply is for new customers.
	FlowApply = "apply"
)

// Checkout is a hosted checkout session for an online purchase: send the
// shopper to URL; they sign in or apply, pick a plan and confirm, and the
// browser comes back to SuccessURL?checkout_id=… (or CancelURL).
type Checkout struct {
	ID          string         `json:"id"`
	Object      string         `json:"object"`
	Environment Environment    `json:"environment"`
	Created     time.Time      `json:"created"`
	Status      CheckoutStatus `json:"status"`
	// Amount is in cents.
	Amount      int64     `json:"amount"`
	Currency    string    `json:"currency"`
	StoreID     string    `json:"store_id"`
	Reference   string    `json:"reference"`
	Flow        string    `json:"flow"`
	AutoCapture bool      `json:"auto_capture"`
	SuccessURL  string    `json:"success_url"`
	CancelURL   string    `json:"cancel_url"`
	Language    string    `json:"language"`
	ExpiresAt   time.Time `json:"expires_at"`
	// URL is the hosted page, set only in the reply of Create.
	URL *string `json:"url"`
	// AuthorizationID, ApplicationID and AccountNumber are set once known.
	AuthorizationID *string `json:"authorization_id"`
	ApplicationID   *string `json:"application_id"`
	AccountNumber   *string `json:"account_number"`
}

// CheckoutParams opens a hosted checkout (POST /v1/checkouts).
type CheckoutParams struct {
	// Amount is in cents.
	Amount int64 `json:"amount"`
	// Currency is "CAD".
	Currency  string     `json:"currency"`
	StoreID   string     `json:"store_id"`
	Reference string     `json:"reference,omitempty"`
	Items     []LineItem `json:"items,omitempty"`
	// Customer prefills the application form; all optional.
	Customer *CheckoutCustomer `json:"customer,omitempty"`
	// Flow is FlowApplyOrBuy, FlowBuy or FlowApply.
	Flow        string `json:"flow"`
	AutoCapture bool   `json:"auto_capture,omitempty"`
	// SuccessURL and CancelURL must match a Trust URL of the key set.
	SuccessURL string `json:"success_url"`
	CancelURL  string `json:"cancel_url"`
	// Language of the hosted pages, "en" or "fr".
	Language string `json:"language,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// CheckoutCustomer is what the merchant already knows of the shopper.
type CheckoutCustomer struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	// DateOfBirth is "YYYY-MM-DD".
	DateOfBirth string `json:"date_of_birth,omitempty"`
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	Province    string `json:"province,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
}

// CheckoutService opens and reads hosted checkouts.
type CheckoutService struct{ c *Client }

// Create opens a hosted checkout (POST /v1/checkouts) and returns it with
// the URL to send the shopper to. Error: 400 url_not_trusted when a
// redirect URL matches no Trust URL.
func (s *CheckoutService) Create(ctx context.Context, p *CheckoutParams) (*Checkout, error) {
	var out Checkout
	if err := s.c.post(ctx, "/v1/checkouts", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns a checkout (GET /v1/checkouts/{id}), with the authorization,
// application and account once known: call it when the browser comes back
// to the success URL.
func (s *CheckoutService) Get(ctx context.Context, id string) (*Checkout, error) {
	var out Checkout
	if err := s.c.get(ctx, "/v1/checkouts/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CheckoutCancelParams are the options of CheckoutService.Cancel.
type CheckoutCancelParams struct {
	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

func (p *CheckoutCancelParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

// Cancel closes an open checkout (POST /v1/checkouts/{id}/cancel) so the
// shopper can no longer complete it: call it when the order is abandoned
// or paid another way. Error: 409 checkout_not_open once it has ended.
func (s *CheckoutService) Cancel(ctx context.Context, id string, p *CheckoutCancelParams) (*Checkout, error) {
	var out Checkout
	if err := s.c.post(ctx, "/v1/checkouts/"+pathEscape(id)+"/cancel", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *CheckoutParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}
