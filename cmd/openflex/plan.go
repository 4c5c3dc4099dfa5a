package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/plans"
)

func cmdPlanCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var merchantID, name, nameFR, category, rate, env, feeKind string
	var months int
	var fee, minAmount, maxAmount int64
	var provinces, risks listFlag
	var asJSON bool
	fs := flag.NewFlagSet("plan create", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&merchantID, "merchant", "", "merchant id (mer_…)")
	fs.StringVar(&name, "name", "", "plan name shown to customers")
	fs.StringVar(&nameFR, "name-fr", "", "plan name shown to French-speaking customers (default: --name)")
	fs.StringVar(&category, "category", "", "regular, equal_payments or deferred")
	fs.IntVar(&months, "months", 0, "term in months (0 for regular)")
	fs.StringVar(&rate, "rate", "", "annual interest rate in percent, e.g. 29.99 (exact decimal)")
	fs.Int64Var(&fee, "admin-fee", 0, "administration fee in cents")
	fs.StringVar(&feeKind, "fee-kind", "total", "admin fee charged once (total) or every month (monthly)")
	fs.Int64Var(&minAmount, "min-amount", 0, "smallest purchase in cents")
	fs.Int64Var(&maxAmount, "max-amount", 0, "largest purchase in cents (0: no maximum)")
	fs.StringVar(&env, "env", "training", "the plan's environment, training or production (a plan lives in one; see plan copy)")
	fs.Var(&provinces, "province", "offer only in this province (repeatable)")
	fs.Var(&risks, "risk-category", "offer only to this risk category (repeatable)")
	fs.BoolVar(&asJSON, "json", false, "print the plan object")
	var mfee openflex.MerchantFee
	var noRefund bool
	fs.Int64Var(&mfee.Bps, "merchant-fee-bps", 0, "merchant fee per purchase in basis points of the amount captured (600 = 6 %)")
	fs.Int64Var(&mfee.Fixed, "merchant-fee-fixed", 0, "merchant fee per purchase in cents, charged once from its first capture on")
	fs.BoolVar(&noRefund, "no-merchant-fee-refund", false, "returns keep the merchant fee (default: refunded pro rata)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	r, err := finance.ParsePercent(rate)
	if err != nil {
		return usageError{fmt.Sprintf("--rate: %v", err)}
	}
	e, ok := openflex.ParseEnvironment(env)
	if !ok {
		return usageError{fmt.Sprintf("--env: %q is not training or production", env)}
	}
	np := plans.NewPlan{MerchantID: merchantID, Name: name, NameFR: nameFR, Category: openflex.PlanCategory(category),
		Terms:     []openflex.PlanTerm{{Months: months, AnnualRate: int64(r), AdminFee: fee, FeeKind: feeKind}},
		MinAmount: minAmount, MaxAmount: maxAmount, Environment: e}
	mfee.NoRefund = noRefund
	np.MerchantFee = mfee
	for _, p := range provinces {
		np.Provinces = append(np.Provinces, openflex.Province(strings.ToUpper(p)))
	}
	for _, rc := range risks {
		np.RiskCategories = append(np.RiskCategories, openflex.RiskCategory(rc))
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	p, err := m.CreatePlan(ctx, np)
	if err != nil {
		return cliError(err)
	}
	if asJSON {
		return printJSON(stdout, api.PlanJSON(p))
	}
	fmt.Fprintf(stdout, "plan %s %q in %s (%s, %d months at %s%%)\n", p.ID, p.Name, strings.ToUpper(string(p.Environment)), p.Category, months, r)
	return nil
}

// cmdPlanCopy copies a plan to the other environment: typically a plan
// tried in TRAINING, offered for real once the merchant goes live.
func cmdPlanCopy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var to string
	var asJSON bool
	fs := flag.NewFlagSet("plan copy", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&to, "to", "", "the environment to copy the plan to: production or training")
	fs.BoolVar(&asJSON, "json", false, "print the new plan object")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: openflex plan copy PLAN_ID --to production|training"}
	}
	env, ok := openflex.ParseEnvironment(to)
	if !ok {
		return usageError{fmt.Sprintf("--to: %q is not production or training", to)}
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	p, err := m.CopyPlan(ctx, fs.Arg(0), env)
	if err != nil {
		return cliError(err)
	}
	if asJSON {
		return printJSON(stdout, api.PlanJSON(p))
	}
	fmt.Fprintf(stdout, "plan %s %q in %s (a copy of %s)\n", p.ID, p.Name, strings.ToUpper(string(p.Environment)), fs.Arg(0))
	return nil
}
