package lending

import (
	"context"
	"time"

	"github.com/openflex/openflex"
)

// AuthorizationFilter narrows a list of authorizations.
type AuthorizationFilter struct {
	StoreID, AccountNumber, Status, Reference string
}

// TransactionFilter narrows the history.
type TransactionFilter struct {
	StoreID, AccountNumber, Type string
}

// TypeTotal is the count and sum of one transaction type.
type TypeTotal struct {
	Type   openflex.TransactionType
	Count  int64
	Amount int64
}

// Reader is the read side of lending's storage.
type Reader interface {
	Authorizations(ctx context.Context, merchantID string, f AuthorizationFilter, p openflex.ListParams) ([]*openflex.Authorization, bool, error)
	Captures(ctx context.Context, merchantID, authorizationID string, p openflex.ListParams) ([]*openflex.Capture, bool, error)
	Return(ctx context.Context, merchantID, id string) (*openflex.Return, error)
	Returns(ctx context.Context, merchantID, captureID string, p openflex.ListParams) ([]*openflex.Return, bool, error)
	Transactions(ctx context.Context, merchantID string, f TransactionFilter, p openflex.ListParams) ([]*openflex.Transaction, bool, error)
	StoreTotals(ctx context.Context, merchantID, storeID string, from, to time.Time) ([]TypeTotal, error)
}

// Authorization returns merchantID's authorization with its captures.
func (s *Service) Authorization(ctx context.Context, merchantID, id string) (*AuthorizationView, error) {
	a, err := s.Store.Authorization(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, a)
}

// Authorizations lists merchantID's authorizations, newest first.
func (s *Service) Authorizations(ctx context.Context, merchantID string, f AuthorizationFilter, p openflex.ListParams) ([]*AuthorizationView, bool, error) {
	auths, more, err := s.Store.Authorizations(ctx, merchantID, f, p)
	if err != nil {
		return nil, false, err
	}
	out := make([]*AuthorizationView, 0, len(auths))
	for _, a := range auths {
		v, err := s.view(ctx, a)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	return out, more, nil
}

// GetCapture returns merchantID's capture.
func (s *Service) GetCapture(ctx context.Context, merchantID, id string) (*openflex.Capture, error) {
	return s.Store.Capture(ctx, merchantID, id)
}

// Captures lists merchantID's captures, newest first.
func (s *Service) Captures(ctx context.Context, merchantID, authorizationID string, p openflex.ListParams) ([]*openflex.Capture, bool, error) {
	return s.Store.Captures(ctx, merchantID, authorizationID, p)
}

// GetReturn returns merchantID's return.
func (s *Service) GetReturn(ctx context.Context, merchantID, id string) (*openflex.Return, error) {
	return s.Store.Return(ctx, merchantID, id)
}

// Returns lists merchantID's returns, newest first.
func (s *Service) Returns(ctx context.Context, merchantID, captureID string, p openflex.ListParams) ([]*openflex.Return, bool, error) {
	return s.Store.Returns(ctx, merchantID, captureID, p)
}

// Transactions lists merchantID's money movements, newest first.
func (s *Service) Transactions(ctx context.Context, merchantID string, f TransactionFilter, p openflex.ListParams) ([]*openflex.Transaction, bool, error) {
	return s.Store.Transactions(ctx, merchantID, f, p)
}

// StoreTotals sums a store's movements by type over [from, to).
func (s *Service) StoreTotals(ctx context.Context, merchantID, storeID string, from, to time.Time) ([]TypeTotal, error) {
	return s.Store.StoreTotals(ctx, merchantID, storeID, from, to)
}
