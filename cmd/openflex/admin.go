package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/users"
)

// openAdmin opens the stores for a one-shot administrative command.
// Only serve and migrate may create a data directory: a command acting on
// existing data, run from the wrong folder, would otherwise make a new empty
// one with a new secret key and report success on data no server reads.
func openAdmin(ctx context.Context, c Config) (*Main, error) {
	if err := existingData(c); err != nil {
		return nil, err
	}
	m := &Main{Config: c}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// existingData reports, as an error naming the folder it looked in, why c
// has no data for a command to act on: the data directory must already hold
// the secret key (unless --secret-key gives it) and the control database
// (unless --database-url holds it).
func existingData(c Config) error {
	var missing []string
	if c.SecretKey == "" {
		missing = append(missing, "secret.key")
	}
	if c.DatabaseURL == "" {
		missing = append(missing, "control.db")
	}
	if len(missing) == 0 {
		return nil
	}
	dir, err := filepath.Abs(c.DataDir)
	if err != nil {
		dir = c.DataDir
	}
	for _, name := range missing {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("no OpenFlex data in %s (%s not found); this command works on an existing data directory and will not create one: "+
				"give it the server's --data-dir (or set OPENFLEX_DATA_DIR), or run it from the folder where `openflex serve` runs. "+
				"`openflex migrate` creates a new, empty one", dir, name)
		}
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cliError prints a domain error with all its field problems.
func cliError(err error) error {
	e, ok := err.(*openflex.Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Param, f.Message)
	}
	return fmt.Errorf("%s%s", e.Code, b.String())
}

type storeOut struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Province string `json:"province"`
}

type keysOut struct {
	ID           string `json:"id,omitempty"` // the key set (ks_…), as the portal and audit log name it
	Name         string `json:"name,omitempty"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Environment  string `json:"environment,omitempty"`
}

func cmdMerchantCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var name, email string
	var stores listFlag
	var asJSON bool
	fs := flag.NewFlagSet("merchant create", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&name, "name", "", "merchant name")
	fs.StringVar(&email, "email", "", "merchant developer's email")
	fs.Var(&stores, "store", "a store, NAME[:PROVINCE] (default province ON; repeatable)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	var ns []merchant.NewStore
	for _, s := range stores {
		n, prov, found := strings.Cut(s, ":")
		if !found {
			prov = "ON"
		}
		ns = append(ns, merchant.NewStore{Name: n, Province: openflex.Province(strings.ToUpper(prov))})
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	mer, sts, err := m.Merchants.Create(ctx, name, email, ns, "cli")
	if err != nil {
		return cliError(err)
	}
	ks, secret, err := m.Keys.Create(ctx, keys.NewKeySet{MerchantID: mer.ID, Environment: openflex.Training, Name: "default"}, keys.Actor{Name: "cli"})
	if err != nil {
		return cliError(err)
	}
	password := users.GeneratePassword()
	if _, err := m.Users.Bootstrap(ctx, mer.Email, password, mer.ID, users.RoleMerchant); err != nil {
		return cliError(err)
	}
	out := struct {
		MerchantID string     `json:"merchant_id"`
		Stores     []storeOut `json:"stores"`
		Portal     struct {
			Email    string `json:"email"`
			Password string `json:"password"`
		} `json:"portal"`
		Keys struct {
			Training keysOut `json:"training"`
		} `json:"keys"`
	}{MerchantID: mer.ID, Stores: []storeOut{}}
	out.Portal.Email, out.Portal.Password = mer.Email, password
	for _, s := range sts {
		out.Stores = append(out.Stores, storeOut{ID: s.ID, Name: s.Name, Province: string(s.Province)})
	}
	out.Keys.Training = keysOut{ID: ks.ID, Name: ks.Name, ClientID: ks.ClientID, ClientSecret: secret}
	if asJSON {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "merchant %s (%s)\n", mer.ID, mer.Name)
	for _, s := range sts {
		fmt.Fprintf(stdout, "  store %s %s (%s)\n", s.ID, s.Name, s.Province)
	}
	fmt.Fprintf(stdout, "Developer Portal login (change the password after signing in):\n  email    %s\n  password %s\n", mer.Email, password)
	fmt.Fprintf(stdout, "TRAINING keys (the secret is shown only now):\n  client_id     %s\n  client_secret %s\n", ks.ClientID, secret)
	return nil
}

func cmdMerchantApprove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := flag.NewFlagSet("merchant approve", flag.ContinueOnError)
	storageFlags(&c, fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: openflex merchant approve MERCHANT_ID"}
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Merchants.Approve(ctx, fs.Arg(0), "cli"); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "merchant %s approved for PRODUCTION\n", fs.Arg(0))
	return nil
}

func cmdKeysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var merchantID, env, name string
	var ips, urls listFlag
	var asJSON bool
	fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&merchantID, "merchant", "", "merchant id (mer_…)")
	fs.StringVar(&env, "env", "training", "environment: training or production")
	fs.StringVar(&name, "name", "", "a label for the key set (e.g. the storefront or POS it serves)")
	fs.Var(&ips, "trusted-ip", "Trust IP or CIDR (repeatable; required in production)")
	fs.Var(&urls, "trusted-url", "Trust URL origin such as https://shop.example.com (repeatable)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
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
	ks, secret, err := m.Keys.Create(ctx, keys.NewKeySet{MerchantID: merchantID, Environment: e, Name: name, TrustIPs: ips, TrustURLs: urls}, keys.Actor{Name: "cli"})
	if err != nil {
		return cliError(err)
	}
	if asJSON {
		return printJSON(stdout, keysOut{ID: ks.ID, Name: ks.Name, ClientID: ks.ClientID, ClientSecret: secret, Environment: string(ks.Environment)})
	}
	fmt.Fprintf(stdout, "%s key set %s (the secret is shown only now):\n  client_id     %s\n  client_secret %s\n",
		strings.ToUpper(string(ks.Environment)), ks.ID, ks.ClientID, secret)
	return nil
}

// cmdAdminCreate creates a lender staff account for the admin console.
func cmdAdminCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var email, role string
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	storageFlags(&c, fs)
	fs.StringVar(&email, "email", "", "the staff member's email")
	fs.StringVar(&role, "role", "admin", "admin (everything) or agent (the account desk: read, notes, freeze)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	m, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer m.Close()
	password := users.GeneratePassword()
	if _, err := m.Users.BootstrapStaff(ctx, email, password, users.Role(role)); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "admin console: /portal/admin\n  email    %s\n  role     %s\n  password %s\n", email, role, password)
	return nil
}
