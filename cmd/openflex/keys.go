package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
)

// withKeySet opens the stores and runs fn on the key set a lender's
// operator names (see keySetArg).
func withKeySet(ctx context.Context, c Config, arg string, fn func(m *Main, ks *openflex.KeySet) error) error {
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	ks, err := keySetArg(ctx, m, arg)
	if err != nil {
		return cliError(err)
	}
	return fn(m, ks)
}

// keySetArg finds the key set a lender's operator names, by its id (ks_…)
// or by its Client ID (ofk_…), the one a merchant reads out.
func keySetArg(ctx context.Context, m *Main, arg string) (*openflex.KeySet, error) {
	if strings.HasPrefix(arg, "ofk_") {
		return m.Stores.Control.KeySetByClientID(ctx, arg)
	}
	return m.Stores.Control.KeySet(ctx, arg)
}

// cmdKeysRevoke stops a key set, its secrets and its tokens on every node
// (a leaked key the merchant cannot revoke itself in time).
func cmdKeysRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := flag.NewFlagSet("keys revoke", flag.ContinueOnError)
	storageFlags(&c, fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: openflex keys revoke KEY_SET_ID|CLIENT_ID"}
	}
	return withKeySet(ctx, c, fs.Arg(0), func(m *Main, ks *openflex.KeySet) error {
		if err := m.Keys.Revoke(ctx, ks.ID, keys.Actor{Name: "cli"}); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "key set %s (%s) revoked: its secrets and tokens stop working on every node\n", ks.ID, ks.ClientID)
		return nil
	})
}

// cmdKeysRoll issues a new secret; the old ones keep working for
// --expires-in (at most 7 days; "now" retires them at once).
func cmdKeysRoll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var expiresIn string
	var asJSON bool
	fs := flag.NewFlagSet("keys roll", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&expiresIn, "expires-in", "24h", `how long the old secret keeps working: a duration up to 168h, or "now"`)
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: openflex keys roll KEY_SET_ID|CLIENT_ID [--expires-in 24h|now]"}
	}
	grace := keys.Immediately
	if expiresIn != "now" {
		d, err := time.ParseDuration(expiresIn)
		if err != nil || d <= 0 {
			return usageError{`--expires-in must be a positive duration such as 24h, or "now"`}
		}
		grace = d
	}
	return withKeySet(ctx, c, fs.Arg(0), func(m *Main, ks *openflex.KeySet) error {
		secret, err := m.Keys.Roll(ctx, ks.ID, grace, keys.Actor{Name: "cli"})
		if err != nil {
			return cliError(err)
		}
		if asJSON {
			return printJSON(stdout, keysOut{ID: ks.ID, Name: ks.Name, ClientID: ks.ClientID, ClientSecret: secret, Environment: string(ks.Environment)})
		}
		old := "the old secret stopped working"
		if grace != keys.Immediately {
			old = "the old secret keeps working for " + grace.String()
		}
		fmt.Fprintf(stdout, "%s key set %s rolled; %s (the new secret is shown only now):\n  client_id     %s\n  client_secret %s\n",
			strings.ToUpper(string(ks.Environment)), ks.ID, old, ks.ClientID, secret)
		return nil
	})
}
