package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/sqlstore"
)

// Merchant creates a merchant with one store per province given.
func Merchant(t testing.TB, s *sqlstore.Stores, provinces ...openflex.Province) (*openflex.Merchant, []openflex.Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	m := &openflex.Merchant{ID: openflex.NewID(openflex.PrefixMerchant), Name: "Maple Furniture", Email: "dev@maple.example", Created: now}
	if err := s.Control.CreateMerchant(ctx, m); err != nil {
		t.Fatalf("CreateMerchant: %v", err)
	}
	var stores []openflex.Store
	for _, p := range provinces {
		st := openflex.Store{ID: openflex.NewID(openflex.PrefixStore), MerchantID: m.ID, Name: "Store " + string(p),
			Province: p, TimeZone: p.TimeZone(), Status: openflex.StoreActive, Created: now}
		if err := s.Control.CreateStore(ctx, &st); err != nil {
			t.Fatalf("CreateStore: %v", err)
		}
		stores = append(stores, st)
	}
	return m, stores
}

// PlanStore is where FeePlan stores a plan (a data plane).
type PlanStore interface {
	CreatePlan(ctx context.Context, p *openflex.Plan) error
}

// FeePlan stores an active regular (revolving) plan of merchantID in env,
// offered everywhere to everyone, whose purchases cost the merchant fee,
// and returns its id: what a test authorizes on to be charged that fee
// (lending decides a purchase's fee from the plan as stored).
func FeePlan(t testing.TB, db PlanStore, env openflex.Environment, merchantID string, fee openflex.MerchantFee) string {
	t.Helper()
	p := &openflex.Plan{ID: openflex.NewID(openflex.PrefixPlan), MerchantID: merchantID, Environment: env, Name: "Fee plan",
		Category: openflex.PlanRegular, Terms: []openflex.PlanTerm{{Months: 0, FeeKind: "total"}}, Active: true,
		MerchantFee: fee, Created: time.Now().UTC().Truncate(time.Microsecond)}
	if err := db.CreatePlan(context.Background(), p); err != nil {
		t.Fatalf("CreatePlan: %v", err)
	}
	return p.ID
}
