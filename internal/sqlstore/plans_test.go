package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// TestPlansMoveToTheirEnvironment: plans that older versions kept in the
// control plane (environment "" meaning both) move into their
// environment's data plane at open — a "both" plan becomes two objects,
// the PRODUCTION one keeping the id — however many nodes open at once and
// however often, and a move cut short finishes on the next open.
func TestPlansMoveToTheirEnvironment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		cfg := e.Config(t)
		s, err := sqlstore.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		mer := &openflex.Merchant{ID: openflex.NewID(openflex.PrefixMerchant), Name: "Maple", Email: "dev@maple.example", Created: time.Now()}
		if err := s.Control.CreateMerchant(ctx, mer); err != nil {
			t.Fatal(err)
		}
		legacy := func(env openflex.Environment, name string) string {
			t.Helper()
			id := openflex.NewID(openflex.PrefixPlan)
			err := sqlstore.ExecControl(ctx, s, `INSERT INTO plans (id, merchant_id, environment, name, category, terms, min_amount, max_amount,
				provinces, risk_categories, active, created) VALUES ($1, $2, $3, $4, 'equal_payments', $5, 300, 5000, '["ON"]', '["preferred"]', 1, 1764000000000000)`,
				id, mer.ID, string(env), name, `[{"months":12,"annual_rate":0,"admin_fee":4999,"fee_kind":"total"}]`)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		both := legacy("", "Both")
		train := legacy(openflex.Training, "Training only")
		prod := legacy(openflex.Production, "Production only")
		s.Close()

		// Several nodes start at once.
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := sqlstore.Open(ctx, cfg)
				if err == nil {
					s.Close()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent open: %v", err)
			}
		}

		want := map[openflex.Environment][]string{
			openflex.Production: {both, prod},
			openflex.Training:   {sqlstore.TrainingCopyID(both), train},
		}
		check := func(s *sqlstore.Stores) {
			t.Helper()
			if n, err := sqlstore.LegacyPlanCount(ctx, s); err != nil || n != 0 {
				t.Fatalf("control plane still holds %d plans (%v)", n, err)
			}
			for env, ids := range want {
				got, err := s.Data(env).Plans(ctx, mer.ID)
				if err != nil {
					t.Fatal(err)
				}
				var gotIDs []string
				for _, p := range got {
					gotIDs = append(gotIDs, p.ID)
					if p.Environment != env || p.MerchantID != mer.ID || len(p.Terms) != 1 || p.Terms[0].AdminFee != 4999 ||
						p.Terms[0].Months != 12 || p.MinAmount != 300 || !slices.Equal(p.Provinces, []openflex.Province{"ON"}) || !p.Active {
						t.Errorf("%s plan after the move = %+v", env, p)
					}
				}
				slices.Sort(gotIDs)
				wantIDs := slices.Sorted(slices.Values(ids))
				if !slices.Equal(gotIDs, wantIDs) {
					t.Fatalf("%s plans = %v, want %v", env, gotIDs, wantIDs)
				}
			}
			if _, err := s.Data(openflex.Training).Plan(ctx, mer.ID, both); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
				t.Fatalf("the PRODUCTION plan's id answers in TRAINING: %v", err)
			}
		}
		s, err = sqlstore.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		check(s)

		// A move cut short: the copies exist but the control-plane row
		// was not deleted yet. The next open finishes it, copying nothing twice.
		if err := sqlstore.ExecControl(ctx, s, `INSERT INTO plans (id, merchant_id, environment, name, category, terms, created)
			VALUES ($1, $2, '', 'Both', 'equal_payments', '[]', 1)`, both, mer.ID); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, err = sqlstore.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		check(s)
	})
}

// TestTrainingCopyID: the derived id looks like any plan id, keeps the
// original's creation time (ids sort by creation) and is stable.
func TestTrainingCopyID(t *testing.T) {
	id := openflex.NewID(openflex.PrefixPlan)
	c := sqlstore.TrainingCopyID(id)
	if len(c) != len(id) || c[:15] != id[:15] || c == id || sqlstore.TrainingCopyID(id) != c {
		t.Fatalf("TrainingCopyID(%s) = %s, want a stable id of the same shape and time", id, c)
	}
}
