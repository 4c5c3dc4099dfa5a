package sdk

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// TransactionType is the kind of a money movement.
type TransactionType string

// Transaction types of API.md.
const (
	TransactionAuthorization TransactionType = "authorization"
	TransactionCapture       TransactionType = "capture"
	TransactionRelease       TransactionType = "release"
	TransactionExpiry        TransactionType = "expiry"
	TransactionReturn        TransactionType = "return"
)

// Transaction is one money movement of the merchant. Amount is in cents.
type Transaction struct {
	ID              string          `json:"id"`
	Object          string          `json:"object"`
	Environment     Environment     `json:"environment"`
	Created         time.Time       `json:"created"`
	Type            TransactionType `json:"type"`
	Amount          int64           `json:"amount"`
	Currency        string          `json:"currency"`
	StoreID         string          `json:"store_id"`
	AccountNumber   string          `json:"account_number"`
	AuthorizationID string          `json:"authorization_id"`
	// CaptureID is set for captures and returns, ReturnID for returns.
	CaptureID *string `json:"capture_id"`
	ReturnID  *string `json:"return_id"`
	Reference string  `json:"reference"`
}

// TransactionListParams filters TransactionService.List.
type TransactionListParams struct {
	ListParams
	StoreID       string
	AccountNumber string
	Type          TransactionType
}

// TransactionService lists the merchant's money movements.
type TransactionService struct{ c *Client }

// List returns one page of transactions, newest first (GET
// /v1/transactions).
func (s *TransactionService) List(ctx context.Context, p *TransactionListParams) (*List[Transaction], error) {
	return listPage[Transaction](ctx, s.c, "/v1/transactions", p.values())
}

// All yields every transaction matching p, newest first, following the
// cursor.
func (s *TransactionService) All(ctx context.Context, p *TransactionListParams) iter.Seq2[*Transaction, error] {
	return listAll(ctx, s.c, "/v1/transactions", p.values(), func(v *Transaction) string { return v.ID })
}

func (p *TransactionListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	q := p.ListParams.values()
	setNonEmpty(q, "store_id", p.StoreID)
	setNonEmpty(q, "account_number", p.AccountNumber)
	setNonEmpty(q, "type", string(p.Type))
	return q
}
