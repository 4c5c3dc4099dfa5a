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

// TestSetPlanMerchantFee: the lender changes a plan's merchant fee in one
// environment; nothing else of the plan changes, the other environment's
// plans and other merchants' plans are untouched, and an unknown plan or
// another merchant's plan is not found.
func TestSetPlanMerchantFee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s := e.Open(t)
		m, _ := storetest.Merchant(t, s, "ON")
		other, _ := storetest.Merchant(t, s, "ON")
		newPlan := func(env openflex.Environment, merchantID string) *openflex.Plan {
			t.Helper()
			p := &openflex.Plan{ID: openflex.NewID(openflex.PrefixPlan), MerchantID: merchantID, Environment: env, Name: "12 months",
				NameFR: "12 mois", Category: openflex.PlanEqualPayments, Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 9990, FeeKind: "total"}},
				MinAmount: 300, MaxAmount: 500000, Provinces: []openflex.Province{}, RiskCategories: []openflex.RiskCategory{}, Active: true,
				Created: time.Now().UTC().Truncate(time.Microsecond), MerchantFee: openflex.MerchantFee{Bps: 600}}
			if err := s.Data(env).CreatePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		train := newPlan(openflex.Training, m.ID)
		prod := newPlan(openflex.Production, m.ID)
		theirs := newPlan(openflex.Training, other.ID)

		fee := openflex.MerchantFee{Bps: 350, Fixed: 125, NoRefund: true}
		got, err := s.SetPlanMerchantFee(ctx, openflex.Training, m.ID, train.ID, fee)
		if err != nil {
			t.Fatal(err)
		}
		want := *train
		want.MerchantFee = fee
		read, err := s.Data(openflex.Training).Plan(ctx, m.ID, train.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*openflex.Plan{got, read} {
			if p.MerchantFee != fee || p.Name != want.Name || p.NameFR != want.NameFR || p.MinAmount != want.MinAmount ||
				p.MaxAmount != want.MaxAmount || !slices.Equal(p.Terms, want.Terms) || !p.Active || !p.Created.Equal(want.Created) {
				t.Fatalf("plan after the fee change = %+v, want %+v", p, want)
			}
		}
		for _, c := range []struct {
			env            openflex.Environment
			merchantID, id string
		}{{openflex.Production, m.ID, prod.ID}, {openflex.Training, other.ID, theirs.ID}} {
			if p, err := s.Data(c.env).Plan(ctx, c.merchantID, c.id); err != nil || p.MerchantFee != (openflex.MerchantFee{Bps: 600}) {
				t.Fatalf("untouched plan %s = %+v, %v", c.id, p, err)
			}
		}

		for _, c := range []struct {
			name           string
			env            openflex.Environment
			merchantID, id string
		}{
			{"another merchant's plan", openflex.Training, m.ID, theirs.ID},
			{"the other environment's plan", openflex.Production, m.ID, train.ID},
			{"no such plan", openflex.Training, m.ID, openflex.NewID(openflex.PrefixPlan)},
		} {
			_, err := s.SetPlanMerchantFee(ctx, c.env, c.merchantID, c.id, openflex.MerchantFee{Bps: 1})
			if e, ok := err.(*openflex.Error); !ok || e.Code != openflex.CodeResourceMissing {
				t.Errorf("%s: err = %v, want not found", c.name, err)
			}
		}
		if p, err := s.Data(openflex.Training).Plan(ctx, other.ID, theirs.ID); err != nil || p.MerchantFee.Bps != 600 {
			t.Fatalf("another merchant's plan after a refused change = %+v, %v", p, err)
		}
	})
}
