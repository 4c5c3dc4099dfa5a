package sdk

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// Return is money given back to the account from a capture. Amounts are
// in cents.
type Return struct {
	ID              string      `json:"id"`
	Object          string      `json:"object"`
	Environment     Environment `json:"environment"`
	Created         time.Time   `json:"created"`
	CaptureID       string      `json:"capture_id"`
	AuthorizationID string      `json:"authorization_id"`
	Amount          int64       `json:"amount"`
	Currency        string      `json:"currency"`
	StoreID         string      `json:"store_id"`
	AccountNumber   string      `json:"account_number"`
	Reference       string      `json:"reference"`
	Reason          string      `json:"reason"`
	// RemainingCaptureAmount and RemainingAuthorizationAmount are what
	// may still be returned, set in the reply of CaptureService.Return
	// (nil when a return is read back).
	RemainingCaptureAmount       *int64 `json:"remaining_capture_amount"`
	RemainingAuthorizationAmount *int64 `json:"remaining_authorization_amount"`
}

// ReturnListParams filters ReturnService.List.
type ReturnListParams struct {
	ListParams
	CaptureID string
}

// ReturnService reads returns; CaptureService.Return makes them.
type ReturnService struct{ c *Client }

// Get returns a return (GET /v1/returns/{id}).
func (s *ReturnService) Get(ctx context.Context, id string) (*Return, error) {
	var out Return
	if err := s.c.get(ctx, "/v1/returns/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List returns one page of returns (GET /v1/returns).
func (s *ReturnService) List(ctx context.Context, p *ReturnListParams) (*List[Return], error) {
	return listPage[Return](ctx, s.c, "/v1/returns", p.values())
}

// All yields every return matching p, following the cursor.
func (s *ReturnService) All(ctx context.Context, p *ReturnListParams) iter.Seq2[*Return, error] {
	return listAll(ctx, s.c, "/v1/returns", p.values(), func(v *Return) string { return v.ID })
}

func (p *ReturnListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	q := p.ListParams.values()
	setNonEmpty(q, "capture_id", p.CaptureID)
	return q
}
