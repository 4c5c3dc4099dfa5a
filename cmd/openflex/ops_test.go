package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// purchase opens an approved account in env and authorizes amount on it.
func purchase(t *testing.T, m *Main, env openflex.Environment, merchantID, storeID, last string) string {
	t.Helper()
	ctx := context.Background()
	svc := m.Planes[env].Credit
	p, err := svc.Prepare(ctx, credit.ApplyRequest{MerchantID: merchantID, StoreID: storeID, Language: "en",
		Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true, IP: "127.0.0.1"},
		Applicant: openflex.Applicant{FirstName: "Scrub", MiddleName: "A-RR_L", LastName: last, DateOfBirth: "1980-02-02",
			Email: "s@example.com", Phone: "4165550123", AnnualIncome: 80_000_00, EmploymentStatus: "employed", HousingStatus: "own",
			MonthlyHousingCost: 1000_00, Address: openflex.Address{Line1: "1 A St", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"}}})
	if err != nil {
		t.Fatal(err)
	}
	app, acct, err := svc.Commit(ctx, p)
	if err != nil || acct == nil {
		t.Fatalf("application in %s: %+v %v", env, app, err)
	}
	if _, err := m.Planes[env].Lending.Authorize(ctx, lending.AuthorizeRequest{MerchantID: merchantID, StoreID: storeID,
		AccountNumber: acct.Number, Amount: 100_00, Currency: openflex.CAD, Channel: "online"}); err != nil {
		t.Fatal(err)
	}
	return acct.Number
}

func TestScrubAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		c.ProductionSimulator = true
		var mc created
		json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--store", "Toronto:ON", "--json"), &mc)
		m := &Main{Config: c}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		training := purchase(t, m, openflex.Training, mc.MerchantID, mc.Stores[0].ID, "Trainee")
		production := purchase(t, m, openflex.Production, mc.MerchantID, mc.Stores[0].ID, "Producer")
		m.Close()

		if out := string(cli(t, c, "verify")); strings.Count(out, "every balance matches") != 2 {
			t.Fatalf("verify: %s", out)
		}
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"scrub", "--env", "production"}, &out, &errb); err == nil {
			t.Fatal("scrub --env production was accepted")
		}
		cli(t, c, "scrub", "--env", "training")

		m = &Main{Config: c}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		ctx := context.Background()
		if _, err := m.Planes[openflex.Training].Credit.Account(ctx, training); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("TRAINING account after scrub: %v", err)
		}
		if a, err := m.Planes[openflex.Production].Credit.Account(ctx, production); err != nil || a.Held != 100_00 {
			t.Fatalf("PRODUCTION account after scrub: %+v %v", a, err)
		}
		if _, _, err := m.Keys.Authenticate(ctx, mc.Keys.Training.ClientID, mc.Keys.Training.ClientSecret); err != nil {
			t.Fatalf("TRAINING key set after scrub: %v", err)
		}
		if sts, _, err := m.Stores.Control.Stores(ctx, mc.MerchantID, openflex.ListParams{}); err != nil || len(sts) != 1 {
			t.Fatalf("stores after scrub: %d %v", len(sts), err)
		}
		// Corrupt a balance behind the ledger's back: verify must fail.
		prod := m.Stores.Data(openflex.Production)
		if err := prod.Write(ctx, func(ctx context.Context) error { return prod.AdjustBalances(ctx, production, 1, 0) }); err != nil {
			t.Fatal(err)
		}
		m.Close()
		t.Setenv("OPENFLEX_DATA_DIR", c.DataDir)
		t.Setenv("OPENFLEX_DATABASE_URL", c.DatabaseURL)
		t.Setenv("OPENFLEX_SCHEMA_PREFIX", c.SchemaPrefix)
		out.Reset()
		if err := run(context.Background(), []string{"verify"}, &out, &errb); err == nil || !strings.Contains(out.String(), production) {
			t.Fatalf("verify after corruption: %v\n%s", err, out.String())
		}
	})
}

func TestReviewPendingApplications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		var mc created
		json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--store", "Toronto:ON", "--json"), &mc)
		m := &Main{Config: c}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		svc := m.Planes[openflex.Training].Credit
		p, err := svc.Prepare(context.Background(), credit.ApplyRequest{MerchantID: mc.MerchantID, StoreID: mc.Stores[0].ID, Language: "en",
			Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true, IP: "127.0.0.1"},
			Applicant: openflex.Applicant{FirstName: "Review", MiddleName: "P-CREDIT", LastName: "Me", DateOfBirth: "1980-02-02",
				Email: "r@example.com", Phone: "4165550123", AnnualIncome: 80_000_00, EmploymentStatus: "employed", HousingStatus: "own",
				MonthlyHousingCost: 1000_00, Address: openflex.Address{Line1: "1 A St", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"}}})
		if err != nil {
			t.Fatal(err)
		}
		app, _, err := svc.Commit(context.Background(), p)
		if err != nil || app.Status != openflex.ApplicationPending {
			t.Fatalf("pending application: %+v %v", app, err)
		}
		m.Close()
		if out := string(cli(t, c, "applications", "pending", "--env", "training")); !strings.Contains(out, app.ID) {
			t.Fatalf("pending list: %s", out)
		}
		out := string(cli(t, c, "applications", "decide", "--env", "training", "--status", "approved", "--credit-limit", "250000", app.ID))
		if !strings.Contains(out, "approved: account") || !strings.Contains(out, "$2,500.00") {
			t.Fatalf("decide: %s", out)
		}
		if out := string(cli(t, c, "applications", "pending", "--env", "training")); strings.Contains(out, app.ID) {
			t.Fatalf("still pending: %s", out)
		}
	})
}
