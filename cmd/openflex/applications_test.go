package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
)

// TestApplicationsRepeatFromTheCommandLine: `applications pending` marks
// another merchant's application of the same person as a repeat of the
// first; `applications decide` refuses it; `--separate-account REASON`
// opens an account for it deliberately.
func TestApplicationsRepeatFromTheCommandLine(t *testing.T) {
	e := storetest.Engines(t)[0]
	c := config(t, e)
	var first, second created
	json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--store", "Toronto:ON", "--json"), &first)
	json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Copycat", "--email", "dev@copycat.example", "--store", "Ottawa:ON", "--json"), &second)
	m := &Main{Config: c}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, mc := range []created{first, second} {
		p, err := m.Credit[openflex.Training].Prepare(ctx, credit.ApplyRequest{MerchantID: mc.MerchantID, StoreID: mc.Stores[0].ID,
			Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true, IP: "127.0.0.1"},
			Applicant: openflex.Applicant{FirstName: "Rémi", MiddleName: credit.MagicPending, LastName: "Repeat", DateOfBirth: "1982-03-03",
				Email: "r@example.com", Phone: "4165550123", AnnualIncome: 90_000_00, EmploymentStatus: "employed", HousingStatus: "own",
				MonthlyHousingCost: 1000_00, Address: openflex.Address{Line1: "1 A St", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"}}})
		if err != nil {
			t.Fatal(err)
		}
		app, _, err := m.Credit[openflex.Training].Commit(ctx, p)
		if err != nil || app.Status != openflex.ApplicationPending {
			t.Fatalf("application: %+v %v", app, err)
		}
		ids = append(ids, app.ID)
	}
	m.Close()

	if out := string(cli(t, c, "applications", "pending", "--env", "training")); !strings.Contains(out, ids[1]) || !strings.Contains(out, "repeat of "+ids[0]) {
		t.Fatalf("applications pending:\n%s", out)
	}
	var out, errb bytes.Buffer
	args := []string{"applications", "decide", "--data-dir", c.DataDir, "--database-url", c.DatabaseURL, "--schema-prefix", c.SchemaPrefix, "--env", "training", "--status", "approved"}
	if err := run(ctx, append(args, ids[1]), &out, &errb); err == nil || !strings.Contains(err.Error()+errb.String(), "repeats "+ids[0]) {
		t.Fatalf("deciding the repeat = %v %s, want a refusal naming %s", err, errb.String(), ids[0])
	}
	got := string(cli(t, c, "applications", "decide", "--env", "training", "--status", "approved", "--separate-account", "customer asked by phone", ids[1]))
	if !strings.Contains(got, ids[1]+" approved: account ") {
		t.Fatalf("separate account: %s", got)
	}
	m = &Main{Config: c}
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	log, err := m.Stores.Control.AuditLog(ctx, second.MerchantID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != "application.separate_account" || !strings.Contains(log[0].Detail, "customer asked by phone") {
		t.Fatalf("audit log = %+v, want the separate account with its reason", log)
	}
}
