package app

import (
	"context"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plans"
)

// CreatePlan validates a plan for an existing merchant and stores it.
func (m *Main) CreatePlan(ctx context.Context, np plans.NewPlan) (*openflex.Plan, error) {
	if _, err := m.Stores.Control.Merchant(ctx, np.MerchantID); err != nil {
		return nil, err
	}
	p, err := plans.Build(np, time.Now())
	if err != nil {
		return nil, err
	}
	return p, m.Stores.Control.CreatePlan(ctx, p)
}
