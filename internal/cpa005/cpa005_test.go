package cpa005_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
)

var lender = cpa005.Originator{ID: "0123456789", ShortName: "OpenFlex", LongName: "OpenFlex Lending Inc.", DataCentre: "00310",
	Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}

func transfers(n int, prefix string, base int64) []cpa005.Transfer {
	due := time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC)
	var ts []cpa005.Transfer
	for i := range n {
		ts = append(ts, cpa005.Transfer{Amount: base*int64(i+1) + 7, DueDate: due.AddDate(0, 0, i),
			Account: openflex.BankAccount{Institution: "004", Transit: fmt.Sprintf("%05d", 12340+i), Account: fmt.Sprintf("98765432%d", i)},
			Name:    "Élise Côté-" + strings.Repeat("X", i), CrossReference: fmt.Sprintf("%s%016d", prefix, i), Sundry: "2027-02-02"})
	}
	return ts
}

// TestRoundTrip writes a file of seven credits and eight debits (two C
// records, then two D records), reads it back, and compares every field
// of every item with what was written, and the trailer's separate totals.
func TestRoundTrip(t *testing.T) {
	credits, debits := transfers(7, "STL", 100000), transfers(8, "DEB", 2500)
	var buf bytes.Buffer
	created := time.Date(2027, 12, 31, 9, 0, 0, 0, time.UTC)
	if err := cpa005.Write(&buf, lender, 42, created, credits, debits); err != nil {
		t.Fatal(err)
	}
	recs := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	var kinds string
	for _, r := range recs {
		kinds += r[:1]
	}
	if kinds != "ACCDDZ" {
		t.Fatalf("record types %s, want ACCDDZ", kinds)
	}
	f, err := cpa005.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if f.OriginatorID != "0123456789" || f.FileNumber != 42 || !f.Created.Equal(time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)) ||
		f.DataCentre != "00310" || f.Currency != "CAD" {
		t.Errorf("header = %s %d %s %s %s", f.OriginatorID, f.FileNumber, f.Created, f.DataCentre, f.Currency)
	}
	check := func(kind, code string, got []cpa005.Item, want []cpa005.Transfer) (total int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: read %d items, wrote %d", kind, len(got), len(want))
		}
		for i, w := range want {
			exp := cpa005.Item{TransactionCode: code, Amount: w.Amount, DueDate: w.DueDate,
				Account:     openflex.BankAccount{Institution: w.Account.Institution, Transit: w.Account.Transit, Account: w.Account.Account},
				TraceNumber: strings.Repeat("0", 22), StoredType: "000", ShortName: "OPENFLEX",
				Name: strings.ToUpper(openflex.FoldHolderName(w.Name)), LongName: "OPENFLEX LENDING INC.", OriginatorID: "0123456789",
				CrossReference: w.CrossReference, Returns: lender.Returns, Sundry: w.Sundry, InvalidDataElement: strings.Repeat("0", 11)}
			if len(exp.Name) > 30 {
				exp.Name = exp.Name[:30]
			}
			gv, ev := reflect.ValueOf(got[i]), reflect.ValueOf(exp)
			for fi := range gv.NumField() {
				if g, e := gv.Field(fi).Interface(), ev.Field(fi).Interface(); !reflect.DeepEqual(g, e) {
					t.Errorf("%s item %d: %s = %v, wrote %v", kind, i, gv.Type().Field(fi).Name, g, e)
				}
			}
			total += w.Amount
		}
		return total
	}
	ct := check("C", "460", f.Credits, credits)
	dt := check("D", "430", f.Debits, debits)
	if f.CreditTotal != ct || f.CreditCount != 7 || f.DebitTotal != dt || f.DebitCount != 8 {
		t.Errorf("trailer = credits %d for %d, debits %d for %d; want 7 for %d, 8 for %d",
			f.CreditCount, f.CreditTotal, f.DebitCount, f.DebitTotal, ct, dt)
	}
	if len(f.ReturnedDebits)+len(f.ReturnedCredits) != 0 {
		t.Errorf("returned items in a file of C and D records")
	}
}

// TestDebitTrailer checks a debit-only file's trailer at the standard's
// positions: debits totalled at 25–38 and counted at 39–46, credits zero.
func TestDebitTrailer(t *testing.T) {
	var buf bytes.Buffer
	if err := cpa005.Write(&buf, lender, 7, time.Now(), nil, transfers(2, "D", 1000)); err != nil {
		t.Fatal(err)
	}
	recs := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	z := recs[len(recs)-1]
	for _, f := range []struct {
		name   string
		pos, n int
		want   string
	}{
		{"total value of debits", 25, 14, fmt.Sprintf("%014d", 1007+2007)},
		{"total number of debits", 39, 8, "00000002"},
		{"total value of credits", 47, 14, strings.Repeat("0", 14)},
		{"total number of credits", 61, 8, strings.Repeat("0", 8)},
	} {
		if got := z[f.pos-1 : f.pos-1+f.n]; got != f.want {
			t.Errorf("Z %s = %q, want %q", f.name, got, f.want)
		}
	}
	if d := recs[1]; d[:1] != "D" || d[24:27] != "430" {
		t.Errorf("debit record starts %q, transaction code %q", d[:1], d[24:27])
	}
}

// TestReturnsRoundTrip reads back a bank's returned debits (J) and
// credits (I): the returned debits count with the debits in the trailer.
func TestReturnsRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := cpa005.Write(&buf, lender, 8, time.Now(), transfers(1, "STL", 500), transfers(3, "DEB", 900)); err != nil {
		t.Fatal(err)
	}
	sent, err := cpa005.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	returned := []cpa005.Item{sent.Debits[0], sent.Debits[2]}
	returned[0].TraceNumber, returned[0].InvalidDataElement = "0000000000000000123456", "00000000901"
	buf.Reset()
	if err := cpa005.WriteReturns(&buf, lender, 9, time.Now(), sent.Credits, returned); err != nil {
		t.Fatal(err)
	}
	back, err := cpa005.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.ReturnedDebits, returned) || !reflect.DeepEqual(back.ReturnedCredits, sent.Credits) {
		t.Errorf("returned items read back differ:\n got %+v\nwant %+v", back.ReturnedDebits, returned)
	}
	if back.DebitTotal != returned[0].Amount+returned[1].Amount || back.DebitCount != 2 || back.CreditCount != 1 {
		t.Errorf("trailer = debits %d for %d, credits %d", back.DebitCount, back.DebitTotal, back.CreditCount)
	}
}

// TestReadRefuses: what a bank would reject is an error, never a partial
// list of items.
func TestReadRefuses(t *testing.T) {
	var buf bytes.Buffer
	if err := cpa005.Write(&buf, lender, 3, time.Now(), nil, transfers(2, "D", 1000)); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	recs := strings.Split(strings.TrimSuffix(good, "\r\n"), "\r\n")
	replace := func(rec, pos int, s string) string {
		r := append([]string(nil), recs...)
		r[rec] = r[rec][:pos-1] + s + r[rec][pos-1+len(s):]
		return strings.Join(r, "\r\n") + "\r\n"
	}
	tests := []struct {
		name, file, want string
	}{
		{"short record", strings.Replace(good, "\r\n", "X\r\n", 1), "bytes"},
		{"no trailer", strings.Join(recs[:2], "\r\n"), "trailer"},
		{"count out of order", replace(1, 2, "000000009"), "record count"},
		{"another file's record", replace(1, 21, "0004"), "control"},
		{"trailer total wrong", replace(2, 25, "00000000000001"), "trailer says"},
		{"amount not digits", replace(1, 28, "12345X"), "amount"},
		{"unknown record type", replace(1, 1, "Q"), "type"},
		{"day 366 of 2027", replace(0, 25, "027366"), "date"},
	}
	for _, tt := range tests {
		_, err := cpa005.Read(strings.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Read = %v, want an error about %q", tt.name, err, tt.want)
		}
	}
	// LF-only and unseparated records are the same file.
	for _, v := range []string{strings.ReplaceAll(good, "\r\n", "\n"), strings.ReplaceAll(good, "\r\n", "")} {
		if f, err := cpa005.Read(strings.NewReader(v)); err != nil || len(f.Debits) != 2 {
			t.Errorf("Read(variant) = %v, %v", f, err)
		}
	}
}
