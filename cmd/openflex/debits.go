package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
)

// cmdPaymentsDebitFile writes the day's due pre-authorized debits as a CPA
// Standard 005 file of D records under a new file number, and applies
// each debit's payment. A debit is claimed before the file is written, so
// running the command again never debits anyone twice.
func cmdPaymentsDebitFile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("payments debit-file", stdout)
	var date, file, returns string
	var o cpa005.Originator
	s.fs.StringVar(&date, "date", "", "take the debits due on or before this day, YYYY-MM-DD")
	s.fs.StringVar(&file, "cpa005", "", "write the CPA Standard 005 debit file here")
	s.fs.StringVar(&o.ID, "originator-id", "", "CPA-005: originator ID assigned by the lender's bank (up to 10 digits)")
	s.fs.StringVar(&o.ShortName, "originator-short-name", "", "CPA-005: name on the customer's bank statement (15)")
	s.fs.StringVar(&o.LongName, "originator-long-name", "", "CPA-005: the lender's full name (30)")
	s.fs.StringVar(&o.DataCentre, "data-centre", "", "CPA-005: destination data centre (5 digits)")
	s.fs.StringVar(&returns, "return-account", "", "CPA-005: lender account for returned debits, INSTITUTION-TRANSIT-ACCOUNT")
	s.fs.StringVar(&o.DebitTransactionCode, "transaction-code", cpa005.DebitCode, "CPA-005: transaction code of the debits (confirm it with the sponsoring bank)")
	defer s.close()
	usage := "openflex payments debit-file --date YYYY-MM-DD --cpa005 FILE --originator-id ID --originator-short-name NAME --originator-long-name NAME --data-centre NNNNN --return-account I-T-A [--env training|production]"
	if err := s.open(ctx, args, stderr, usage, func() bool { return date != "" && file != "" }); err != nil {
		return err
	}
	parts := strings.Split(returns, "-")
	if len(parts) != 3 {
		return usageError{"--return-account must be INSTITUTION-TRANSIT-ACCOUNT"}
	}
	o.Returns = openflex.BankAccount{Institution: parts[0], Transit: parts[1], Account: parts[2]}
	// Written beside the target and renamed into place when complete: a
	// half-written file never looks like one to send.
	tmp, err := os.CreateTemp(filepath.Dir(file), ".debits-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	res, err := s.m.PAD[s.e].DebitFile(ctx, date, o, tmp)
	if err != nil {
		tmp.Close()
		return cliError(err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	var total int64
	for _, d := range res.Debits {
		total += d.Amount
	}
	for _, o := range res.OneTime {
		total += o.Amount
	}
	fmt.Fprintf(stdout, "CPA-005 file %s: file number %d, %d debits, %s", file, res.FileNumber, len(res.Debits)+len(res.OneTime), dollars(total))
	if len(res.OneTime) > 0 {
		fmt.Fprintf(stdout, " (%d one-time payments)", len(res.OneTime))
	}
	fmt.Fprintln(stdout)
	for _, d := range res.Skipped {
		fmt.Fprintf(stdout, "  not taken: debit %s on account %s (%s)\n", d.ID, d.AccountNumber, d.Note)
	}
	for _, o := range res.OneTimeSkipped {
		fmt.Fprintf(stdout, "  not taken: one-time payment %s on account %s (%s)\n", o.ID, o.AccountNumber, o.Note)
	}
	return nil
}

// cmdPaymentsReturns applies the bank's file of returned items: each
// returned debit (J record) reverses its payment through the servicing
// engine (the NSF fee, the standing) and tells the customer.
func cmdPaymentsReturns(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("payments returns", stdout)
	var file string
	s.fs.StringVar(&file, "file", "", "the bank's CPA-005 file of returned items")
	defer s.close()
	usage := "openflex payments returns --file FILE [--env training|production]"
	if err := s.open(ctx, args, stderr, usage, func() bool { return file != "" }); err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	parsed, err := cpa005.Read(f)
	if err != nil {
		return err
	}
	out, err := s.m.PAD[s.e].Returns(ctx, parsed)
	if err != nil {
		return cliError(err)
	}
	failed := 0
	for _, o := range out {
		line := fmt.Sprintf("%s %s: %s", o.Reference, dollars(o.Amount), o.Result)
		if o.NSFFee > 0 {
			line += ", NSF fee " + dollars(o.NSFFee)
		}
		if o.Result != "returned" && o.Result != "already returned" {
			failed++
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%d returned debits in file %d of %s\n", len(out), parsed.FileNumber, parsed.Created.Format(time.DateOnly))
	if failed > 0 {
		return fmt.Errorf("%d returned items were not applied", failed)
	}
	return nil
}
