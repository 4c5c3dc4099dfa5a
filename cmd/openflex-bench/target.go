package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
)

// target is the server under test and the key set the load uses.
type target struct {
	url          string
	metricsURL   string // --url: where the server serves /metrics
	clientID     string
	clientSecret string
	env          string
	stores       []string
	// engine is sqlite or postgres when spawned, "remote" otherwise.
	engine string
	// sync is the SQLite synchronous setting of the data plane under load.
	sync        string
	groupCommit bool
	main        *app.Main
	closers     []func() error
	// muted silences the spawned server's stderr log (see quiet).
	muted atomic.Bool
	// kept says where the data stayed (--keep).
	kept string
	// texts counts the customer messages the spawned server sent to the
	// bench's SMS gateway (--statement-run).
	texts atomic.Int64
}

func (tg *target) close() error {
	var errs []error
	for i := len(tg.closers) - 1; i >= 0; i-- {
		errs = append(errs, tg.closers[i]())
	}
	return errors.Join(errs...)
}

// remote is a running server reached with an existing key set.
func remote(o *options) (*target, error) {
	env := "training"
	if strings.HasPrefix(o.ClientID, "ofk_prod_") {
		env = "production"
	}
	tg := &target{url: strings.TrimRight(o.URL, "/"), metricsURL: o.MetricsURL, clientID: o.ClientID, clientSecret: o.ClientSecret, env: env, engine: "remote"}
	for _, s := range strings.Split(o.StoreID, ",") {
		if s = strings.TrimSpace(s); s != "" {
			tg.stores = append(tg.stores, s)
		}
	}
	return tg, nil
}

// spawn starts the platform in this process, as `openflex serve` would, on
// a temporary data dir (SQLite) or fresh PostgreSQL schemas, and onboards a
// merchant with two stores, the demo plans and a key set of --env.
func spawn(ctx context.Context, o *options, stderr io.Writer, logf func(string, ...any)) (_ *target, err error) {
	// As `openflex serve`: group commit is on by default for the FULL
	// planes (control, PRODUCTION).
	tg := &target{env: o.Env, engine: "sqlite", groupCommit: !o.NoGroupCommit && (o.GroupCommit || o.Env == "production")}
	defer func() {
		if err != nil {
			tg.close()
		}
	}()
	dir := o.DataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "openflex-bench-"); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	switch {
	case o.Keep || o.DataDir != "":
		tg.kept = dir
	default:
		tg.closers = append(tg.closers, func() error { return os.RemoveAll(dir) })
	}
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: dir, RateTraining: 1e9, RateProduction: 1e9,
		ProductionSimulator: true, NoScrub: true, DatabaseURL: o.DatabaseURL, GroupCommit: o.GroupCommit, NoGroupCommit: o.NoGroupCommit}
	tg.sync = map[string]string{"training": "NORMAL", "production": "FULL"}[o.Env]
	if o.DatabaseURL != "" {
		tg.engine, tg.sync, tg.groupCommit = "postgres", "", false
		cfg.SchemaPrefix = o.SchemaPrefix
		if cfg.SchemaPrefix == "" {
			var b [4]byte
			rand.Read(b[:])
			cfg.SchemaPrefix = "bench" + hex.EncodeToString(b[:])
		}
		if o.Keep || o.SchemaPrefix != "" {
			tg.kept += fmt.Sprintf(" and PostgreSQL schemas %s_{control,training,production}", cfg.SchemaPrefix)
		} else {
			tg.closers = append(tg.closers, func() error { return dropSchemas(o.DatabaseURL, cfg.SchemaPrefix) })
		}
	}
	if o.StatementRun > 0 {
		// The statement run's customers are told by text (statement
		// ready…), as a PRODUCTION lender's would be: a gateway that
		// accepts every message stands in for the SMS provider, the true
		// edge, so the server's job delivers them alongside the run instead
		// of failing and retrying each.
		url, stop, err := tg.smsGateway()
		if err != nil {
			return nil, err
		}
		tg.closers = append(tg.closers, stop)
		cfg.SMSURL = url
	}
	m := &app.Main{Config: cfg, Logger: serverLogger(stderr, o.Verbose, &tg.muted)}
	tg.closers = append(tg.closers, m.Close)
	if err := m.Run(ctx); err != nil {
		return nil, fmt.Errorf("start the platform: %w", err)
	}
	tg.main, tg.url = m, "http://"+m.Addr()
	logf("platform on %s (%s)", tg.url, tg.engine)

	mer, stores, err := m.Merchants.Create(ctx, "Bench Furniture", "bench@openflex.example",
		[]merchant.NewStore{{Name: "Toronto", Province: "ON"}, {Name: "Vancouver", Province: "BC"}}, "openflex-bench")
	if err != nil {
		return nil, fmt.Errorf("create merchant: %w", err)
	}
	if err := m.Merchants.Approve(ctx, mer.ID, "openflex-bench"); err != nil {
		return nil, fmt.Errorf("approve merchant: %w", err)
	}
	for _, s := range stores {
		tg.stores = append(tg.stores, s.ID)
	}
	for _, np := range app.DemoPlans(mer.ID, openflex.Environment(o.Env)) {
		if _, err := m.CreatePlan(ctx, np); err != nil {
			return nil, fmt.Errorf("create plan: %w", err)
		}
	}
	nk := keys.NewKeySet{MerchantID: mer.ID, Environment: openflex.Environment(o.Env), Name: "openflex-bench"}
	if nk.Environment == openflex.Production {
		nk.TrustIPs = []string{"127.0.0.1/32", "::1/128"} // PRODUCTION refuses an empty list
	}
	ks, secret, err := m.Keys.Create(ctx, nk, keys.Actor{Name: "openflex-bench"})
	if err != nil {
		return nil, fmt.Errorf("create key set: %w", err)
	}
	tg.clientID, tg.clientSecret = ks.ClientID, secret
	return tg, nil
}

// dropSchemas removes a spawned run's PostgreSQL schemas.
func dropSchemas(databaseURL, prefix string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("drop bench schemas: %w", err)
	}
	defer conn.Close(ctx)
	for _, plane := range []string{"control", "training", "production"} {
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{prefix + "_" + plane}.Sanitize()+" CASCADE"); err != nil {
			return fmt.Errorf("drop bench schemas: %w", err)
		}
	}
	return nil
}

// outboxBacklog counts the events of the data plane under load that the
// webhook fan-out job has not reached yet (spawned servers only).
func (tg *target) outboxBacklog(ctx context.Context) (int, bool) {
	if tg.main == nil {
		return 0, false
	}
	evs, err := tg.main.Stores.Data(openflex.Environment(tg.env)).UndispatchedEvents(ctx, 100_000_000)
	if err != nil {
		return 0, false
	}
	return len(evs), true
}

// quiet silences the spawned server's errors on stderr: the requests the
// benchmark abandons at the end of the drain fail there by design.
func (tg *target) quiet() { tg.muted.Store(true) }

// serverLogger logs as `openflex serve --log-format json` does, access log
// included, so the cost of logging is part of the measurement; the lines
// are discarded except errors (and warnings, with -v), which go to stderr
// until muted.
func serverLogger(stderr io.Writer, verbose bool, muted *atomic.Bool) *slog.Logger {
	level := slog.LevelError
	if verbose {
		level = slog.LevelWarn
	}
	return slog.New(teeHandler{
		slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}),
		mutable{slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}), muted},
	})
}

// mutable is a handler that can be switched off.
type mutable struct {
	slog.Handler
	muted *atomic.Bool
}

func (m mutable) Enabled(ctx context.Context, l slog.Level) bool {
	return !m.muted.Load() && m.Handler.Enabled(ctx, l)
}

func (m mutable) WithAttrs(attrs []slog.Attr) slog.Handler {
	return mutable{m.Handler.WithAttrs(attrs), m.muted}
}

func (m mutable) WithGroup(name string) slog.Handler {
	return mutable{m.Handler.WithGroup(name), m.muted}
}

// teeHandler sends each record to every handler that wants it.
type teeHandler []slog.Handler

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (t teeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}

// smsGateway serves an SMS gateway on loopback that accepts every message
// and counts it.
func (tg *target) smsGateway() (string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.texts.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/sms", srv.Close, nil
}
