package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/openflex/openflex"
)

type termJSON struct {
	Months     int    `json:"months"`
	AnnualRate int64  `json:"annual_rate"`
	AdminFee   int64  `json:"admin_fee"`
	FeeKind    string `json:"fee_kind"`
}

// CreatePlan inserts p into this data plane, which must be p's
// environment's.
func (db *DB) CreatePlan(ctx context.Context, p *openflex.Plan) error {
	if !p.Environment.Valid() {
		return fmt.Errorf("insert plan %s: environment %q is not training or production", p.ID, p.Environment)
	}
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO plans (`+planCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			planArgs(p)...)
		if err != nil {
			return fmt.Errorf("insert plan: %w", err)
		}
		return nil
	})
}

func planArgs(p *openflex.Plan) []any {
	terms := make([]termJSON, 0, len(p.Terms))
	for _, t := range p.Terms {
		terms = append(terms, termJSON(t))
	}
	tj, _ := json.Marshal(terms)
	pj, _ := json.Marshal(nonNilSlice(p.Provinces))
	rj, _ := json.Marshal(nonNilSlice(p.RiskCategories))
	return []any{p.ID, p.MerchantID, string(p.Environment), p.Name, p.NameFR, string(p.Category), string(tj), p.MinAmount, p.MaxAmount,
		string(pj), string(rj), boolInt(p.Active), micros(p.Created), p.MerchantFee.Bps, p.MerchantFee.Fixed, boolInt(p.MerchantFee.NoRefund)}
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const planCols = `id, merchant_id, environment, name, name_fr, category, terms, min_amount, max_amount, provinces, risk_categories, active, created,
	merchant_fee_bps, merchant_fee_fixed, merchant_fee_no_refund`

func scanPlan(sc interface{ Scan(...any) error }, legacy bool) (*openflex.Plan, error) {
	var p openflex.Plan
	var env, cat, terms, provs, risks string
	var active, noRefund int
	var created int64
	dest := []any{&p.ID, &p.MerchantID, &env, &p.Name, &p.NameFR, &cat, &terms, &p.MinAmount, &p.MaxAmount, &provs, &risks, &active, &created,
		&p.MerchantFee.Bps, &p.MerchantFee.Fixed, &noRefund}
	if legacy { // the control plane's table had no French name and no merchant fee
		dest = append(dest[:4], dest[5:13]...)
	}
	if err := sc.Scan(dest...); err != nil {
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

// Plan returns merchantID's plan id of this environment.
func (db *DB) Plan(ctx context.Context, merchantID, id string) (*openflex.Plan, error) {
	p, err := scanPlan(db.q(ctx).QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1 AND merchant_id = $2`, id, merchantID), false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("plan", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return p, nil
}

// PlanByID returns plan id of this environment, whichever its merchant (for
// the lender's own tools).
func (db *DB) PlanByID(ctx context.Context, id string) (*openflex.Plan, error) {
	p, err := scanPlan(db.q(ctx).QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1`, id), false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("plan", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return p, nil
}

// SetPlanMerchantFee replaces the merchant fee of merchantID's plan id and
// returns the plan as saved. Only the fee changes: authorizations copy the
// fee when they are made, so purchases already on the plan keep theirs.
// The caller validates f (plans.CheckMerchantFee).
func (db *DB) SetPlanMerchantFee(ctx context.Context, merchantID, id string, f openflex.MerchantFee) (*openflex.Plan, error) {
	var out *openflex.Plan
	err := db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE plans SET merchant_fee_bps = $1, merchant_fee_fixed = $2, merchant_fee_no_refund = $3
			WHERE id = $4 AND merchant_id = $5`, f.Bps, f.Fixed, boolInt(f.NoRefund), id, merchantID)
		if err != nil {
			return fmt.Errorf("update plan fee: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update plan fee: %w", err)
		} else if n == 0 {
			return openflex.NotFound("plan", id)
		}
		out, err = db.Plan(ctx, merchantID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Plans returns all of merchantID's plans of this environment, oldest first.
func (db *DB) Plans(ctx context.Context, merchantID string) ([]*openflex.Plan, error) {
	return db.queryPlans(ctx, false, `SELECT `+planCols+` FROM plans WHERE merchant_id = $1 ORDER BY id`, merchantID)
}

func (db *DB) queryPlans(ctx context.Context, legacy bool, query string, args ...any) ([]*openflex.Plan, error) {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	defer rows.Close()
	var out []*openflex.Plan
	for rows.Next() {
		p, err := scanPlan(rows, legacy)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// movePlans moves the plans that predate environment-scoped plans from the
// control plane into their environment's data plane. A plan offered in
// both environments (environment "") becomes two objects: the PRODUCTION
// one keeps its id, so real purchases and merchants' live integrations
// keep pointing at it; the TRAINING one gets an id derived from the old
// one (TrainingCopyID). Every step is repeatable: the copies are inserted
// unless already there, and a control-plane row is deleted only once its
// copies exist. So a crash half-way, or several nodes starting at once
// (the planes may sit in different databases, so no one transaction spans
// them), converge on the same result.
func (s *Stores) movePlans(ctx context.Context) error {
	legacy, err := s.Control.queryPlans(ctx, true, `SELECT id, merchant_id, environment, name, category, terms, min_amount, max_amount,
		provinces, risk_categories, active, created FROM plans ORDER BY id`)
	if err != nil {
		return fmt.Errorf("move plans: %w", err)
	}
	for _, p := range legacy {
		copies := []*openflex.Plan{p}
		if p.Environment == "" {
			prod, train := *p, *p
			prod.Environment = openflex.Production
			train.Environment, train.ID = openflex.Training, TrainingCopyID(p.ID)
			copies = []*openflex.Plan{&prod, &train}
		}
		for _, c := range copies {
			db := s.data[c.Environment]
			if db == nil {
				return fmt.Errorf("move plan %s: environment %q is not training or production", p.ID, c.Environment)
			}
			err := db.Write(ctx, func(ctx context.Context) error {
				_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO plans (`+planCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
					ON CONFLICT (id) DO NOTHING`, planArgs(c)...)
				return err
			})
			if err != nil {
				return fmt.Errorf("move plan %s to %s: %w", p.ID, c.Environment, err)
			}
		}
		err := s.Control.Write(ctx, func(ctx context.Context) error {
			_, err := s.Control.q(ctx).ExecContext(ctx, `DELETE FROM plans WHERE id = $1`, p.ID)
			return err
		})
		if err != nil {
			return fmt.Errorf("move plan %s: %w", p.ID, err)
		}
	}
	return nil
}

// TrainingCopyID is the id of the TRAINING copy of a plan that used to be
// offered in both environments: the old id's creation time, then 80 bits of
// a hash of the old id, so every node derives the same id.
func TrainingCopyID(id string) string {
	const crockford = "0123456789abcdefghjkmnpqrstvwxyz"
	suffix := strings.TrimPrefix(id, openflex.PrefixPlan+"_")
	stamp := suffix[:min(10, len(suffix))]
	sum := sha256.Sum256([]byte("openflex training copy of " + id))
	var b strings.Builder
	b.WriteString(openflex.PrefixPlan + "_" + stamp)
	for i := 0; b.Len() < len(openflex.PrefixPlan)+1+26; i++ {
		b.WriteByte(crockford[sum[i]&31])
	}
	return b.String()
}
