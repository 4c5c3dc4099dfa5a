package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openflex/openflex/internal/sqlstore"
)

// Config is the whole configuration, from flags and OPENFLEX_* variables.
type Config struct {
	Addr                  string
	DataDir               string
	DatabaseURL           string
	TrainingDatabaseURL   string
	ProductionDatabaseURL string
	SchemaPrefix          string
	SecretKey             string
	TrustedProxies        listFlag
	RateTraining          float64
	RateProduction        float64
	Demo                  bool
	BureauURL             string
	BureauAPIKey          string
	BureauCert            string
	BureauKey             string
	BureauCA              string
	ProductionSimulator   bool
	HoldTTL               time.Duration
	NoJobs                bool
	NoScrub               bool
	LogFormat             string
	ShutdownTimeout       time.Duration
}

// storageFlags registers the flags every command that opens the stores has.
func (c *Config) storageFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", "./openflex-data", "directory for the embedded SQLite databases and the generated secret key")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "PostgreSQL URL for every plane (postgres://…); empty: embedded SQLite")
	fs.StringVar(&c.TrainingDatabaseURL, "training-database-url", "", "PostgreSQL URL for the TRAINING data plane only")
	fs.StringVar(&c.ProductionDatabaseURL, "production-database-url", "", "PostgreSQL URL for the PRODUCTION data plane only")
	fs.StringVar(&c.SchemaPrefix, "schema-prefix", "openflex", "PostgreSQL schema name prefix: <prefix>_control, <prefix>_training, <prefix>_production")
	fs.StringVar(&c.SecretKey, "secret-key", "", "hex server key (≥32 bytes) for hashing secrets and tokens; default: generated into the data dir")
}

func (c *Config) storage(key []byte) sqlstore.Config {
	return sqlstore.Config{PIIKey: key, DataDir: c.DataDir, DatabaseURL: c.DatabaseURL,
		TrainingDatabaseURL: c.TrainingDatabaseURL, ProductionDatabaseURL: c.ProductionDatabaseURL, SchemaPrefix: c.SchemaPrefix}
}

// parse parses args, then fills every flag not given on the command line
// from OPENFLEX_<FLAG> (dashes become underscores).
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError{""}
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 && fs.Name() != "merchant approve" {
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

// secretKey returns the server's hashing key: --secret-key, or a key
// generated once into the data dir. Several nodes on one PostgreSQL must
// share it, so they must be given it explicitly.
func (c *Config) secretKey() ([]byte, error) {
	if c.SecretKey != "" {
		k, err := hex.DecodeString(strings.TrimSpace(c.SecretKey))
		if err != nil || len(k) < 32 {
			return nil, errors.New("--secret-key must be at least 32 bytes, hex-encoded")
		}
		return k, nil
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("%s is not a hex key of at least 32 bytes", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	k := make([]byte, 32)
	if _, err := randRead(k); err != nil {
		return nil, err
	}
	// Written aside, then linked into place: two processes starting at once
	// both end up with whichever key landed first, never a torn file.
	tmp, err := os.CreateTemp(c.DataDir, ".secret.key.*")
	if err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return c.secretKey()
}

func (c *Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, raw := range c.TrustedProxies {
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			a, aerr := netip.ParseAddr(raw)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an IP or CIDR", raw)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
