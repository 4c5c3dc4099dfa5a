package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/sqlstore"
)

// Main is the platform as the command runs it.
type Main = app.Main

// Config is the platform's configuration.
type Config = app.Config

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "127.0.0.1:9090", "address serving GET /metrics (Prometheus), never the public listener; keep it on loopback or a private network; empty: no metrics")
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "SMTP relay for emails, smtp://user:pass@host:587?from=no-reply@lender.example")
	fs.StringVar(&c.SMSURL, "sms-url", "", "HTTP SMS gateway for PRODUCTION verification codes (JSON POST {to, body})")
	fs.StringVar(&c.SMSAPIKey, "sms-api-key", "", "bearer key for the SMS gateway")
	fs.BoolVar(&c.GroupCommit, "sqlite-group-commit", false, "batch concurrent SQLite write transactions into one commit on every plane, TRAINING included (default: on for control and PRODUCTION)")
	fs.BoolVar(&c.NoGroupCommit, "no-sqlite-group-commit", false, "turn SQLite group commit off on every plane (one commit, one fsync per write)")
	fs.StringVar(&c.PublicURL, "public-url", "", "URL browsers use to reach this server, for hosted checkout links (default http://ADDR)")
	storageFlags(&c, fs)
	lenderFlags(&c, fs)
	fs.Var((*listFlag)(&c.TrustedProxies), "trusted-proxies", "proxy IP or CIDR whose X-Forwarded-For is believed (repeatable)")
	fs.Float64Var(&c.RateTraining, "rate-limit-training", 25, "requests per second per TRAINING key set")
	fs.Float64Var(&c.RateProduction, "rate-limit-production", 100, "requests per second per PRODUCTION key set")
	fs.IntVar(&c.VerificationCodesPerKeySet, "verification-codes-per-key-set", credit.DefaultVerificationLimits().BudgetCodes, "verification codes one key set (or one merchant's clerk screens) may send per hour")
	fs.StringVar(&c.CreditAgreement, "credit-agreement", "", "file with the lender's credit agreement in English (plain text), shown on the hosted checkout's application page; default: a built-in one")
	fs.StringVar(&c.CreditAgreementFR, "credit-agreement-fr", "", "the same in French")
	fs.BoolVar(&c.Demo, "demo", false, "seed a demo merchant with stores, plans and TRAINING keys, and print them")
	fs.StringVar(&c.BureauURL, "bureau-url", "", "PRODUCTION credit bureau endpoint (https)")
	fs.StringVar(&c.BureauAPIKey, "bureau-api-key", "", "bearer key for the PRODUCTION credit bureau")
	fs.StringVar(&c.BureauCert, "bureau-cert", "", "client certificate (PEM) for mTLS to the bureau")
	fs.StringVar(&c.BureauKey, "bureau-key", "", "client key (PEM) for mTLS to the bureau")
	fs.StringVar(&c.BureauCA, "bureau-ca", "", "CA certificates (PEM) the bureau's certificate must chain to")
	fs.BoolVar(&c.ProductionSimulator, "production-simulator", false, "DEMOS ONLY: let PRODUCTION use the simulated bureau")
	fs.BoolVar(&c.WebhooksAllowPrivate, "webhooks-allow-private", false, "LOCAL DEVELOPMENT ONLY: let webhooks reach loopback, private and other non-public addresses (on with --demo)")
	fs.BoolVar(&c.NoJobs, "no-jobs", false, "do not run background jobs (expiry, clean-up, TRAINING scrub) on this node")
	fs.BoolVar(&c.NoScrub, "no-scrub", false, "do not scrub TRAINING on schedule")
	fs.DurationVar(&c.HoldTTL, "hold-ttl", 30*24*time.Hour, "how long an uncaptured authorization holds credit")
	fs.Float64Var(&c.MessagesPerSecond, "messages-per-second", engine.DefaultMessageRate, "customer messages (texts, emails) this node sends a second at most: your provider's sending rate")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may take to finish at shutdown")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if !(c.MessagesPerSecond > 0) { // NaN too
		return usageError{fmt.Sprintf("--messages-per-second %v: must be more than 0 (your provider's sending rate)", c.MessagesPerSecond)}
	}
	m := &Main{Config: c, Logger: newLogger(stderr, c.LogFormat), Out: stdout}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	if a := m.MetricsAddr(); a != "" {
		fmt.Fprintf(stdout, "Metrics on http://%s/metrics (not on the public address)\n", a)
	}
	fmt.Fprintf(stdout, "OpenFlex %s listening on http://%s (stop with Ctrl-C)\n", version, m.Addr())
	return m.Wait(ctx)
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	storageFlags(&c, fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	key, err := c.SecretKeyBytes()
	if err != nil {
		return err
	}
	s, err := sqlstore.Open(ctx, c.Storage(key))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied")
	return s.Close()
}
