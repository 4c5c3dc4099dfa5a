package app

import (
	"context"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plans"
)

// CreatePlan validates a plan for an existing merchant and stores it in
// its environment's data plane.
func (m *Main) CreatePlan(ctx context.Context, np plans.NewPlan) (*openflex.Plan, error) {
	if _, err := m.Stores.Control.Merchant(ctx, np.MerchantID); err != nil {
		return nil, err
	}
	p, err := plans.Build(np, time.Now())
	if err != nil {
		return nil, err
	}
	return p, m.Stores.Data(p.Environment).CreatePlan(ctx, p)
}

// CopyPlan copies plan id of the other environment into env: a new plan,
// with a new id, which the original never hears of again.
func (m *Main) CopyPlan(ctx context.Context, id string, env openflex.Environment) (*openflex.Plan, error) {
	if !env.Valid() {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "environment", Message: "environment must be training or production"}
	}
	var src *openflex.Plan
	for _, e := range openflex.Environments {
		p, err := m.Stores.Data(e).PlanByID(ctx, id)
		if err == nil {
			src = p
			break
		}
		if openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			return nil, err
		}
	}
	if src == nil {
		return nil, openflex.NotFound("plan", id)
	}
	c, err := plans.Copy(src, env, time.Now())
	if err != nil {
		return nil, err
	}
	return c, m.Stores.Data(env).CreatePlan(ctx, c)
}
