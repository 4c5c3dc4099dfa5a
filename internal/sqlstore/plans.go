package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openflex/openflex"
)

type termJSON struct {
	Months     int    `json:"months"`
	AnnualRate int64  `json:"annual_rate"`
	AdminFee   int64  `json:"admin_fee"`
	FeeKind    string `json:"fee_kind"`
}

// CreatePlan inserts p.
func (c Control) CreatePlan(ctx context.Context, p *openflex.Plan) error {
	terms := make([]termJSON, 0, len(p.Terms))
	for _, t := range p.Terms {
		terms = append(terms, termJSON(t))
	}
	tj, _ := json.Marshal(terms)
	pj, _ := json.Marshal(nonNilSlice(p.Provinces))
	rj, _ := json.Marshal(nonNilSlice(p.RiskCategories))
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO plans (id, merchant_id, environment, name, category, terms, min_amount, max_amount,
			provinces, risk_categories, active, created, merchant_fee_bps, merchant_fee_fixed, merchant_fee_no_refund)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			p.ID, p.MerchantID, string(p.Environment), p.Name, string(p.Category), string(tj), p.MinAmount, p.MaxAmount,
			string(pj), string(rj), boolInt(p.Active), micros(p.Created), p.MerchantFee.Bps, p.MerchantFee.Fixed, boolInt(p.MerchantFee.NoRefund))
		if err != nil {
			return fmt.Errorf("insert plan: %w", err)
		}
		return nil
	})
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const planCols = `id, merchant_id, environment, name, category, terms, min_amount, max_amount, provinces, risk_categories, active, created,
	merchant_fee_bps, merchant_fee_fixed, merchant_fee_no_refund`

func scanPlan(sc interface{ Scan(...any) error }) (*openflex.Plan, error) {
	var p openflex.Plan
	var env, cat, terms, provs, risks string
	var active, noRefund int
	var created int64
	if err := sc.Scan(&p.ID, &p.MerchantID, &env, &p.Name, &cat, &terms, &p.MinAmount, &p.MaxAmount, &provs, &risks, &active, &created,
		&p.MerchantFee.Bps, &p.MerchantFee.Fixed, &noRefund); err != nil {
		return nil, err
	}
	p.MerchantFee.NoRefund = noRefund == 1
	p.Environment, p.Category, p.Active, p.Created = openflex.Environment(env), openflex.PlanCategory(cat), active == 1, fromMicros(created)
	var ts []termJSON
	if err := json.Unmarshal([]byte(terms), &ts); err != nil {
		return nil, fmt.Errorf("decode plan terms: %w", err)
	}
	for _, t := range ts {
		p.Terms = append(p.Terms, openflex.PlanTerm(t))
	}
	if err := json.Unmarshal([]byte(provs), &p.Provinces); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(risks), &p.RiskCategories); err != nil {
		return nil, err
	}
	return &p, nil
}

// Plan returns merchantID's plan id.
func (c Control) Plan(ctx context.Context, merchantID, id string) (*openflex.Plan, error) {
	p, err := scanPlan(c.q(ctx).QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("plan", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return p, nil
}

// Plans returns all of merchantID's plans, oldest first.
func (c Control) Plans(ctx context.Context, merchantID string) ([]*openflex.Plan, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT `+planCols+` FROM plans WHERE merchant_id = $1 ORDER BY id`, merchantID)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	defer rows.Close()
	var out []*openflex.Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
