package app

import (
	"context"
	"fmt"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/portal"
)

const demoEmail = "demo@openflex.example"

// SeedDemo creates the demo merchant on first start and, on every start,
// issues it a fresh TRAINING secret to print (secrets are never stored, so
// the old one cannot be shown again; it stops working).
func (m *Main) SeedDemo(ctx context.Context) error {
	ctl := m.Stores.Control
	mer, err := ctl.MerchantByEmail(ctx, demoEmail)
	var stores []openflex.Store
	var ks *openflex.KeySet
	var secret, portalPassword string
	switch {
	case openflex.ErrorCode(err) == openflex.CodeResourceMissing:
		mer, stores, err = m.Merchants.Create(ctx, "Maple Demo Furniture", demoEmail, []merchant.NewStore{
			{Name: "Toronto Eaton Centre", Province: "ON", ExternalLocationID: "TOR-001"},
			{Name: "Vancouver Robson", Province: "BC", ExternalLocationID: "VAN-001"},
		}, "demo")
		if err != nil {
			return err
		}
		ks, secret, err = m.Keys.Create(ctx, keys.NewKeySet{MerchantID: mer.ID, Environment: openflex.Training, Name: "demo",
			TrustURLs: []string{"http://localhost:3000", "http://127.0.0.1:8080", "http://localhost:8080"}}, keys.Actor{Name: "demo"})
		if err != nil {
			return err
		}
		portalPassword = portal.GeneratePassword()
		if err := m.Portal.Bootstrap(ctx, demoEmail, portalPassword, mer.ID); err != nil {
			return err
		}
		for _, np := range DemoPlans(mer.ID, openflex.Training) {
			if _, err := m.CreatePlan(ctx, np); err != nil {
				return err
			}
		}
	case err != nil:
		return err
	default:
		stores, _, err = ctl.Stores(ctx, mer.ID, openflex.ListParams{Limit: openflex.MaxListLimit})
		if err != nil {
			return err
		}
		all, err := ctl.KeySets(ctx, mer.ID)
		if err != nil {
			return err
		}
		for _, k := range all {
			if k.Environment == openflex.Training && k.Active() {
				ks = k
				break
			}
		}
		if ks == nil {
			return fmt.Errorf("demo merchant %s has no active TRAINING key set", mer.ID)
		}
		if secret, err = m.Keys.Roll(ctx, ks.ID, keys.Immediately, keys.Actor{Name: "demo"}); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Out, "\nDemo merchant %s (%s), TRAINING environment\n", mer.ID, mer.Name)
	for _, s := range stores {
		fmt.Fprintf(m.Out, "  store %s  %s (%s)\n", s.ID, s.Name, s.Province)
	}
	fmt.Fprintf(m.Out, "  client_id      %s\n  client_secret  %s\n", ks.ClientID, secret)
	if portalPassword != "" {
		fmt.Fprintf(m.Out, "  Developer Portal  http://%s/portal/  %s / %s\n", m.Config.Addr, demoEmail, portalPassword)
	} else {
		fmt.Fprintf(m.Out, "  Developer Portal  http://%s/portal/  %s (password shown at first start; reset it with \"Forgot password\": the link appears in this log)\n", m.Config.Addr, demoEmail)
	}
	fmt.Fprintf(m.Out, "Try:\n  curl -s -u %s:%s http://%s/v1/stores\n\n", ks.ClientID, secret, m.Config.Addr)
	return nil
}

// DemoPlans are the three plans of the demo merchant in env: a revolving
// purchase at 29.99%, 12 equal payments at 0% with a $49.99 fee, 6 months
// deferred; each with its French name.
func DemoPlans(merchantID string, env openflex.Environment) []plans.NewPlan {
	return []plans.NewPlan{
		{MerchantID: merchantID, Environment: env, Name: "Regular purchase", NameFR: "Achat régulier", Category: openflex.PlanRegular,
			Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 29990}}},
		{MerchantID: merchantID, Environment: env, Name: "12 months, equal payments, 0%", NameFR: "12 mois, versements égaux, 0 %",
			Category: openflex.PlanEqualPayments, Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 0, AdminFee: 4999}}, MinAmount: 300_00},
		{MerchantID: merchantID, Environment: env, Name: "6 months, no interest if paid in full", NameFR: "6 mois, sans intérêt si payé en entier",
			Category: openflex.PlanDeferred, Terms: []openflex.PlanTerm{{Months: 6, AnnualRate: 29990}}, MinAmount: 200_00},
	}
}
