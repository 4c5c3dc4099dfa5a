package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/sqlstore"
)

// Config is the whole configuration, from flags and OPENFLEX_* variables.
type Config struct {
	Addr string
	// MetricsAddr is where GET /metrics is served, apart from the public
	// listener ("" serves it nowhere; serve defaults to 127.0.0.1:9090).
	MetricsAddr string
	// SMTPURL and SMSURL configure the PRODUCTION notifiers (email,
	// verification codes by text); TRAINING never sends.
	SMTPURL   string
	SMSURL    string
	SMSAPIKey string
	// GroupCommit batches concurrent SQLite writes into one commit on every
	// plane (by default only on the FULL ones: control and PRODUCTION);
	// NoGroupCommit turns it off everywhere.
	GroupCommit   bool
	NoGroupCommit bool
	// PublicURL is how browsers reach this server (hosted checkout links);
	// default http://Addr.
	PublicURL             string
	DataDir               string
	DatabaseURL           string
	TrainingDatabaseURL   string
	ProductionDatabaseURL string
	SchemaPrefix          string
	SecretKey             string
	TrustedProxies        []string
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
	// MessagesPerSecond is how many customer messages a node sends a
	// second at most (0: engine.DefaultMessageRate).
	MessagesPerSecond float64
	NoJobs            bool
	// WebhookBackoff and DeliverEvery override the webhook retry schedule
	// and polling period (tests).
	WebhookBackoff  func(attempt int) time.Duration
	DeliverEvery    time.Duration
	NoScrub         bool
	LogFormat       string
	ShutdownTimeout time.Duration

	// WebhooksAllowPrivate lets webhooks reach loopback, private and other
	// non-public addresses (local development; --demo turns it on).
	WebhooksAllowPrivate bool
	// WebhookResolver replaces the system resolver for webhook hosts
	// (tests play a DNS server with it).
	WebhookResolver netguard.Resolver
	// VerificationCodesPerKeySet is how many verification codes one key
	// set (or one merchant's clerk screens) may send per hour, over every
	// account (0: credit.DefaultVerificationLimits).
	VerificationCodesPerKeySet int
	// CreditAgreement and CreditAgreementFR are files holding the lender's
	// credit agreement (plain text, paragraphs separated by blank lines),
	// shown on the hosted checkout's application page; empty: the default.
	CreditAgreement   string
	CreditAgreementFR string
	// Lender is who the lender is to its customers: statements, the
	// pre-authorized debit agreement and customer messages all name it
	// from here. A zero Name means servicing.DefaultLender (the demo's);
	// DisputeDays 0 keeps the default's.
	Lender servicing.Lender
}

// LenderIdentity is the configured lender, or the demo lender when none is.
func (c *Config) LenderIdentity() servicing.Lender {
	l := c.Lender
	if l.Name == "" {
		l = servicing.DefaultLender
	}
	if l.DisputeDays == 0 {
		l.DisputeDays = servicing.DefaultLender.DisputeDays
	}
	return l
}

// Servicing is the servicing configuration accounts are run by: the
// defaults, with the configured lender.
func (c *Config) Servicing() (servicing.Config, error) {
	sc := servicing.DefaultConfig()
	sc.Lender = c.LenderIdentity()
	if l := sc.Lender; l.Phone == "" || l.Email == "" || l.Address == "" {
		// The PAD agreement gives the payee's contact details (Rule H1),
		// and statements tell customers how to reach the lender.
		return sc, errors.New("the lender's phone, email and mailing address are required with its name (--lender-phone, --lender-email, --lender-address)")
	}
	return sc, sc.Validate()
}

// Storage is the storage configuration, with the personal-data key.
func (c *Config) Storage(key []byte) sqlstore.Config {
	return sqlstore.Config{PIIKey: key, DataDir: c.DataDir, DatabaseURL: c.DatabaseURL,
		TrainingDatabaseURL: c.TrainingDatabaseURL, ProductionDatabaseURL: c.ProductionDatabaseURL, SchemaPrefix: c.SchemaPrefix, GroupCommit: c.GroupCommit, NoGroupCommit: c.NoGroupCommit}
}

// SecretKeyBytes returns the server's hashing key: --secret-key, or a key
// generated once into the data dir. Several nodes on one PostgreSQL must
// share it, so they must be given it explicitly.
func (c *Config) SecretKeyBytes() ([]byte, error) {
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
	if err := sqlstore.PrivateDir(c.DataDir); err != nil {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
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
	return c.SecretKeyBytes()
}

// Proxies parses the trusted proxies.
func (c *Config) Proxies() ([]netip.Prefix, error) {
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
