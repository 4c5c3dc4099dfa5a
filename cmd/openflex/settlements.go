package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/settlement"
)

// cmdSettlementsPay pays the pending settlements of one business date:
// marks them paid (the payout clears each merchant's payable on the
// ledger) and, with --cpa005, writes the CPA Standard 005 credit file the
// lender's bank takes. The file is written first and renamed into place
// only once every settlement in it is marked paid, in one transaction.
func cmdSettlementsPay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env, date, file, returns string
	var o settlement.Originator
	var fileNumber int
	fs := flag.NewFlagSet("settlements pay", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&env, "env", "production", "environment: production (TRAINING pays itself on its schedule)")
	fs.StringVar(&date, "date", "", "business date of the settlements to pay, YYYY-MM-DD")
	fs.StringVar(&file, "cpa005", "", "write a CPA Standard 005 credit file here (PRODUCTION only)")
	fs.StringVar(&o.ID, "originator-id", "", "CPA-005: originator ID assigned by the lender's bank (up to 10 digits)")
	fs.StringVar(&o.ShortName, "originator-short-name", "", "CPA-005: name on the merchant's statement (15)")
	fs.StringVar(&o.LongName, "originator-long-name", "", "CPA-005: the lender's full name (30)")
	fs.StringVar(&o.DataCentre, "data-centre", "", "CPA-005: destination data centre (5 digits)")
	fs.StringVar(&returns, "return-account", "", "CPA-005: lender account for rejected payments, INSTITUTION-TRANSIT-ACCOUNT")
	fs.StringVar(&o.TransactionCode, "transaction-code", settlement.DefaultTransactionCode, "CPA-005: transaction code (460: accounts payable)")
	fs.IntVar(&fileNumber, "file-number", 0, "CPA-005: file creation number, 1-9999, one more than the last file sent")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	e, ok := openflex.ParseEnvironment(env)
	if !ok {
		return usageError{"--env must be training or production"}
	}
	if !settlement.ValidDate(date) {
		return usageError{"--date YYYY-MM-DD is required"}
	}
	if file != "" {
		if e != openflex.Production {
			return usageError{"TRAINING writes no payment file: its settlements pay themselves"}
		}
		parts := strings.Split(returns, "-")
		if len(parts) != 3 {
			return usageError{"--return-account must be INSTITUTION-TRANSIT-ACCOUNT"}
		}
		o.Returns = openflex.BankAccount{Institution: parts[0], Transit: parts[1], Account: parts[2]}
		if err := o.Validate(); err != nil {
			return cliError(err)
		}
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	run := settlement.PayoutRun{Date: date, Originator: o, FileNumber: fileNumber}
	var tmp string
	if file != "" {
		// The file is written next to its destination and renamed into
		// place only once every settlement in it is paid.
		f, err := os.CreateTemp(filepath.Dir(file), ".cpa005-*")
		if err != nil {
			return err
		}
		tmp = f.Name()
		defer os.Remove(tmp)
		defer f.Close()
		run.File, run.Written = f, f.Close
	}
	res, err := m.Settlements[e].RunPayouts(ctx, run)
	for _, sk := range res.Skipped {
		fmt.Fprintf(stderr, "skipped %s of %s: %s\n", sk.Settlement.ID, sk.Settlement.MerchantID, sk.Reason)
	}
	if err != nil {
		return cliError(err)
	}
	if tmp != "" {
		if err := os.Rename(tmp, file); err != nil {
			return fmt.Errorf("the settlements are paid but the file stayed at %s: %w", tmp, err)
		}
	}
	fmt.Fprintf(stdout, "%s %s: %d settlements paid, %s\n", strings.ToUpper(string(e)), date, len(res.Paid), "$"+openflex.FormatCents(res.Total))
	if file != "" {
		fmt.Fprintf(stdout, "CPA-005 file %s: %d credits, file number %d\n", file, len(res.Paid), fileNumber)
	}
	return nil
}

// cmdSettlementsList prints the pending settlements of every merchant.
func cmdSettlementsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var env, date string
	fs := flag.NewFlagSet("settlements list", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&env, "env", "production", "environment: training or production")
	fs.StringVar(&date, "date", "", "business date YYYY-MM-DD (default: every pending settlement)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	e, ok := openflex.ParseEnvironment(env)
	if !ok {
		return usageError{"--env must be training or production"}
	}
	if date != "" && !settlement.ValidDate(date) {
		return usageError{"--date must be YYYY-MM-DD"}
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	due, err := m.Settlements[e].Due(ctx, date)
	if err != nil {
		return err
	}
	for _, st := range due {
		fmt.Fprintf(stdout, "%s %s %s %s\n", st.BusinessDate, st.ID, st.MerchantID, "$"+openflex.FormatCents(st.Amount()))
	}
	if len(due) == 0 {
		fmt.Fprintln(stdout, "no pending settlements")
	}
	return nil
}

// cmdMerchantBankAccount sets where a merchant's settlements are paid.
func cmdMerchantBankAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var merchantID string
	var b openflex.BankAccount
	fs := flag.NewFlagSet("merchant bank-account", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&merchantID, "merchant", "", "merchant id (mer_…)")
	fs.StringVar(&b.Institution, "institution", "", "financial institution number (3 digits)")
	fs.StringVar(&b.Transit, "transit", "", "branch transit number (5 digits)")
	fs.StringVar(&b.Account, "account", "", "account number (5 to 12 digits)")
	fs.StringVar(&b.HolderName, "holder-name", "", "account holder's name as the bank knows it: 1 to 30 characters, "+openflex.HolderNameChars)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return cliError(err)
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	if _, err := m.Stores.Control.Merchant(ctx, merchantID); err != nil {
		return cliError(err)
	}
	if err := m.Stores.Control.SetBankAccount(ctx, merchantID, b, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merchant %s is paid to %s (stored sealed)\n", merchantID, b.Masked())
	return nil
}
