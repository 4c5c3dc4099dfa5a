package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/openflex/openflex/internal/servicing"
)

// storageFlags registers the flags every command that opens the stores has.
func storageFlags(c *Config, fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", "./openflex-data", "directory for the embedded SQLite databases and the generated secret key")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "PostgreSQL URL for every plane (postgres://…); empty: embedded SQLite")
	fs.StringVar(&c.TrainingDatabaseURL, "training-database-url", "", "PostgreSQL URL for the TRAINING data plane only")
	fs.StringVar(&c.ProductionDatabaseURL, "production-database-url", "", "PostgreSQL URL for the PRODUCTION data plane only")
	fs.StringVar(&c.SchemaPrefix, "schema-prefix", "openflex", "PostgreSQL schema name prefix: <prefix>_control, <prefix>_training, <prefix>_production")
	fs.StringVar(&c.SecretKey, "secret-key", "", "hex server key (≥32 bytes) for hashing secrets and tokens; default: generated into the data dir")
}

// lenderFlags registers who the lender is, for every command that may
// write a statement, an agreement or a customer message (serve, and the
// servicing commands). Set them once as OPENFLEX_LENDER_* so that they
// all agree.
func lenderFlags(c *Config, fs *flag.FlagSet) {
	d := servicing.DefaultLender
	fs.StringVar(&c.Lender.Name, "lender-name", d.Name, "the lender's name on statements, the pre-authorized debit agreement and customer messages")
	fs.StringVar(&c.Lender.Phone, "lender-phone", d.Phone, "the lender's customer service phone number, printed as given")
	fs.StringVar(&c.Lender.Email, "lender-email", d.Email, "the lender's customer service email address")
	fs.StringVar(&c.Lender.Address, "lender-address", d.Address, "the lender's mailing address, on one line (written disputes and cancellations)")
	fs.StringVar(&c.Lender.Website, "lender-website", d.Website, "the lender's website (empty: none)")
}

// takesArgument lists servicing's commands that take one positional
// argument (an account number, a statement, payment or clock id).
var takesArgument = map[string]bool{"accounts show": true, "accounts payoff": true, "accounts freeze": true, "accounts unfreeze": true, "accounts close": true,
	"statements show": true, "payments reverse": true, "test-clocks advance": true, "test-clocks attach": true}

// parse parses args, then fills every flag not given on the command line
// from OPENFLEX_<FLAG> (dashes become underscores).
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	// Flags may follow positional arguments (`merchant approve ID
	// --data-dir X`), as people type them; "--" still ends the flags.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return usageError{""}
			}
			return usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	// Parsing "--" alone sets no flag and leaves fs.Args() = positional.
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 && fs.Name() != "merchant approve" && fs.Name() != "applications decide" && fs.Name() != "plan copy" &&
		fs.Name() != "keys revoke" && fs.Name() != "keys roll" && !takesArgument[fs.Name()] {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		env := "OPENFLEX_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if lf, ok := f.Value.(*listFlag); ok {
				for _, item := range strings.Split(v, ",") {
					if item = strings.TrimSpace(item); item != "" {
						lf.Set(item)
					}
				}
				return
			}
			if serr := f.Value.Set(v); serr != nil {
				err = usageError{fmt.Sprintf("%s: %v", env, serr)}
			}
		}
	})
	return err
}

// listFlag is a repeatable flag (and a comma-separated variable).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
