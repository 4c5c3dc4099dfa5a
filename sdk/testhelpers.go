package sdk

import "context"

// DecideApplicationParams settles a pending application.
type DecideApplicationParams struct {
	// Status is ApplicationApproved or ApplicationDeclined.
	Status ApplicationStatus `json:"status"`
	// CreditLimit is in cents; 0 lets the lender's policy choose.
	CreditLimit int64 `json:"credit_limit,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// PaymentParams is a customer's payment.
type PaymentParams struct {
	// Amount is in cents; more than is owed becomes a credit balance.
	Amount int64 `json:"amount"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// ExpireAuthorizationParams are the options of
// TestHelperService.ExpireAuthorization.
type ExpireAuthorizationParams struct {
	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// CloseSettlementsParams are the options of
// TestHelperService.CloseSettlements.
type CloseSettlementsParams struct {
	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// TestHelperService plays, in TRAINING, the parts the merchant does not:
// lender staff and customers. With PRODUCTION keys every call is a 404
// resource_missing.
type TestHelperService struct{ c *Client }

// DecideApplication settles a pending application as lender staff would
// (POST /v1/test_helpers/applications/{id}/decide). A repeat of another
// merchant's application is refused (400 parameter_invalid): it follows
// that application's decision.
func (s *TestHelperService) DecideApplication(ctx context.Context, id string, p *DecideApplicationParams) (*Application, error) {
	var out Application
	if err := s.c.post(ctx, "/v1/test_helpers/applications/"+pathEscape(id)+"/decide", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Pay records the customer paying towards the account (POST
// /v1/test_helpers/accounts/{account_number}/payments), dated by the
// account's clock, and returns the account.
func (s *TestHelperService) Pay(ctx context.Context, accountNumber string, p *PaymentParams) (*Account, error) {
	var out Account
	if err := s.c.post(ctx, "/v1/test_helpers/accounts/"+pathEscape(accountNumber)+"/payments", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExpireAuthorization expires an open authorization now, as its 30 days
// running out would (POST /v1/test_helpers/authorizations/{id}/expire); p
// may be nil.
func (s *TestHelperService) ExpireAuthorization(ctx context.Context, id string, p *ExpireAuthorizationParams) (*Authorization, error) {
	var out Authorization
	if err := s.c.post(ctx, "/v1/test_helpers/authorizations/"+pathEscape(id)+"/expire", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CloseSettlements closes the merchant's open days now, today's included,
// as the midnight cut would, and pays them (POST
// /v1/test_helpers/settlements/close). It returns the settlements it
// closed, newest first: none when nothing was waiting. A sale made later
// today goes into tomorrow's settlement. p may be nil.
func (s *TestHelperService) CloseSettlements(ctx context.Context, p *CloseSettlementsParams) (*List[Settlement], error) {
	var out List[Settlement]
	if err := s.c.post(ctx, "/v1/test_helpers/settlements/close", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *DecideApplicationParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *PaymentParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *ExpireAuthorizationParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *CloseSettlementsParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}
