// Command openflex runs the OpenFlex platform: the merchant API, and the
// lender's command-line administration. `openflex help` lists the
// commands (the table in main.go), `openflex GROUP` a group's
// subcommands, and `openflex COMMAND -h` a command's flags. Every flag also
// reads OPENFLEX_<FLAG> from the environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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

// command is one entry of the command table: its name (one word, or a
// group and a word), its line in the usage, and what runs it.
type command struct {
	name, about string
	run         func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the CLI's one command table: dispatch, the usage text and
// each group's list of subcommands all come from it.
var commands = []command{
	{"serve", "run the API server (embedded SQLite by default)", cmdServe},
	{"migrate", "apply database migrations and exit", cmdMigrate},
	{"merchant create", "onboard a merchant with stores and TRAINING keys", cmdMerchantCreate},
	{"merchant approve", "approve a merchant's go-live (allows PRODUCTION keys)", cmdMerchantApprove},
	{"merchant bank-account", "set where a merchant's settlements are paid (stored sealed)", cmdMerchantBankAccount},
	{"keys create", "create a key set for a merchant", cmdKeysCreate},
	{"keys revoke", "stop a key set, its secrets and tokens on every node", cmdKeysRevoke},
	{"keys roll", "issue a key set's new secret (--expires-in now: the old one stops at once)", cmdKeysRoll},
	{"plan create", "set up a financing plan for a merchant in one environment", cmdPlanCreate},
	{"plan copy", "copy a plan to the other environment (a new plan, a new id)", cmdPlanCopy},
	{"applications pending", "list applications waiting for lender review", cmdApplicationsPending},
	{"applications decide", "approve or decline a pending application", cmdApplicationsDecide},
	{"admin create", "create a lender staff account for the admin console (/portal/admin)", cmdAdminCreate},
	{"consents list", "show which merchants hold a customer's consent on an account", cmdConsentsList},
	{"consents revoke", "end a merchant's consent on an account (lender staff)", cmdConsentsRevoke},
	{"scrub", "delete TRAINING data (never PRODUCTION)", cmdScrub},
	{"verify", "recompute every balance from the ledger; non-zero exit on mismatch", cmdVerify},
	{"accounts show", "an account's balances, standing and segments", cmdAccountsShow},
	{"accounts payoff", "what pays off an account or one plan on a day (--plan ID --date D)", cmdAccountsPayoff},
	{"accounts freeze", "stop purchases on an account (lender staff, with --reason)", cmdAccountsStaff(servicing.ActionFreeze)},
	{"accounts unfreeze", "lift a freeze (lender staff, with --reason)", cmdAccountsStaff(servicing.ActionUnfreeze)},
	{"accounts close", "close an account for good (lender staff, with --reason)", cmdAccountsStaff(servicing.ActionClose)},
	{"statements list", "an account's statements (--account NUMBER)", cmdStatementsList},
	{"statements show", "a statement as the customer reads it", cmdStatementsShow},
	{"payments create", "record a payment the lender received (bank bill payment, cheque, debit)", cmdPaymentsCreate},
	{"payments reverse", "undo a payment (--returned: the bank returned it; the NSF fee applies)", cmdPaymentsReverse},
	{"payments debit-file", "write the day's pre-authorized debits as a CPA-005 file (--date D --cpa005 FILE)", cmdPaymentsDebitFile},
	{"payments returns", "apply the bank's returned debits (--file F: CPA-005 J records)", cmdPaymentsReturns},
	{"test-clocks create", "create a TRAINING test clock for a merchant", cmdTestClocksCreate},
	{"test-clocks advance", "move a TRAINING test clock forward, servicing its accounts", cmdTestClocksAdvance},
	{"test-clocks attach", "put a TRAINING account on a test clock", cmdTestClocksAttach},
	{"settlements list", "list pending settlements", cmdSettlementsList},
	{"settlements pay", "pay a business date's settlements (--cpa005 FILE: write the bank's credit file)", cmdSettlementsPay},
	{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
		fmt.Fprintln(stdout, "openflex", version)
		return nil
	}},
}

const usageFoot = `Run 'openflex <command> -h' for a command's flags. Every flag also reads
OPENFLEX_<FLAG> from the environment (--data-dir: OPENFLEX_DATA_DIR).
Only serve and migrate create a data directory; every other command needs
the server's (default ./openflex-data, relative to the current folder).`

// usage lists the commands whose names start with prefix ("" for all).
func usage(prefix string) string {
	var b strings.Builder
	if prefix == "" {
		b.WriteString("usage: openflex <command> [flags]\n\ncommands:\n")
	} else {
		fmt.Fprintf(&b, "usage: openflex %s <command> [flags]\n\ncommands:\n", prefix)
	}
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		if prefix == "" || strings.HasPrefix(c.name, prefix+" ") {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, c.name, c.about)
		}
	}
	b.WriteString("\n" + usageFoot)
	return b.String()
}

// run is the one entry point; main is the one exit point.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{usage("")}
	}
	switch args[0] {
	case "-version", "--version":
		args[0] = "version"
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage(""))
		return nil
	}
	group := false
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
		if len(args) > 1 && c.name == args[0]+" "+args[1] {
			return c.run(ctx, args[2:], stdout, stderr)
		}
		group = group || strings.HasPrefix(c.name, args[0]+" ")
	}
	if group {
		// `openflex merchant` alone (or with an unknown word) lists the
		// group's subcommands.
		if len(args) == 1 || args[1] == "-h" || args[1] == "--help" || args[1] == "help" {
			return usageError{usage(args[0])}
		}
		return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0]+" "+args[1], usage(args[0]))}
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage(""))}
}
