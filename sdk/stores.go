package sdk

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// Store is one of the merchant's locations. Stores are the same in both
// environments: Environment is always "shared".
type Store struct {
	ID          string      `json:"id"`
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	Created     time.Time   `json:"created"`
	Name        string      `json:"name"`
	// ExternalLocationID is the merchant's own code for the store.
	ExternalLocationID string `json:"external_location_id"`
	// Province is the two-letter code, such as "ON".
	Province string `json:"province"`
	// TimeZone is the IANA zone its days (Summary) are counted in.
	TimeZone string `json:"time_zone"`
	Status   string `json:"status"`
}

// StoreListParams filters StoreService.List.
type StoreListParams struct {
	ListParams
}

// StoreSummaryParams chooses the day of StoreService.Summary.
type StoreSummaryParams struct {
	// Date is the store's local day, "YYYY-MM-DD"; empty is today.
	Date string
}

// StoreSummary is one store's day: count and total per transaction type,
// and the net amount (captures less returns).
type StoreSummary struct {
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	StoreID     string      `json:"store_id"`
	// Date is the day summarised, "YYYY-MM-DD", in TimeZone.
	Date     string `json:"date"`
	TimeZone string `json:"time_zone"`
	// From and To bound the day (23 or 25 hours around DST changes).
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Totals    []SummaryTotal `json:"totals"`
	NetAmount int64          `json:"net_amount"`
	Currency  string         `json:"currency"`
}

// SummaryTotal is the count and total of one transaction type.
type SummaryTotal struct {
	Type   TransactionType `json:"type"`
	Count  int64           `json:"count"`
	Amount int64           `json:"amount"`
}

// StoreService reads the merchant's stores: GET /v1/stores….
type StoreService struct{ c *Client }

// List returns one page of stores (GET /v1/stores).
func (s *StoreService) List(ctx context.Context, p *StoreListParams) (*List[Store], error) {
	return listPage[Store](ctx, s.c, "/v1/stores", p.values())
}

// All yields every store, following the cursor.
func (s *StoreService) All(ctx context.Context, p *StoreListParams) iter.Seq2[*Store, error] {
	return listAll(ctx, s.c, "/v1/stores", p.values(), func(v *Store) string { return v.ID })
}

// Get returns a store (GET /v1/stores/{id}); resource_missing when it is
// not one of the merchant's.
func (s *StoreService) Get(ctx context.Context, id string) (*Store, error) {
	var out Store
	if err := s.c.get(ctx, "/v1/stores/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Summary returns a store's day (GET /v1/stores/{id}/summary); a nil p is
// today, in the store's time zone.
func (s *StoreService) Summary(ctx context.Context, id string, p *StoreSummaryParams) (*StoreSummary, error) {
	q := url.Values{}
	if p != nil {
		setNonEmpty(q, "date", p.Date)
	}
	var out StoreSummary
	if err := s.c.get(ctx, "/v1/stores/"+pathEscape(id)+"/summary", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *StoreListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	return p.ListParams.values()
}
