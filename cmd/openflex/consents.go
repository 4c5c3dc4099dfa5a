package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
)

// cmdConsentsList shows every consent ever given on an account: which
// merchants may post online purchases on it, and who revoked what.
func cmdConsentsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env, account string
	fs := flag.NewFlagSet("consents list", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&env, "env", "production", "environment: training or production")
	fs.StringVar(&account, "account", "", "the 14-digit account number")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if account == "" {
		return usageError{"usage: openflex consents list [--env training|production] --account NUMBER"}
	}
	e, ok := openflex.ParseEnvironment(env)
	if !ok {
		return usageError{"--env must be training or production"}
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	all, err := m.Planes[e].Lending.Consents(ctx, account)
	if err != nil {
		return cliError(err)
	}
	if len(all) == 0 {
		fmt.Fprintf(stdout, "no merchant holds consent on account %s in %s\n", account, e)
	}
	for _, k := range all {
		state := "active"
		if !k.Active() {
			state = fmt.Sprintf("revoked %s by %s", k.RevokedAt.Format("2006-01-02 15:04"), k.RevokedBy)
			if k.RevokeReason != "" {
				state += " (" + k.RevokeReason + ")"
			}
		}
		fmt.Fprintf(stdout, "%s  merchant %s  by %s  since %s  %s\n", k.ID, k.MerchantID, k.Source, k.Created.Format("2006-01-02 15:04"), state)
	}
	return nil
}

// cmdConsentsRevoke ends a merchant's consent on an account as lender
// staff (a customer's complaint, a merchant under investigation).
func cmdConsentsRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env, merchant, account, reason string
	fs := flag.NewFlagSet("consents revoke", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&env, "env", "production", "environment: training or production")
	fs.StringVar(&merchant, "merchant", "", "the merchant whose consent ends (mer_…)")
	fs.StringVar(&account, "account", "", "the 14-digit account number")
	fs.StringVar(&reason, "reason", "", "why, for the record")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if merchant == "" || account == "" {
		return usageError{"usage: openflex consents revoke [--env training|production] --merchant ID --account NUMBER [--reason TEXT]"}
	}
	e, ok := openflex.ParseEnvironment(env)
	if !ok {
		return usageError{"--env must be training or production"}
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	k, err := m.Planes[e].Lending.RevokeConsent(ctx, lending.RevokeRequest{MerchantID: merchant, AccountNumber: account,
		By: openflex.RevokedByStaff, Reason: reason})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "consent %s of merchant %s on account %s revoked in %s\n", k.ID, k.MerchantID, k.AccountNumber, e)
	return nil
}
