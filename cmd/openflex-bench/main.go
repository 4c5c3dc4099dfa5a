// Command openflex-bench drives an OpenFlex server with the purchase
// workload of a point-of-sale lender and reports what it sustained.
//
//	openflex-bench --spawn [--database-url postgres://…] [--env training|production] [flags]
//	openflex-bench --url http://host:8080 --client-id ofk_train_… --client-secret ofs_train_… --store str_… [flags]
//
// It creates --accounts approved credit accounts through the API
// (POST /v1/applications), then runs the purchase mix for --duration:
// authorizations (with an Idempotency-Key), captures (a partial one, then a
// final one that releases the rest), partial returns, account look-ups,
// pages of a store's transactions and, now and then, a new access token.
//
// With --rate it is an open-loop test: requests start on a fixed schedule
// whatever the server does, and each latency is measured from the time the
// request was due, so a stalled server shows as latency rather than as a
// quietly lower request rate (no coordinated omission). With --concurrency
// it is a closed loop: that many workers each send the next request when
// the last one answers.
//
// The report gives the offered and achieved rates, latency percentiles per
// operation, errors by HTTP status and error code and, for a spawned server,
// its peak memory; --json prints it as one JSON document.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, "openflex-bench:", err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "openflex-bench:", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// options are the command-line flags.
type options struct {
	URL           string
	MetricsURL    string
	Spawn         bool
	DatabaseURL   string
	GroupCommit   bool
	NoGroupCommit bool
	Env           string
	ClientID      string
	ClientSecret  string
	StoreID       string

	Accounts         int
	SetupConcurrency int
	Rate             float64
	Concurrency      int
	Duration         time.Duration
	Warmup           time.Duration
	CPUProfile       string
	Trace            string
	Drain            time.Duration
	Timeout          time.Duration
	MaxInflight      int
	Conns            int
	Mix              mix
	FinancingShare   float64
	Idempotency      string
	Seed             uint64
	MemEvery         time.Duration

	// StatementRun is the servicing scenario's account count (0: off).
	StatementRun     int
	StatementWorkers int
	// StatementSeedOnly seeds the scenario's accounts and stops;
	// StatementSeeded times a run over accounts a seed-only run left in
	// DataDir or the schemas of SchemaPrefix.
	StatementSeedOnly bool
	StatementSeeded   bool
	DataDir           string
	SchemaPrefix      string

	JSON    bool
	Label   string
	Keep    bool
	Verbose bool
}

const usageText = `usage: openflex-bench (--spawn | --url URL --client-id ID --client-secret SECRET --store STORE) [flags]

Drives an OpenFlex server with the purchase mix and reports rates, latency
percentiles per operation, errors and (spawned) peak memory.

Open loop (fixed arrival rate, latency from each request's due time):
  openflex-bench --spawn --rate 200 --duration 30s
Closed loop (N workers, each waits for its answer):
  openflex-bench --spawn --concurrency 16 --duration 30s
On PostgreSQL, with PRODUCTION keys (synchronous=FULL on SQLite):
  openflex-bench --spawn --database-url postgres://… --env production --rate 200

flags:
`

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{Mix: defaultMix()}
	fs := flag.NewFlagSet("openflex-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.URL, "url", "", "base URL of a running server (http://127.0.0.1:8080)")
	fs.StringVar(&o.MetricsURL, "metrics-url", "http://127.0.0.1:9090/metrics", "with --url: the server's metrics (its serve --metrics-addr; the public address does not serve them), for CPU and memory")
	fs.BoolVar(&o.Spawn, "spawn", false, "start the platform in this process on a temporary data dir (or --database-url)")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "with --spawn: PostgreSQL URL (fresh schemas, dropped afterwards unless --keep); default SQLite")
	fs.BoolVar(&o.GroupCommit, "group-commit", false, "with --spawn on SQLite: group commit on every plane, TRAINING included (app.Config.GroupCommit; default: control and PRODUCTION only)")
	fs.BoolVar(&o.NoGroupCommit, "no-group-commit", false, "with --spawn on SQLite: group commit off on every plane (app.Config.NoGroupCommit)")
	fs.StringVar(&o.Env, "env", "training", "with --spawn: key set environment, training (SQLite synchronous=NORMAL) or production (synchronous=FULL)")
	fs.StringVar(&o.ClientID, "client-id", "", "with --url: Client ID of an existing key set")
	fs.StringVar(&o.ClientSecret, "client-secret", "", "with --url: its Client Secret")
	fs.StringVar(&o.StoreID, "store", "", "with --url: store id the purchases and applications use (comma-separated for several)")
	fs.IntVar(&o.Accounts, "accounts", 100, "credit accounts to create before the run")
	fs.IntVar(&o.SetupConcurrency, "setup-concurrency", 8, "parallel applications while creating accounts")
	fs.Float64Var(&o.Rate, "rate", 0, "open loop: requests per second (default 50 when --concurrency is not set)")
	fs.IntVar(&o.Concurrency, "concurrency", 0, "closed loop: number of workers")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "measured run length")
	fs.DurationVar(&o.Warmup, "warmup", 0, "unmeasured load before the measured run")
	fs.StringVar(&o.Trace, "trace", "", "write an execution trace (runtime/trace) of the first 2 s of the measured run to this file (with --spawn: where the writer waits, `go tool trace -pprof=sched`)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile (pprof) of the measured run to this file (with --spawn: server and load generator)")
	fs.DurationVar(&o.Drain, "drain", 30*time.Second, "how long to wait for outstanding requests after the run")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "per-request timeout")
	fs.IntVar(&o.MaxInflight, "max-inflight", 2048, "open loop: most requests outstanding at once (later ones wait, their latency still counted from their due time)")
	fs.IntVar(&o.Conns, "conns", 64, "most keep-alive connections to the server")
	fs.Var(&o.Mix, "mix", "operation weights, op=weight,… of "+strings.Join(opWeightNames(), ", ")+" (default "+defaultMixString+")")
	fs.Float64Var(&o.FinancingShare, "financing", 0.5, "share of authorizations that choose a financing plan (0 to 1)")
	fs.StringVar(&o.Idempotency, "idempotency", "all", "which POSTs send an Idempotency-Key: all, authorizations or none")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed of the mix and amounts")
	fs.DurationVar(&o.MemEvery, "mem-every", 100*time.Millisecond, "memory sampling period (spawned: runtime.ReadMemStats; --url: GET --metrics-url, at least 1s)")
	fs.IntVar(&o.StatementRun, "statement-run", 0, "with --spawn: seed this many accounts (a purchase and a payment each; 100 built through the services, the rest copies of them) and time their statement day's run while the mix runs (docs/scaling.md)")
	fs.IntVar(&o.StatementWorkers, "statement-workers", 4, "with --statement-run: transactions the daily job runs at once (PostgreSQL; SQLite's one writer takes one)")
	fs.BoolVar(&o.StatementSeedOnly, "statement-seed-only", false, "with --statement-run: seed the accounts, keep them (--data-dir or --schema-prefix) and stop; a million accounts' copy takes several minutes, a run over a saved copy of them none")
	fs.BoolVar(&o.StatementSeeded, "statement-seeded", false, "with --statement-run: the accounts are already there (a --statement-seed-only run's, in --data-dir or --schema-prefix): time their statement day without seeding")
	fs.StringVar(&o.DataDir, "data-dir", "", "with --spawn: this data dir (the SQLite databases and the personal-data key), kept afterwards, instead of a temporary one")
	fs.StringVar(&o.SchemaPrefix, "schema-prefix", "", "with --spawn and --database-url: these schemas (PREFIX_control…), kept afterwards, instead of fresh ones")
	fs.BoolVar(&o.JSON, "json", false, "print the report as one JSON document")
	fs.StringVar(&o.Label, "label", "", "name of this run, copied into the report")
	fs.BoolVar(&o.Keep, "keep", false, "with --spawn: keep the data dir (or PostgreSQL schemas) and print where")
	fs.BoolVar(&o.Verbose, "v", false, "log progress and the spawned server's warnings to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected arguments: %v", fs.Args())
	}
	return o, o.validate()
}

func (o *options) validate() error {
	switch {
	case o.Spawn && o.URL != "":
		return usagef("--spawn and --url are exclusive")
	case !o.Spawn && o.URL == "":
		return usagef("say which server: --spawn, or --url with --client-id, --client-secret and --store")
	case o.URL != "" && (o.ClientID == "" || o.ClientSecret == "" || o.StoreID == ""):
		return usagef("--url needs --client-id, --client-secret and --store")
	case o.GroupCommit && o.NoGroupCommit:
		return usagef("--group-commit and --no-group-commit contradict each other")
	case !o.Spawn && (o.DatabaseURL != "" || o.GroupCommit || o.NoGroupCommit || o.Keep):
		return usagef("--database-url, --group-commit and --keep need --spawn")
	case o.GroupCommit && o.DatabaseURL != "":
		return usagef("--group-commit is SQLite's: PostgreSQL commits its own way")
	case o.Env != "training" && o.Env != "production":
		return usagef("--env must be training or production")
	case o.Rate < 0 || o.Concurrency < 0:
		return usagef("--rate and --concurrency must not be negative")
	case o.Rate > 0 && o.Concurrency > 0:
		return usagef("--rate (open loop) and --concurrency (closed loop) are exclusive")
	case o.Duration <= 0:
		return usagef("--duration must be positive")
	case o.Warmup < 0 || o.Drain < 0 || o.Timeout <= 0:
		return usagef("--warmup and --drain must not be negative, --timeout must be positive")
	case o.Accounts < 1 || o.SetupConcurrency < 1 || o.MaxInflight < 1 || o.Conns < 1:
		return usagef("--accounts, --setup-concurrency, --max-inflight and --conns must be at least 1")
	case o.FinancingShare < 0 || o.FinancingShare > 1:
		return usagef("--financing must be between 0 and 1")
	case o.Idempotency != "all" && o.Idempotency != "authorizations" && o.Idempotency != "none":
		return usagef("--idempotency must be all, authorizations or none")
	case o.MemEvery <= 0:
		return usagef("--mem-every must be positive")
	case o.StatementRun < 0 || o.StatementWorkers < 1:
		return usagef("--statement-run must not be negative, --statement-workers at least 1")
	case o.StatementRun > 0 && !o.Spawn:
		return usagef("--statement-run needs --spawn: it seeds the accounts in the server's own database")
	case (o.StatementSeedOnly || o.StatementSeeded) && o.StatementRun == 0:
		return usagef("--statement-seed-only and --statement-seeded need --statement-run")
	case o.StatementSeedOnly && o.StatementSeeded:
		return usagef("--statement-seed-only and --statement-seeded exclude each other")
	case (o.StatementSeedOnly || o.StatementSeeded) && o.DatabaseURL != "" && o.SchemaPrefix == "":
		return usagef("--statement-seed-only and --statement-seeded on PostgreSQL need --schema-prefix")
	case o.SchemaPrefix != "" && o.DatabaseURL == "":
		return usagef("--schema-prefix needs --database-url")
	case (o.StatementSeedOnly || o.StatementSeeded) && o.DataDir == "":
		return usagef("--statement-seed-only and --statement-seeded need --data-dir: it keeps the key the customers' personal data is sealed with (and SQLite's databases)")
	}
	if o.Rate == 0 && o.Concurrency == 0 {
		o.Rate = 50
	}
	return o.Mix.validate()
}

// run is the whole command: set up, load, report. Its error is the exit
// status; an interrupted run still reports what it measured.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) {
		if o.Verbose {
			fmt.Fprintf(stderr, "openflex-bench: "+format+"\n", args...)
		}
	}
	var tg *target
	if o.Spawn {
		tg, err = spawn(ctx, o, stderr, logf)
	} else {
		tg, err = remote(o)
	}
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tg.close()) }()

	c := newClient(tg.url, tg.clientID, tg.clientSecret, o)
	defer c.http.CloseIdleConnections()
	setupStart := time.Now()
	if err := c.refreshToken(ctx); err != nil {
		return fmt.Errorf("get an access token: %w", err)
	}
	w, err := newWorkload(ctx, c, tg, o)
	if err != nil {
		return err
	}
	logf("creating %d accounts through POST /v1/applications", o.Accounts)
	if err := w.createAccounts(ctx, o.Accounts, o.SetupConcurrency); err != nil {
		return fmt.Errorf("create accounts: %w", err)
	}
	took := time.Since(setupStart).Seconds()
	setup := setupReport{Accounts: len(w.accounts), Seconds: round2(took), ApplicationsPerSecond: round2(float64(len(w.accounts)) / took)}
	var sr *statementRun
	if o.StatementRun > 0 {
		if sr, err = seedStatementRun(ctx, tg, o.StatementRun, o.StatementWorkers, o.StatementSeeded, logf); err != nil {
			return fmt.Errorf("statement run: %w", err)
		}
		if o.StatementSeedOnly {
			fmt.Fprintf(stdout, "seeded %d accounts for a statement run (%d built in %.1fs, copied in %.1fs)\n", sr.rep.Accounts, sr.rep.Templates,
				sr.rep.SeedSeconds, sr.rep.CloneSeconds)
			return nil
		}
	}
	logf("%d accounts in %.2fs; running %s for %s", setup.Accounts, took, o.loopName(), o.Duration)

	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	if o.Trace != "" {
		f, err := os.Create(o.Trace)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			return err
		}
		// A trace grows by megabytes a second under load: two seconds
		// show the steady state.
		stop := time.AfterFunc(2*time.Second, trace.Stop)
		defer func() {
			if stop.Stop() {
				trace.Stop()
			}
		}()
	}
	var (
		ms      runtime.MemStats
		mallocs uint64
		cpu     *cpuMeter
	)
	w.measure = func() { // CPU and allocations of the measured window, not of the warm-up
		runtime.ReadMemStats(&ms)
		mallocs, cpu = ms.Mallocs, tg.cpu()
	}
	mem := tg.memory(o.MemEvery)
	if sr != nil {
		go sr.run(ctx)
	}
	res := w.drive(ctx, o, tg.quiet)
	if sr != nil {
		<-sr.done
	}
	cpuRep := cpu.stop()
	memRep := mem.stop()
	if o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	runtime.ReadMemStats(&ms)
	rep := buildReport(o, tg, setup, res, w.rec, memRep, cpuRep)
	if sr != nil {
		rep.StatementRun = sr.rep
	}
	if o.Spawn && rep.Totals.Completed > 0 {
		a := round2(float64(ms.Mallocs-mallocs) / float64(rep.Totals.Completed))
		rep.AllocsPerRequest = &a
	}
	if n, ok := tg.outboxBacklog(context.WithoutCancel(ctx)); ok {
		rep.OutboxBacklog = &n
		var moves float64
		for _, op := range rep.Operations {
			switch op.Op {
			case "authorize", "capture_partial", "capture_final", "return":
				moves += op.Rate
			}
		}
		if moves > 0 {
			s := round2(float64(n) / moves)
			rep.OutboxBacklogSeconds = &s
		}
	}
	if err := writeReport(stdout, rep, o.JSON); err != nil {
		return err
	}
	if tg.kept != "" {
		fmt.Fprintln(stderr, "openflex-bench: kept", tg.kept)
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: the report covers the part that ran")
	}
	return nil
}

func (o *options) loopName() string {
	if o.Rate > 0 {
		return fmt.Sprintf("an open loop at %g requests/s", o.Rate)
	}
	return fmt.Sprintf("a closed loop of %d workers", o.Concurrency)
}
