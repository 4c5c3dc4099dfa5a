package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// TestServicingCLI runs a customer's month on a TRAINING test clock from
// the lender's command line: the clock, a payment by cheque, the
// statement and its text, the cheque returned, the account's standing
// moved by staff, and verify.
func TestServicingCLI(t *testing.T) {
	e := storetest.Engines(t)[0]
	c := config(t, e)
	var mc created
	json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--store", "Toronto:ON", "--json"), &mc)
	var clock struct{ ID, Status string }
	json.Unmarshal(cli(t, c, "test-clocks", "create", "--merchant", mc.MerchantID, "--time", "2025-03-01T12:00:00-05:00", "--json"), &clock)
	if !strings.HasPrefix(clock.ID, "clock_") || clock.Status != "ready" {
		t.Fatalf("test-clocks create: %+v", clock)
	}

	m := &Main{Config: c}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	svc := m.Planes[openflex.Training].Credit
	p, err := svc.Prepare(ctx, credit.ApplyRequest{MerchantID: mc.MerchantID, StoreID: mc.Stores[0].ID, Language: "en",
		Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true, IP: "127.0.0.1"},
		Applicant: openflex.Applicant{FirstName: "Clock", MiddleName: "A-RR_L", LastName: "Customer", DateOfBirth: "1980-02-02",
			Email: "c@example.com", Phone: "4165550123", AnnualIncome: 80_000_00, EmploymentStatus: "employed", HousingStatus: "own",
			MonthlyHousingCost: 1000_00, Address: openflex.Address{Line1: "1 A St", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, acct, err := svc.Commit(ctx, p)
	if err != nil || acct == nil {
		t.Fatalf("application: %v", err)
	}
	n := acct.Number
	cli(t, c, "test-clocks", "attach", clock.ID, "--merchant", mc.MerchantID, "--account", n)
	if _, err := m.Planes[openflex.Training].Lending.Authorize(ctx, lending.AuthorizeRequest{MerchantID: mc.MerchantID, StoreID: mc.Stores[0].ID,
		AccountNumber: n, Amount: 500_00, Currency: openflex.CAD, Channel: "online", AutoCapture: true}); err != nil {
		t.Fatal(err)
	}
	cli(t, c, "test-clocks", "advance", clock.ID, "--merchant", mc.MerchantID, "--to", "2025-03-25T12:00:00-04:00")
	var pay struct {
		ID, Status, PostedOn string
		Amount               int64
	}
	out := cli(t, c, "payments", "create", "--env", "training", "--account", n, "--amount", "10000", "--channel", "cheque", "--json")
	if err := json.Unmarshal(out, &pay); err != nil || pay.Status != "succeeded" || pay.Amount != 100_00 {
		t.Fatalf("payments create: %s", out)
	}
	cli(t, c, "test-clocks", "advance", clock.ID, "--merchant", mc.MerchantID, "--to", "2025-04-01T09:00:00-04:00")

	var sts []struct {
		ID             string `json:"id"`
		ClosingBalance int64  `json:"closing_balance"`
		MinimumPayment int64  `json:"minimum_payment"`
		DueDate        string `json:"due_date"`
	}
	out = cli(t, c, "statements", "list", "--env", "training", "--account", n, "--json")
	if err := json.Unmarshal(out, &sts); err != nil || len(sts) != 1 || sts[0].ClosingBalance != 400_00 || sts[0].MinimumPayment != 20_00 ||
		sts[0].DueDate != "2025-04-21" {
		t.Fatalf("statements list: %s", out)
	}
	if text := string(cli(t, c, "statements", "show", sts[0].ID, "--env", "training")); !strings.Contains(text, "400.00") ||
		!strings.Contains(text, "2025") {
		t.Fatalf("statements show prints no statement:\n%s", text)
	}

	// The payoff: $400.00 today; after the due date unpaid, the grace is
	// lost and $20.05 of interest is owed too (docs/servicing.md).
	if text := string(cli(t, c, "accounts", "payoff", n, "--env", "training")); !strings.Contains(text, "on 2025-04-01: $400.00") {
		t.Fatalf("accounts payoff:\n%s", text)
	}
	var payoff struct {
		Amount  int64 `json:"amount"`
		Accrued int64 `json:"interest_accrued"`
	}
	out = cli(t, c, "accounts", "payoff", n, "--env", "training", "--date", "2025-04-25", "--json")
	if err := json.Unmarshal(out, &payoff); err != nil || payoff.Amount != 420_05 || payoff.Accrued != 20_05 {
		t.Fatalf("accounts payoff --date 2025-04-25: %s", out)
	}

	out = cli(t, c, "payments", "reverse", pay.ID, "--env", "training", "--reason", "cheque returned", "--returned")
	if !strings.Contains(string(out), "reversed") {
		t.Fatalf("payments reverse: %s", out)
	}
	var shown struct {
		Delivery string `json:"statement_delivery"`
		Status   string `json:"status"`
		Segments []struct {
			ID        string `json:"id"`
			Principal int64  `json:"principal"`
		} `json:"segments"`
	}
	out = cli(t, c, "accounts", "show", n, "--env", "training", "--json")
	if err := json.Unmarshal(out, &shown); err != nil || shown.Status != "normal" || shown.Delivery != "paper" || len(shown.Segments) != 1 || shown.Segments[0].Principal != 500_00 {
		t.Fatalf("accounts show after the reversal: %s", out)
	}
	if out := string(cli(t, c, "accounts", "freeze", n, "--env", "training", "--reason", "suspected fraud", "--staff", "ops")); !strings.Contains(out, "frozen") {
		t.Fatalf("accounts freeze: %s", out)
	}
	if out := string(cli(t, c, "accounts", "unfreeze", n, "--env", "training", "--reason", "cleared", "--staff", "ops")); !strings.Contains(out, "normal") {
		t.Fatalf("accounts unfreeze: %s", out)
	}
	if out := string(cli(t, c, "accounts", "close", n, "--env", "training", "--reason", "customer asked", "--staff", "ops")); !strings.Contains(out, "closed") {
		t.Fatalf("accounts close: %s", out)
	}
	if out := string(cli(t, c, "verify")); strings.Count(out, "every account's segments and statements follow from its history") != 2 {
		t.Fatalf("verify:\n%s", out)
	}
}
