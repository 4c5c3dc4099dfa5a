package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/openflex/openflex"
)

// cmdScrub empties TRAINING data on demand. PRODUCTION is never scrubbed.
func cmdScrub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env string
	var older time.Duration
	fs := flag.NewFlagSet("scrub", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&env, "env", "", "environment to scrub: only training is allowed")
	fs.DurationVar(&older, "older-than", 0, "keep data created within this duration (default: scrub everything)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if e, ok := openflex.ParseEnvironment(env); !ok || e != openflex.Training {
		return usageError{"--env training is required: PRODUCTION is never scrubbed"}
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	var cutoff time.Time
	if older > 0 {
		cutoff = time.Now().Add(-older)
	}
	n, err := m.Stores.Data(openflex.Training).Scrub(ctx, cutoff)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "TRAINING scrubbed: %d rows deleted; key sets, stores and plans untouched\n", n)
	return nil
}

// cmdVerify recomputes every balance from the ledger in both environments,
// and every account's segments and statements from its history, and exits
// non-zero on any mismatch.
func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	storageFlags(&c, fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	bad := 0
	for _, env := range openflex.Environments {
		found, err := m.Stores.Data(env).VerifyLedger(ctx)
		if err != nil {
			return err
		}
		for _, f := range found {
			fmt.Fprintf(stdout, "%s: %s: ledger says %d, balance says %d\n", env, f.What, f.Expected, f.Found)
		}
		bad += len(found)
		if len(found) == 0 {
			fmt.Fprintf(stdout, "%s: every balance matches the ledger; every transaction balances\n", env)
		}
		payables, err := m.Stores.Data(env).VerifyPayables(ctx)
		if err != nil {
			return err
		}
		for _, p := range payables {
			fmt.Fprintf(stdout, "%s: merchant %s payable: ledger says %d, unsettled lines + unpaid settlements say %d\n", env, p.MerchantID, p.Ledger, p.Lines)
		}
		bad += len(payables)
		if len(payables) == 0 {
			fmt.Fprintf(stdout, "%s: every merchant's payable equals its unsettled lines plus its unpaid settlements\n", env)
		}
		serviced, err := m.Planes[env].Servicing.Verify(ctx)
		if err != nil {
			return err
		}
		for _, f := range serviced {
			fmt.Fprintf(stdout, "%s: %s\n", env, f)
		}
		bad += len(serviced)
		if len(serviced) == 0 {
			fmt.Fprintf(stdout, "%s: every account's segments and statements follow from its history and match the ledger\n", env)
		}
	}
	if bad > 0 {
		return errors.New("ledger verification failed")
	}
	return nil
}
