package sdk

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// AuthorizationStatus is where a purchase authorization stands.
type AuthorizationStatus string

// Authorization statuses of API.md. Pending and partially captured
// authorizations are open: they still hold credit captures may post.
const (
	AuthorizationPending           AuthorizationStatus = "pending"
	AuthorizationPartiallyCaptured AuthorizationStatus = "partially_captured"
	AuthorizationCaptured          AuthorizationStatus = "captured"
	AuthorizationReleased          AuthorizationStatus = "released"
	AuthorizationExpired           AuthorizationStatus = "expired"
)

// Channels of a purchase.
const (
	// ChannelInStore needs a passed verification (AccountService.CreateVerification)
	// every time.
	ChannelInStore = "in_store"
	// ChannelOnline needs the customer's consent to the merchant: a
	// completed checkout, or a verification passed with this or an earlier
	// online authorization (CodeCustomerConsentRequired without one).
	ChannelOnline = "online"
)

// Authorization holds credit on an account for a purchase. Captures post
// all or part of it; a release or expiry frees the rest. Amounts are in
// cents.
type Authorization struct {
	ID              string              `json:"id"`
	Object          string              `json:"object"`
	Environment     Environment         `json:"environment"`
	Created         time.Time           `json:"created"`
	Status          AuthorizationStatus `json:"status"`
	Amount          int64               `json:"amount"`
	Currency        string              `json:"currency"`
	CapturedAmount  int64               `json:"captured_amount"`
	ReleasedAmount  int64               `json:"released_amount"`
	RemainingAmount int64               `json:"remaining_amount"`
	ReturnedAmount  int64               `json:"returned_amount"`
	// ExpiresAt is when an uncaptured hold is released.
	ExpiresAt     time.Time         `json:"expires_at"`
	AccountNumber string            `json:"account_number"`
	StoreID       string            `json:"store_id"`
	Channel       string            `json:"channel"`
	Financing     *Financing        `json:"financing"`
	Reference     string            `json:"reference"`
	EmployeeID    string            `json:"employee_id"`
	RegisterID    string            `json:"register_id"`
	Items         []LineItem        `json:"items"`
	Taxes         Taxes             `json:"taxes"`
	Metadata      map[string]string `json:"metadata"`
	// Captures are the authorization's captures, oldest first.
	Captures []Capture `json:"captures"`
}

// Financing is the plan a purchase is financed on.
type Financing struct {
	PlanID     string `json:"plan_id"`
	TermMonths int    `json:"term_months"`
	// Disclosure is the cost-of-borrowing text shown for this purchase.
	Disclosure string `json:"disclosure"`
}

// LineItem is one item of a purchase, shown to the shopper and kept on the
// authorization. Every field is required. A request's items, summed
// (Quantity × UnitPrice) with its taxes, must come to its amount exactly;
// shipping and fees are items of their own.
type LineItem struct {
	SKU         string `json:"sku"`
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	// UnitPrice is in cents.
	UnitPrice int64 `json:"unit_price"`
}

// Taxes are a purchase's sales taxes, in cents.
type Taxes struct {
	GSTHST int64 `json:"gst_hst"`
	PST    int64 `json:"pst"`
}

// AuthorizationParams is a purchase to authorize (POST
// /v1/authorizations).
type AuthorizationParams struct {
	AccountNumber string `json:"account_number"`
	// Amount is in cents; it is held whole or not at all.
	Amount int64 `json:"amount"`
	// Currency is "CAD".
	Currency string `json:"currency"`
	StoreID  string `json:"store_id"`
	// Financing picks a plan and term among the quoted options; nil is
	// the account's regular terms.
	Financing *FinancingParams `json:"financing,omitempty"`
	// AutoCapture captures the whole amount at once.
	AutoCapture bool   `json:"auto_capture,omitempty"`
	Reference   string `json:"reference,omitempty"`
	// Channel is ChannelInStore or ChannelOnline.
	Channel string `json:"channel"`
	// Verification quotes a code the customer received: required in store;
	// online, it records the customer's consent to this merchant, so later
	// online purchases on the account need none (a card on file).
	Verification *VerificationCode `json:"verification,omitempty"`
	EmployeeID   string            `json:"employee_id,omitempty"`
	RegisterID   string            `json:"register_id,omitempty"`
	Items        []LineItem        `json:"items,omitempty"`
	Taxes        *Taxes            `json:"taxes,omitempty"`
	// Metadata holds up to 20 keys of your own.
	Metadata map[string]string `json:"metadata,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// FinancingParams picks a plan and term.
type FinancingParams struct {
	PlanID     string `json:"plan_id"`
	TermMonths int    `json:"term_months"`
}

// VerificationCode is the code a customer read back.
type VerificationCode struct {
	// ID is the Verification's.
	ID   string `json:"id"`
	Code string `json:"code"`
}

// AuthorizationListParams filters AuthorizationService.List.
type AuthorizationListParams struct {
	ListParams
	StoreID       string
	AccountNumber string
	Status        AuthorizationStatus
	// Reference is your own reference, matched exactly.
	Reference string
}

// CaptureParams posts all or part of what an authorization still holds.
type CaptureParams struct {
	// Amount is in cents; 0 captures everything remaining.
	Amount    int64  `json:"amount,omitempty"`
	Reference string `json:"reference,omitempty"`
	// Final releases whatever remains after this capture.
	Final bool `json:"final,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// ReleaseParams are the options of AuthorizationService.Release.
type ReleaseParams struct {
	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// AuthorizationService holds credit for purchases and captures it.
type AuthorizationService struct{ c *Client }

// Create authorizes a purchase (POST /v1/authorizations): it holds the
// amount against the account's available credit. Errors: 402
// insufficient_credit (never a partial hold), account_not_in_good_standing,
// verification_required and verification_failed; 400 plan_not_available
// and field problems.
func (s *AuthorizationService) Create(ctx context.Context, p *AuthorizationParams) (*Authorization, error) {
	var out Authorization
	if err := s.c.post(ctx, "/v1/authorizations", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns an authorization with its captures (GET
// /v1/authorizations/{id}).
func (s *AuthorizationService) Get(ctx context.Context, id string) (*Authorization, error) {
	var out Authorization
	if err := s.c.get(ctx, "/v1/authorizations/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List returns one page of authorizations (GET /v1/authorizations).
func (s *AuthorizationService) List(ctx context.Context, p *AuthorizationListParams) (*List[Authorization], error) {
	return listPage[Authorization](ctx, s.c, "/v1/authorizations", p.values())
}

// All yields every authorization matching p, following the cursor.
func (s *AuthorizationService) All(ctx context.Context, p *AuthorizationListParams) iter.Seq2[*Authorization, error] {
	return listAll(ctx, s.c, "/v1/authorizations", p.values(), func(v *Authorization) string { return v.ID })
}

// Capture posts all or part of what remains (POST
// /v1/authorizations/{id}/captures) and returns the authorization, whose
// last Captures entry is the new capture. Several partial captures are
// allowed. Errors: 409 amount_exceeds_remaining, authorization_not_open.
func (s *AuthorizationService) Capture(ctx context.Context, id string, p *CaptureParams) (*Authorization, error) {
	var out Authorization
	if err := s.c.post(ctx, "/v1/authorizations/"+pathEscape(id)+"/captures", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Release cancels what the authorization still holds (POST
// /v1/authorizations/{id}/release); p may be nil. Error: 409
// authorization_not_open.
func (s *AuthorizationService) Release(ctx context.Context, id string, p *ReleaseParams) (*Authorization, error) {
	var out Authorization
	if err := s.c.post(ctx, "/v1/authorizations/"+pathEscape(id)+"/release", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *AuthorizationListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	q := p.ListParams.values()
	setNonEmpty(q, "store_id", p.StoreID)
	setNonEmpty(q, "account_number", p.AccountNumber)
	setNonEmpty(q, "status", string(p.Status))
	setNonEmpty(q, "reference", p.Reference)
	return q
}

func (p *AuthorizationParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *CaptureParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *ReleaseParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}
