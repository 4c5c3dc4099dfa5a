package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// TestSettlementsPay runs a PRODUCTION day to its payout from the command
// line: a plan with a merchant fee, a bank account, a capture, the cut,
// then `settlements pay --cpa005` writes the bank file and verify agrees.
func TestSettlementsPay(t *testing.T) {
	e := storetest.Engines(t)[0]
	c := config(t, e)
	c.ProductionSimulator = true
	var mc created
	json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--store", "Toronto:ON", "--json"), &mc)
	var plan struct {
		MerchantFee struct {
			RateBps int64 `json:"rate_bps"`
		} `json:"merchant_fee"`
	}
	json.Unmarshal(cli(t, c, "plan", "create", "--merchant", mc.MerchantID, "--name", "12 months", "--category", "equal_payments",
		"--months", "12", "--rate", "0", "--env", "production", "--merchant-fee-bps", "600", "--json"), &plan)
	if plan.MerchantFee.RateBps != 600 {
		t.Fatalf("plan create --merchant-fee-bps 600: %+v", plan)
	}
	if out := string(cli(t, c, "merchant", "bank-account", "--merchant", mc.MerchantID, "--institution", "004", "--transit", "12345",
		"--account", "9876543", "--holder-name", "Maple Furniture")); !strings.Contains(out, "004-12345-•••543") {
		t.Fatalf("bank-account: %s", out)
	}

	m := &Main{Config: c}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	acct := purchase(t, m, openflex.Production, mc.MerchantID, mc.Stores[0].ID, "Payee")
	plans, err := m.Stores.Data(openflex.Production).Plans(ctx, mc.MerchantID)
	if err != nil || len(plans) != 1 {
		t.Fatalf("plans: %v", err)
	}
	if _, err := m.Lending[openflex.Production].Authorize(ctx, lending.AuthorizeRequest{MerchantID: mc.MerchantID, StoreID: mc.Stores[0].ID,
		AccountNumber: acct, Amount: 100_00, Currency: openflex.CAD, Channel: "online", AutoCapture: true,
		Financing: &lending.FinancingChoice{PlanID: plans[0].ID, TermMonths: plans[0].Terms[0].Months}}); err != nil {
		t.Fatal(err)
	}
	// A second merchant whose stored holder name no CPA-005 record can
	// carry (stored before names were checked): its settlement is left
	// out of the file, and unpaid, while the first merchant is paid.
	var bad created
	json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Bad Name", "--email", "dev@bad.example", "--store", "Ottawa:ON", "--json"), &bad)
	if err := m.Stores.Control.SetBankAccount(ctx, bad.MerchantID, openflex.BankAccount{Institution: "004", Transit: "54321",
		Account: "1234567", HolderName: "\x00\x07"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lending[openflex.Production].Authorize(ctx, lending.AuthorizeRequest{MerchantID: bad.MerchantID, StoreID: bad.Stores[0].ID,
		AccountNumber: purchase(t, m, openflex.Production, bad.MerchantID, bad.Stores[0].ID, "Badpayee"), Amount: 50_00, Currency: openflex.CAD,
		Channel: "online", AutoCapture: true}); err != nil {
		t.Fatal(err)
	}
	tor, _ := time.LoadLocation("America/Toronto")
	date := time.Now().In(tor).Format(time.DateOnly)
	m.Settlements[openflex.Production].Now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	if n, err := m.Settlements[openflex.Production].CutDue(ctx); err != nil || n != 2 {
		t.Fatalf("cut: %d, %v", n, err)
	}
	m.Close()

	if out := string(cli(t, c, "settlements", "list", "--date", date)); !strings.Contains(out, "$94.00") {
		t.Fatalf("settlements list: %s", out)
	}
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"settlements", "pay", "--data-dir", c.DataDir, "--env", "training", "--date", date, "--cpa005", "x"}, &out, &errb); err == nil {
		t.Fatal("a TRAINING payment file was accepted")
	}
	file := filepath.Join(t.TempDir(), "0001.txt")
	out.Reset()
	errb.Reset()
	if err := run(ctx, []string{"settlements", "pay", "--data-dir", c.DataDir, "--env", "production", "--date", date, "--cpa005", file, "--file-number", "1",
		"--originator-id", "0123456789", "--originator-short-name", "OPENFLEX", "--originator-long-name", "OpenFlex Lending", "--data-centre", "00310",
		"--return-account", "001-00011-1234567"}, &out, &errb); err != nil {
		t.Fatalf("settlements pay: %v\n%s", err, errb.String())
	}
	if got := out.String(); !strings.Contains(got, "1 settlements paid") || !strings.Contains(got, "1 credits") {
		t.Fatalf("settlements pay: %s", got)
	}
	if e := errb.String(); !strings.Contains(e, "of "+bad.MerchantID+": the payee name has no character") || !strings.Contains(e, "A-Z") {
		t.Fatalf("settlements pay did not report the skipped payee: %q", e)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	recs := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	// $100.00 less the 6 % fee: 9400 cents to institution 004, transit 12345.
	if len(recs) != 3 || recs[1][27:37] != "0000009400" || recs[1][43:52] != "000412345" || recs[2][46:60] != "00000000009400" {
		t.Fatalf("CPA-005 file:\n%q", raw)
	}
	if out := string(cli(t, c, "verify")); strings.Count(out, "every merchant's payable equals") != 2 {
		t.Fatalf("verify: %s", out)
	}
	if out := string(cli(t, c, "settlements", "list", "--date", date)); !strings.Contains(out, bad.MerchantID) || strings.Contains(out, mc.MerchantID) {
		t.Fatalf("after paying, the skipped merchant's settlement must stay pending and only it: %s", out)
	}
}
