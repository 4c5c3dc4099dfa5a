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
