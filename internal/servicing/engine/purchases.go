package engine

import (
	"context"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/servicing"
)

// Captured lands a capture in its account's segment (lending calls it in
// the capture's transaction, after posting it): the revolving segment for
// a regular plan or none, a segment of its own on an equal-payment or
// deferred plan, with the terms of the plan's term the customer accepted.
//
// It runs before lending stores the capture and returns the account's
// time, which dates it.
func (s *Service) Captured(ctx context.Context, auth *openflex.Authorization, c *openflex.Capture) (time.Time, error) {
	terms, plan, err := s.termsOf(ctx, auth)
	if err != nil {
		return time.Time{}, err
	}
	desc := describe(auth)
	if desc == "" {
		desc = plan
	}
	merchant, store, err := s.names(ctx, auth)
	if err != nil {
		return time.Time{}, err
	}
	var at time.Time
	err = s.onAccount(ctx, c.AccountNumber, func(ctx context.Context, a *account) error {
		at = a.now
		res, err := a.state.Purchase(servicing.Purchase{ID: c.ID, Date: a.today(), Amount: c.Amount, Terms: terms,
			Merchant: auth.MerchantID, Store: auth.StoreID, MerchantName: merchant, StoreName: store, Description: desc})
		if err != nil {
			return err
		}
		a.changed = true
		return s.apply(ctx, a, res, a.today(), source{})
	})
	return at, err
}

// names are the merchant's and the store's names a purchase records; ""
// for one the directory does not know (the statement shows its id then).
// Any other failure fails the capture, which its idempotency key retries,
// rather than record a purchase without its names.
func (s *Service) names(ctx context.Context, auth *openflex.Authorization) (merchant, store string, err error) {
	if s.Directory == nil {
		return "", "", nil
	}
	merchant, store, err = s.Directory.PurchaseNames(ctx, auth.MerchantID, auth.StoreID)
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		return "", "", nil
	}
	return merchant, store, err
}

// Returned reduces the returned purchase's segment, before lending stores
// the return, and returns the account's time, which dates it.
func (s *Service) Returned(ctx context.Context, auth *openflex.Authorization, r *openflex.Return) (time.Time, error) {
	merchant, store, err := s.names(ctx, auth)
	if err != nil {
		return time.Time{}, err
	}
	var at time.Time
	err = s.onAccount(ctx, r.AccountNumber, func(ctx context.Context, a *account) error {
		at = a.now
		res, err := a.state.Return(servicing.Return{ID: r.ID, PurchaseID: r.CaptureID, Date: a.today(), Amount: r.Amount,
			Description: describe(auth), Merchant: auth.MerchantID, Store: auth.StoreID, MerchantName: merchant, StoreName: store})
		if err != nil {
			return err
		}
		a.changed = true
		return s.apply(ctx, a, res, a.today(), source{})
	})
	return at, err
}

// termsOf are the terms a purchase was financed on, and its plan's name:
// the plan's term of the months the customer chose; a purchase without a
// plan revolves at the lender's revolving rate.
func (s *Service) termsOf(ctx context.Context, auth *openflex.Authorization) (finance.Terms, string, error) {
	if auth.Financing == nil || auth.Financing.PlanID == "" {
		return finance.Terms{Category: finance.Regular, AnnualRate: s.config().RevolvingRate}, "", nil
	}
	p, err := s.Store.PlanByID(ctx, auth.Financing.PlanID)
	if err != nil {
		return finance.Terms{}, "", err
	}
	for _, t := range p.Terms {
		if t.Months == auth.Financing.TermMonths {
			return plans.Terms(p, t), p.Name, nil
		}
	}
	if len(p.Terms) == 1 {
		return plans.Terms(p, p.Terms[0]), p.Name, nil
	}
	return finance.Terms{}, "", openflex.Errorf(openflex.CodePlanNotAvailable, "plan %s has no %d-month term", p.ID, auth.Financing.TermMonths)
}

// describe is what a statement says of a purchase: its line items where
// given, else its reference.
func describe(a *openflex.Authorization) string {
	var parts []string
	for _, it := range a.Items {
		if it.Description != "" {
			parts = append(parts, it.Description)
		}
	}
	if len(parts) == 0 {
		return a.Reference
	}
	return strings.Join(parts, ", ")
}
