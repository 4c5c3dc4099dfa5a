// Command openflex runs the OpenFlex platform: the merchant API, and the
// lender's command-line administration.
//
//	openflex serve [--addr 127.0.0.1:8080] [--data-dir ./openflex-data] [--database-url postgres://…] [--demo]
//	openflex migrate
//	openflex merchant create --name NAME --email EMAIL [--store NAME[:PROVINCE]]… [--json]
//	openflex merchant approve ID
//	openflex keys create --merchant ID --env training|production [--trusted-ip CIDR]… [--trusted-url URL]… [--json]
//	openflex keys revoke KEY_SET_ID|CLIENT_ID
//	openflex keys roll KEY_SET_ID|CLIENT_ID [--expires-in 24h|now] [--json]
//	openflex plan create --merchant ID --env training|production --name NAME [--name-fr NOM] --category regular|equal_payments|deferred --months N --rate 29.99 [--admin-fee CENTS] [--json]
//	openflex plan copy PLAN_ID --to production|training [--json]
//	openflex admin create --email EMAIL
//	openflex consents list [--env production] --account NUMBER
//	openflex consents revoke [--env production] --merchant ID --account NUMBER [--reason TEXT]
//	openflex scrub --env training [--older-than 24h]
//	openflex verify
//	openflex accounts show NUMBER [--env production] [--json]
//	openflex accounts freeze|unfreeze|close NUMBER --reason TEXT [--staff NAME] [--env production] [--json]
//	openflex statements list --account NUMBER [--json] | statements show ID [--json]
//	openflex payments create --account NUMBER --amount CENTS [--channel bank|cheque|debit] [--json]
//	openflex payments reverse ID --reason TEXT [--returned] [--json]
//	openflex payments debit-file --date YYYY-MM-DD --cpa005 FILE --originator-id ID … --return-account I-T-A
//	openflex payments returns --file FILE
//	openflex test-clocks create|advance|attach … (TRAINING)
//	openflex settlements list|pay --date YYYY-MM-DD [--env production] [--cpa005 FILE …]
//	openflex merchant bank-account --merchant ID --institution NNN --transit NNNNN --account N --holder-name NAME
//	openflex version
//
// Every flag also reads OPENFLEX_<FLAG> from the environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/servicing"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	app.Version = version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "openflex:", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

const usage = `usage: openflex <command> [flags]

commands:
  serve             run the API server (embedded SQLite by default)
  migrate           apply database migrations and exit
  merchant create   onboard a merchant with stores and TRAINING keys
  merchant approve  approve a merchant's go-live (allows PRODUCTION keys)
  keys create       create a key set for a merchant
  keys revoke       stop a key set, its secrets and tokens on every node
  keys roll         issue a key set's new secret (--expires-in now: the old one stops at once)
  plan create       set up a financing plan for a merchant in one environment
  plan copy         copy a plan to the other environment (a new plan, a new id)
  applications pending   list applications waiting for lender review
  applications decide    approve or decline a pending application
  admin create      create a lender staff account for the admin console (/portal/admin)
  consents list     show which merchants hold a customer's consent on an account
  consents revoke   end a merchant's consent on an account (lender staff)
  scrub             delete TRAINING data (never PRODUCTION)
  verify            recompute every balance from the ledger; non-zero exit on mismatch
  accounts show     an account's balances, standing and segments
  accounts freeze   stop purchases on an account (lender staff, with --reason)
  accounts unfreeze lift a freeze (lender staff, with --reason)
  accounts close    close an account for good (lender staff, with --reason)
  statements list   an account's statements (--account NUMBER)
  statements show   a statement as the customer reads it
  payments create   record a payment the lender received (bank bill payment, cheque, debit)
  payments reverse  undo a payment (--returned: the bank returned it; the NSF fee applies)
  payments debit-file  write the day's pre-authorized debits as a CPA-005 file (--date D --cpa005 FILE)
  payments returns  apply the bank's returned debits (--file F: CPA-005 J records)
  test-clocks create|advance|attach  TRAINING test clocks for a merchant
  settlements list  list pending settlements
  settlements pay   pay a business date's settlements (--cpa005 FILE: write the bank's credit file)
  merchant bank-account  set where a merchant's settlements are paid (stored sealed)
  version           print the version

Run 'openflex <command> -h' for a command's flags. Every flag also reads
OPENFLEX_<FLAG> from the environment (--data-dir: OPENFLEX_DATA_DIR).
Only serve and migrate create a data directory; every other command needs
the server's (default ./openflex-data, relative to the current folder).`

// run is the one entry point; main is the one exit point.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{usage}
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "merchant" || cmd == "keys" || cmd == "plan" || cmd == "admin" || cmd == "applications" || cmd == "consents" || cmd == "settlements" ||
		cmd == "accounts" || cmd == "statements" || cmd == "payments" || cmd == "test-clocks") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "merchant create":
		return cmdMerchantCreate(ctx, rest, stdout, stderr)
	case "merchant approve":
		return cmdMerchantApprove(ctx, rest, stdout, stderr)
	case "keys create":
		return cmdKeysCreate(ctx, rest, stdout, stderr)
	case "keys revoke":
		return cmdKeysRevoke(ctx, rest, stdout, stderr)
	case "keys roll":
		return cmdKeysRoll(ctx, rest, stdout, stderr)
	case "plan create":
		return cmdPlanCreate(ctx, rest, stdout, stderr)
	case "plan copy":
		return cmdPlanCopy(ctx, rest, stdout, stderr)
	case "applications pending":
		return cmdApplicationsPending(ctx, rest, stdout, stderr)
	case "applications decide":
		return cmdApplicationsDecide(ctx, rest, stdout, stderr)
	case "admin create":
		return cmdAdminCreate(ctx, rest, stdout, stderr)
	case "consents list":
		return cmdConsentsList(ctx, rest, stdout, stderr)
	case "consents revoke":
		return cmdConsentsRevoke(ctx, rest, stdout, stderr)
	case "scrub":
		return cmdScrub(ctx, rest, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, rest, stdout, stderr)
	case "settlements pay":
		return cmdSettlementsPay(ctx, rest, stdout, stderr)
	case "settlements list":
		return cmdSettlementsList(ctx, rest, stdout, stderr)
	case "accounts show":
		return cmdAccountsShow(ctx, rest, stdout, stderr)
	case "accounts freeze":
		return cmdAccountsStaff(servicing.ActionFreeze)(ctx, rest, stdout, stderr)
	case "accounts unfreeze":
		return cmdAccountsStaff(servicing.ActionUnfreeze)(ctx, rest, stdout, stderr)
	case "accounts close":
		return cmdAccountsStaff(servicing.ActionClose)(ctx, rest, stdout, stderr)
	case "statements list":
		return cmdStatementsList(ctx, rest, stdout, stderr)
	case "statements show":
		return cmdStatementsShow(ctx, rest, stdout, stderr)
	case "payments create":
		return cmdPaymentsCreate(ctx, rest, stdout, stderr)
	case "payments reverse":
		return cmdPaymentsReverse(ctx, rest, stdout, stderr)
	case "payments debit-file":
		return cmdPaymentsDebitFile(ctx, rest, stdout, stderr)
	case "payments returns":
		return cmdPaymentsReturns(ctx, rest, stdout, stderr)
	case "test-clocks create":
		return cmdTestClocksCreate(ctx, rest, stdout, stderr)
	case "test-clocks advance":
		return cmdTestClocksAdvance(ctx, rest, stdout, stderr)
	case "test-clocks attach":
		return cmdTestClocksAttach(ctx, rest, stdout, stderr)
	case "merchant bank-account":
		return cmdMerchantBankAccount(ctx, rest, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "openflex", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", cmd, usage)}
}
