package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/openflex/openflex"
)

// cmdApplicationsPending lists the applications waiting for lender review.
func cmdApplicationsPending(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env string
	fs := flag.NewFlagSet("applications pending", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&env, "env", "production", "environment: training or production")
	if err := parse(fs, args, stderr); err != nil {
		return err
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
	apps, err := m.Stores.Data(e).PendingApplications(ctx, 100)
	if err != nil {
		return err
	}
	if len(apps) == 0 {
		fmt.Fprintln(stdout, "no applications are waiting for review")
	}
	for _, a := range apps {
		repeat := ""
		if a.RepeatOf != "" {
			repeat = "  repeat of " + a.RepeatOf
		}
		fmt.Fprintf(stdout, "%s  %s  merchant %s  requested %s  score %d  since %s%s\n", a.ID, e, a.MerchantID,
			openflex.FormatCAD(a.RequestedAmount, "en"), a.Score, a.Created.Format("2006-01-02 15:04"), repeat)
	}
	return nil
}

// cmdApplicationsDecide settles a pending application as lender staff.
func cmdApplicationsDecide(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env, status, separate string
	var limit int64
	fs := flag.NewFlagSet("applications decide", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&env, "env", "production", "environment: training or production")
	fs.StringVar(&status, "status", "", "approved or declined")
	fs.Int64Var(&limit, "credit-limit", 0, "credit limit in cents for an approval (default: the policy's)")
	fs.StringVar(&separate, "separate-account", "", "approve with an account of its own although the application repeats another or the person holds an open account; the value is the reason")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: openflex applications decide --status approved|declined [--credit-limit CENTS] [--separate-account REASON] APPLICATION_ID"}
	}
	if separate != "" && status != string(openflex.ApplicationApproved) {
		return usageError{"--separate-account goes with --status approved"}
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
	decide := func() (*openflex.Application, *openflex.Account, error) {
		return m.Credit[e].Decide(ctx, "", fs.Arg(0), openflex.ApplicationStatus(status), limit)
	}
	if separate != "" {
		decide = func() (*openflex.Application, *openflex.Account, error) {
			return m.Credit[e].OpenSeparate(ctx, fs.Arg(0), limit, separate)
		}
	}
	app, acct, err := decide()
	if err != nil {
		return cliError(err)
	}
	if separate != "" {
		// A second account is staff's deliberate act: the reason goes to
		// the audit log, as from the console.
		if err := m.Stores.Control.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: time.Now().UTC(), Actor: "cli",
			Action: "application.separate_account", MerchantID: app.MerchantID, ObjectID: app.ID,
			Detail: string(e) + " approved; separate account, repeat of " + app.RepeatOf + ": " + separate}); err != nil {
			return fmt.Errorf("the account is open but its audit entry failed: %w", err)
		}
	}
	fmt.Fprintf(stdout, "application %s %s", app.ID, app.Status)
	if acct != nil {
		fmt.Fprintf(stdout, ": account %s, limit %s", acct.Number, openflex.FormatCAD(acct.CreditLimit, "en"))
	}
	fmt.Fprintln(stdout)
	return nil
}
