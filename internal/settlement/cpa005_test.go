package settlement_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/settlement"
)

// field is one data element of a CPA-005 record: 1-based position and the
// exact bytes the standard's layout expects there.
type field struct {
	name string
	pos  int
	want string
}

func checkFields(t *testing.T, rec string, kind string, fields []field) {
	t.Helper()
	for _, f := range fields {
		got := rec[f.pos-1 : f.pos-1+len(f.want)]
		if got != f.want {
			t.Errorf("%s record, %s (positions %d-%d) = %q, want %q", kind, f.name, f.pos, f.pos+len(f.want)-1, got, f.want)
		}
	}
}

func blank(n int) string { return strings.Repeat(" ", n) }
func zeros(n int) string { return strings.Repeat("0", n) }

// TestCPA005 checks a file of seven credits (two C records: six segments,
// then one and five blank segments) field by field against the layouts of
// CPA Standard 005: header A, credit detail C, trailer Z.
func TestCPA005(t *testing.T) {
	o := settlement.Originator{ID: "0123456789", ShortName: "OpenFlex", LongName: "OpenFlex Lending Inc.", DataCentre: "00310",
		Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}
	due := time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC) // day 34
	var credits []settlement.Credit
	var total int64
	for i := range 7 {
		amt := int64(100000*(i+1) + 7)
		total += amt
		credits = append(credits, settlement.Credit{Amount: amt, DueDate: due,
			Account:   openflex.BankAccount{Institution: "004", Transit: fmt.Sprintf("%05d", 12340+i), Account: "987654321012"},
			PayeeName: "Ébénisterie Côté", CrossReference: fmt.Sprintf("STL%016d", i), Sundry: "2027-02-02"})
	}
	var buf bytes.Buffer
	created := time.Date(2027, 12, 31, 9, 0, 0, 0, time.UTC) // day 365
	if skipped, err := settlement.WriteCPA005(&buf, o, 42, created, credits); err != nil || skipped != nil {
		t.Fatal(skipped, err)
	}
	recs := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	if len(recs) != 4 {
		t.Fatalf("%d records, want A, C, C, Z", len(recs))
	}
	for i, r := range recs {
		if len(r) != 1464 {
			t.Fatalf("record %d is %d bytes, want 1464", i+1, len(r))
		}
	}
	checkFields(t, recs[0], "A", []field{
		{"logical record type", 1, "A"},
		{"logical record count", 2, "000000001"},
		{"originator ID", 11, "0123456789"},
		{"file creation number", 21, "0042"},
		{"creation date 0YYDDD", 25, "027365"},
		{"destination data centre", 31, "00310"},
		{"reserved communication area", 36, blank(20)},
		{"currency", 56, "CAD"},
		{"filler", 59, blank(1406)},
	})
	for ri, rec := range recs[1:3] {
		checkFields(t, rec, "C", []field{
			{"logical record type", 1, "C"},
			{"logical record count", 2, fmt.Sprintf("%09d", ri+2)},
			{"origination control data", 11, "01234567890042"},
		})
		for s := range 6 {
			i := ri*6 + s
			base := 25 + s*240
			if i >= len(credits) {
				checkFields(t, rec, "C", []field{{fmt.Sprintf("unused segment %d", s+1), base, blank(240)}})
				continue
			}
			checkFields(t, rec, "C", []field{
				{"transaction type", base, "460"},
				{"amount", base + 3, fmt.Sprintf("%010d", credits[i].Amount)},
				{"date funds available", base + 13, "027034"},
				{"institutional identification number", base + 19, fmt.Sprintf("0004%05d", 12340+i)},
				{"payee account number", base + 28, "987654321012"},
				{"item trace number", base + 40, zeros(22)},
				{"stored transaction type", base + 62, "000"},
				{"originator short name", base + 65, "OPENFLEX       "},
				{"payee name", base + 80, "EBENISTERIE COTE              "},
				{"originator long name", base + 110, "OPENFLEX LENDING INC.         "},
				{"originating direct clearer's user ID", base + 140, "0123456789"},
				{"originator cross reference", base + 150, fmt.Sprintf("STL%016d", i)},
				{"institution for returns", base + 169, "000100011"},
				{"account for returns", base + 178, "1234567     "},
				{"originator sundry information", base + 190, "2027-02-02     "},
				{"filler", base + 205, blank(22)},
				{"settlement code", base + 227, blank(2)},
				{"invalid data element identifier", base + 229, zeros(11)},
			})
		}
	}
	checkFields(t, recs[3], "Z", []field{
		{"logical record type", 1, "Z"},
		{"logical record count", 2, "000000004"},
		{"origination control data", 11, "01234567890042"},
		{"total value of debits", 25, zeros(14)},
		{"total number of debits", 39, zeros(8)},
		{"total value of credits", 47, fmt.Sprintf("%014d", total)},
		{"total number of credits", 61, "00000007"},
		{"total value of error corrections E", 69, zeros(14)},
		{"total number of error corrections E", 83, zeros(8)},
		{"total value of error corrections F", 91, zeros(14)},
		{"total number of error corrections F", 105, zeros(8)},
		{"filler", 113, blank(1352)},
	})
}

func TestCPA005Refuses(t *testing.T) {
	good := settlement.Originator{ID: "0123456789", ShortName: "OF", LongName: "OpenFlex", DataCentre: "00310",
		Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}
	tests := []struct {
		name string
		o    settlement.Originator
		file int
	}{
		{"data centre not 5 digits", func() settlement.Originator { o := good; o.DataCentre = "310"; return o }(), 1},
		{"file number 0", good, 0},
		{"file number above 9999", good, 10000},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if _, err := settlement.WriteCPA005(&buf, tt.o, tt.file, time.Now(), nil); err == nil {
			t.Errorf("%s: WriteCPA005 succeeded, want an error", tt.name)
		}
	}
}

// TestCPA005OnePayeeNeverFailsTheFile: a credit the bank could not take
// (a name with nothing a record carries, a bad amount or account) is left
// out with its reason and every other merchant is paid; a name with
// control characters or other scripts is written folded to the file's
// character set. Before, any one of these made the whole file fail.
func TestCPA005OnePayeeNeverFailsTheFile(t *testing.T) {
	o := settlement.Originator{ID: "0123456789", ShortName: "OF", LongName: "OpenFlex", DataCentre: "00310",
		Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}
	acct := openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567"}
	credits := []settlement.Credit{
		{Amount: 100, Account: acct, PayeeName: "Maple Furniture"},
		{Amount: 200, Account: acct, PayeeName: "\x00\x01\x1b\x7f"},                                                                   // nothing left: skipped
		{Amount: 300, Account: acct, PayeeName: "Ça\tRoule\r\nZ999 家具"},                                                               // folded
		{Amount: 0, Account: acct, PayeeName: "Zero"},                                                                                 // skipped
		{Amount: 10_000_000_000, Account: acct, PayeeName: "Huge"},                                                                    // skipped
		{Amount: 400, Account: openflex.BankAccount{Institution: "004", Transit: "12", Account: "1234567"}, PayeeName: "Bad Transit"}, // skipped
		{Amount: 500, Account: acct, PayeeName: "家具店"},                                                                                // skipped
		{Amount: 600, Account: acct, PayeeName: "Last Merchant"},
	}
	var buf bytes.Buffer
	skipped, err := settlement.WriteCPA005(&buf, o, 7, time.Now(), credits)
	if err != nil {
		t.Fatal(err)
	}
	var left []int
	for _, s := range skipped {
		left = append(left, s.Index)
		if s.Reason == "" {
			t.Errorf("credit %d skipped without a reason", s.Index)
		}
	}
	if fmt.Sprint(left) != "[1 3 4 5 6]" {
		t.Fatalf("skipped %v, want [1 3 4 5 6]: %+v", left, skipped)
	}
	if !strings.Contains(skipped[0].Reason, "A-Z") {
		t.Errorf("the name's reason does not state the character set: %q", skipped[0].Reason)
	}
	recs := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	if len(recs) != 3 {
		t.Fatalf("%d records, want A, C, Z", len(recs))
	}
	for i, r := range recs {
		if len(r) != settlement.RecordLength {
			t.Fatalf("record %d is %d bytes", i+1, len(r))
		}
		for _, c := range r {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("record %d carries %q", i+1, c)
			}
		}
	}
	seg := func(j int) string { return recs[1][24+j*240+80 : 24+j*240+110] }
	for j, want := range []string{"MAPLE FURNITURE", "CA ROULE Z999", "LAST MERCHANT"} {
		if got := strings.TrimRight(seg(j), " "); got != want {
			t.Errorf("segment %d payee = %q, want %q", j+1, got, want)
		}
	}
	checkFields(t, recs[2], "Z", []field{{"total value of credits", 47, "00000000001000"}, {"total number of credits", 61, "00000003"}})
}
