package sdk

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// Capture is money posted to the account from an authorization. Amounts
// are in cents.
type Capture struct {
	ID              string      `json:"id"`
	Object          string      `json:"object"`
	Environment     Environment `json:"environment"`
	Created         time.Time   `json:"created"`
	AuthorizationID string      `json:"authorization_id"`
	Amount          int64       `json:"amount"`
	ReturnedAmount  int64       `json:"returned_amount"`
	// RemainingAmount is what returns may still give back.
	RemainingAmount int64  `json:"remaining_amount"`
	Currency        string `json:"currency"`
	StoreID         string `json:"store_id"`
	AccountNumber   string `json:"account_number"`
	Reference       string `json:"reference"`
}

// CaptureListParams filters CaptureService.List.
type CaptureListParams struct {
	ListParams
	AuthorizationID string
}

// ReturnParams gives back all or part of a capture: set Amount or Full,
// not both (the contract has one shape for each).
type ReturnParams struct {
	// Amount is in cents.
	Amount int64 `json:"amount,omitempty"`
	// Full returns everything still returnable.
	Full      bool   `json:"full,omitempty"`
	Reference string `json:"reference,omitempty"`
	Reason    string `json:"reason,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// CaptureService reads captures and returns them.
type CaptureService struct{ c *Client }

// Get returns a capture (GET /v1/captures/{id}).
func (s *CaptureService) Get(ctx context.Context, id string) (*Capture, error) {
	var out Capture
	if err := s.c.get(ctx, "/v1/captures/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List returns one page of captures (GET /v1/captures).
func (s *CaptureService) List(ctx context.Context, p *CaptureListParams) (*List[Capture], error) {
	return listPage[Capture](ctx, s.c, "/v1/captures", p.values())
}

// All yields every capture matching p, following the cursor.
func (s *CaptureService) All(ctx context.Context, p *CaptureListParams) iter.Seq2[*Capture, error] {
	return listAll(ctx, s.c, "/v1/captures", p.values(), func(v *Capture) string { return v.ID })
}

// Return gives back all or part of a capture (POST
// /v1/captures/{id}/returns). Error: 409 return_exceeds_captured.
func (s *CaptureService) Return(ctx context.Context, id string, p *ReturnParams) (*Return, error) {
	var out Return
	if err := s.c.post(ctx, "/v1/captures/"+pathEscape(id)+"/returns", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *CaptureListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	q := p.ListParams.values()
	setNonEmpty(q, "authorization_id", p.AuthorizationID)
	return q
}

func (p *ReturnParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}
