package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
	"github.com/openflex/openflex/internal/storetest"
)

// TestPaymentsDebitFile runs the debit commands as a lender's script
// would: each run of debit-file writes a file that reads back under a new
// file number, and payments returns reports a returned item it cannot
// match (and fails) rather than dropping it. TestDebitsThroughTheBank
// (internal/pad) walks a debit taken and returned end to end.
func TestPaymentsDebitFile(t *testing.T) {
	c := config(t, storetest.Engines(t)[0])
	dir := t.TempDir()
	args := func(file string) []string {
		return []string{"payments", "debit-file", "--env", "training", "--date", "2027-02-22", "--cpa005", file,
			"--originator-id", "0123456789", "--originator-short-name", "OpenFlex", "--originator-long-name", "OpenFlex Financial",
			"--data-centre", "00310", "--return-account", "001-00011-1234567"}
	}
	numbers := map[int]bool{}
	for i, name := range []string{"first.005", "second.005"} {
		file := filepath.Join(dir, name)
		out := string(cli(t, c, args(file)...))
		f, err := os.Open(file)
		if err != nil {
			t.Fatalf("run %d wrote no file (%s): %v", i+1, out, err)
		}
		read, err := cpa005.Read(f)
		f.Close()
		if err != nil || read.OriginatorID != "0123456789" || read.DebitCount != 0 {
			t.Fatalf("run %d: file read back = %+v, %v", i+1, read, err)
		}
		if numbers[read.FileNumber] || !strings.Contains(out, "debits") {
			t.Fatalf("run %d: file number %d again (%v); output %q", i+1, read.FileNumber, numbers, out)
		}
		numbers[read.FileNumber] = true
	}

	o := cpa005.Originator{ID: "0123456789", ShortName: "OpenFlex", LongName: "OpenFlex Financial", DataCentre: "00310",
		Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}
	var ret bytes.Buffer
	unknown := cpa005.Item{TransactionCode: cpa005.DebitCode, Amount: 20_00, DueDate: time.Date(2027, 2, 22, 0, 0, 0, 0, time.UTC),
		Account: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567"}, CrossReference: "OFNOSUCHDEBIT000000", Returns: o.Returns}
	if err := cpa005.WriteReturns(&ret, o, 5, time.Now(), nil, []cpa005.Item{unknown}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "returns.005")
	os.WriteFile(file, ret.Bytes(), 0o600)
	t.Setenv("OPENFLEX_DATA_DIR", c.DataDir)
	t.Setenv("OPENFLEX_DATABASE_URL", c.DatabaseURL)
	t.Setenv("OPENFLEX_SCHEMA_PREFIX", c.SchemaPrefix)
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"payments", "returns", "--env", "training", "--file", file}, &out, &errb)
	if err == nil || !strings.Contains(out.String(), "OFNOSUCHDEBIT000000 $20.00: no debit with this reference") {
		t.Fatalf("payments returns with an unknown item = %v, output %q", err, out.String())
	}
}
