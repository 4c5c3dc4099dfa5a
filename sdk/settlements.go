package sdk

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// SettlementStatus is where a business day's settlement stands.
type SettlementStatus string

// Settlement statuses.
const (
	SettlementOpen           SettlementStatus = "open"            // the day is still filling
	SettlementPending        SettlementStatus = "pending"         // cut, waiting for its payout
	SettlementPaid           SettlementStatus = "paid"            // paid out
	SettlementCarriedForward SettlementStatus = "carried_forward" // negative: subtracted from the next one
)

// SettlementStore is one store's part of a settlement.
type SettlementStore struct {
	StoreID          string `json:"store_id"`
	GrossAmount      int64  `json:"gross_amount"`
	ReturnsAmount    int64  `json:"returns_amount"`
	FeesAmount       int64  `json:"fees_amount"`
	FeeRefundsAmount int64  `json:"fee_refunds_amount"`
	// PaymentsAmount is customers' payments taken in store for the lender.
	PaymentsAmount int64 `json:"payments_amount"`
	// NetAmount is gross − returns − fees + fee refunds − payments (may be
	// negative).
	NetAmount int64 `json:"net_amount"`
	LineCount int64 `json:"line_count"`
}

// Settlement is what the lender owes the merchant for one business day,
// cut at midnight in each store's time zone. Every total is the exact sum
// of its lines.
type Settlement struct {
	ID           string           `json:"id"`
	Object       string           `json:"object"`
	Environment  Environment      `json:"environment"`
	BusinessDate string           `json:"business_date"`
	Status       SettlementStatus `json:"status"`
	Currency     string           `json:"currency"`
	// Amounts in cents; every total is the sum of the lines.
	GrossAmount      int64 `json:"gross_amount"`
	ReturnsAmount    int64 `json:"returns_amount"`
	FeesAmount       int64 `json:"fees_amount"`
	FeeRefundsAmount int64 `json:"fee_refunds_amount"`
	// PaymentsAmount is customers' payments taken in store for the lender.
	PaymentsAmount int64 `json:"payments_amount"`
	// NetAmount is gross − returns − fees + fee refunds − payments (may be
	// negative).
	NetAmount int64 `json:"net_amount"`
	LineCount int64 `json:"line_count"`
	// CarriedInAmount is a negative amount carried from the previous
	// settlement (0 or less).
	CarriedInAmount int64             `json:"carried_in_amount"`
	PayoutAmount    int64             `json:"payout_amount"`
	Stores          []SettlementStore `json:"stores"`
	ClosedAt        *time.Time        `json:"closed_at"`
	PaidAt          *time.Time        `json:"paid_at"`
}

// SettlementLine is one capture or return of a settlement.
type SettlementLine struct {
	ID              string      `json:"id"`
	Object          string      `json:"object"`
	Environment     Environment `json:"environment"`
	Created         time.Time   `json:"created"`
	Type            string      `json:"type"` // capture or return
	StoreID         string      `json:"store_id"`
	Amount          int64       `json:"amount"`
	FeeAmount       int64       `json:"fee_amount"` // the fee, or the fee refund of a return
	NetAmount       int64       `json:"net_amount"`
	Currency        string      `json:"currency"`
	AuthorizationID string      `json:"authorization_id"`
	Reference       string      `json:"reference"` // the authorization's reference (order or receipt number)
	CaptureID       string      `json:"capture_id"`
	ReturnID        *string     `json:"return_id"`
	SettlementID    string      `json:"settlement_id"`
}

// SettlementListParams filters SettlementService.List. Settlements are
// chosen by business day (From, To), not by creation time: the list takes
// no created_from or created_to.
type SettlementListParams struct {
	PageParams
	From, To string // business dates YYYY-MM-DD, inclusive
	Status   SettlementStatus
	StoreID  string
}

func (p *SettlementListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	q := p.PageParams.values()
	setNonEmpty(q, "from", p.From)
	setNonEmpty(q, "to", p.To)
	setNonEmpty(q, "status", string(p.Status))
	setNonEmpty(q, "store_id", p.StoreID)
	return q
}

// SettlementService reads the merchant's settlements.
type SettlementService struct{ c *Client }

// List returns one page of settlements, newest first; the first page
// starts with the days still open (GET /v1/settlements).
func (s *SettlementService) List(ctx context.Context, p *SettlementListParams) (*List[Settlement], error) {
	return listPage[Settlement](ctx, s.c, "/v1/settlements", p.values())
}

// All yields every settlement matching p, newest first.
func (s *SettlementService) All(ctx context.Context, p *SettlementListParams) iter.Seq2[*Settlement, error] {
	return listAll(ctx, s.c, "/v1/settlements", p.values(), func(v *Settlement) string { return v.ID })
}

// Get returns a settlement, open or closed (GET /v1/settlements/{id}).
func (s *SettlementService) Get(ctx context.Context, id string) (*Settlement, error) {
	var out Settlement
	if err := s.c.get(ctx, "/v1/settlements/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Lines returns one page of a settlement's lines, newest first.
func (s *SettlementService) Lines(ctx context.Context, id string, p *ListParams) (*List[SettlementLine], error) {
	return listPage[SettlementLine](ctx, s.c, "/v1/settlements/"+pathEscape(id)+"/lines", p.values())
}

// AllLines yields every line of a settlement, newest first.
func (s *SettlementService) AllLines(ctx context.Context, id string) iter.Seq2[*SettlementLine, error] {
	return listAll(ctx, s.c, "/v1/settlements/"+pathEscape(id)+"/lines", url.Values{}, func(v *SettlementLine) string { return v.ID })
}

// DownloadLines returns the settlement's lines as CSV, oldest first: order
// reference, store name, local date and time, signed dollar amounts and
// each line's net (GET /v1/settlements/{id}/lines.csv; the columns are in
// the API reference).
func (s *SettlementService) DownloadLines(ctx context.Context, id string) ([]byte, error) {
	var out []byte
	if err := s.c.get(ctx, "/v1/settlements/"+pathEscape(id)+"/lines.csv", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
