package engine

import (
	"context"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/servicing"
)

// Captured lands a capture in its account's segment (lending calls it in
// the capture's transaction, after posting it): the revolving segment for
// a regular plan or none, a segment of its own on an equal-payment or
// deferred plan, with the terms of the plan's term the customer accepted.
func (s *Service) Captured(ctx context.Context, auth *openflex.Authorization, c *openflex.Capture) error {
	terms, err := s.termsOf(ctx, auth)
	if err != nil {
		return err
	}
	return s.onAccount(ctx, c.AccountNumber, func(ctx context.Context, a *account) error {
		res, err := a.state.Purchase(servicing.Purchase{ID: c.ID, Date: a.today(), Amount: c.Amount, Terms: terms,
			Merchant: auth.MerchantID, Store: auth.StoreID, Description: describe(auth)})
		if err != nil {
			return err
		}
		a.changed = true
		return s.apply(ctx, a, res, a.today(), source{})
	})
}

// Returned reduces the returned purchase's segment.
func (s *Service) Returned(ctx context.Context, auth *openflex.Authorization, r *openflex.Return) error {
	return s.onAccount(ctx, r.AccountNumber, func(ctx context.Context, a *account) error {
		res, err := a.state.Return(servicing.Return{ID: r.ID, PurchaseID: r.CaptureID, Date: a.today(), Amount: r.Amount,
			Description: describe(auth)})
		if err != nil {
			return err
		}
		a.changed = true
		return s.apply(ctx, a, res, a.today(), source{})
	})
}

// termsOf are the terms a purchase was financed on: its plan's term of the
// months the customer chose; a purchase without a plan revolves at the
// lender's revolving rate.
func (s *Service) termsOf(ctx context.Context, auth *openflex.Authorization) (finance.Terms, error) {
	if auth.Financing == nil || auth.Financing.PlanID == "" {
		return finance.Terms{Category: finance.Regular, AnnualRate: s.config().RevolvingRate}, nil
	}
	p, err := s.Store.PlanByID(ctx, auth.Financing.PlanID)
	if err != nil {
		return finance.Terms{}, err
	}
	for _, t := range p.Terms {
		if t.Months == auth.Financing.TermMonths {
			return plans.Terms(p, t), nil
		}
	}
	if len(p.Terms) == 1 {
		return plans.Terms(p, p.Terms[0]), nil
	}
	return finance.Terms{}, openflex.Errorf(openflex.CodePlanNotAvailable, "plan %s has no %d-month term", p.ID, auth.Financing.TermMonths)
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
