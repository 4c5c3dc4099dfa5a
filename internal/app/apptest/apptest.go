// Package apptest starts a whole OpenFlex platform for end-to-end tests (the
// SDK's, the checkout's, the benchmark's): real stores on the engine under
// test, real HTTP on a loopback port, and a merchant with keys and plans.
package apptest

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/storetest"
)

// Platform is a running server and its first merchant.
type Platform struct {
	Main *app.Main
	// URL is the server's base URL, "http://127.0.0.1:port".
	URL      string
	Merchant *openflex.Merchant
	Stores   []openflex.Store
	// Training and Production are the merchant's key sets (the merchant is
	// approved for go-live; PRODUCTION uses the bureau simulator).
	Training   Keys
	Production Keys
	// Plans are the demo plans in TRAINING; ProductionPlans the same plans
	// created again in PRODUCTION (other objects, other ids).
	Plans           []*openflex.Plan
	ProductionPlans []*openflex.Plan
}

// testWriter sends the server's warnings and errors to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// Keys is a Client ID and its secret.
type Keys struct {
	ClientID, ClientSecret string
}

// Options tune Start.
type Options struct {
	// Tweak edits the configuration before the server starts.
	Tweak func(*app.Config)
}

// Start runs a platform on engine e until the test ends.
func Start(t testing.TB, e storetest.Engine, opts ...Options) *Platform {
	t.Helper()
	sc := e.Config(t)
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, SchemaPrefix: sc.SchemaPrefix,
		RateTraining: 10_000, RateProduction: 10_000, ProductionSimulator: true, NoScrub: true, GroupCommit: sc.GroupCommit}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	for _, o := range opts {
		if o.Tweak != nil {
			o.Tweak(&cfg)
		}
	}
	m := &app.Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	ctx := context.Background()
	if err := m.Run(ctx); err != nil {
		m.Close()
		t.Fatalf("start platform: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	p := &Platform{Main: m, URL: "http://" + m.Addr()}
	p.Merchant, p.Stores = p.NewMerchant(t, "Maple Furniture")
	if err := m.Merchants.Approve(ctx, p.Merchant.ID, "test"); err != nil {
		t.Fatal(err)
	}
	p.Training = p.NewKeys(t, p.Merchant.ID, openflex.Training)
	p.Production = p.NewKeys(t, p.Merchant.ID, openflex.Production)
	for _, env := range openflex.Environments {
		for _, np := range app.DemoPlans(p.Merchant.ID, env) {
			pl, err := m.CreatePlan(ctx, np)
			if err != nil {
				t.Fatal(err)
			}
			if env == openflex.Training {
				p.Plans = append(p.Plans, pl)
			} else {
				p.ProductionPlans = append(p.ProductionPlans, pl)
			}
		}
	}
	return p
}

// NewMerchant onboards another merchant with a store in Ontario and one in
// British Columbia.
func (p *Platform) NewMerchant(t testing.TB, name string) (*openflex.Merchant, []openflex.Store) {
	t.Helper()
	m, sts, err := p.Main.Merchants.Create(context.Background(), name, "dev@merchant.example",
		[]merchant.NewStore{{Name: "Toronto", Province: "ON"}, {Name: "Vancouver", Province: "BC"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return m, sts
}

// NewKeys creates a key set that trusts every IP, the origin
// https://shop.example.com and the extra origins given (a test's own
// receiver or storefront, say).
func (p *Platform) NewKeys(t testing.TB, merchantID string, env openflex.Environment, trustURLs ...string) Keys {
	t.Helper()
	ips := []string{"0.0.0.0/0", "::/0"}
	if env == openflex.Training {
		ips = nil
	}
	ks, secret, err := p.Main.Keys.Create(context.Background(), keys.NewKeySet{MerchantID: merchantID, Environment: env,
		TrustIPs: ips, TrustURLs: append([]string{"https://shop.example.com"}, trustURLs...)}, keys.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return Keys{ClientID: ks.ClientID, ClientSecret: secret}
}
