package cpa005

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// File is a CPA-005 file as read: its header, its items by record type,
// and the trailer's totals (checked against the items by Read).
type File struct {
	OriginatorID string
	FileNumber   int
	Created      time.Time
	DataCentre   string
	Currency     string

	Credits         []Item // C
	Debits          []Item // D
	ReturnedCredits []Item // I
	ReturnedDebits  []Item // J

	DebitTotal, CreditTotal int64
	DebitCount, CreditCount int
}

// Read parses a whole file. Records end with CR LF or LF (or follow one
// another with no separator, as some banks send them). It checks what a
// bank checks: every record 1464 bytes, a header first and a trailer
// last, records counted from 1 in order, one origination control number
// throughout, and the trailer's totals equal to the items': debits (D and
// J records) and credits (C and I records) separately.
func Read(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cpa005: read: %w", err)
	}
	recs, err := split(data)
	if err != nil {
		return nil, err
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("cpa005: %d records, want at least a header and a trailer", len(recs))
	}
	f := &File{}
	var control string
	for i, rec := range recs {
		n := i + 1
		kind := Kind(rec[0])
		if got := field(rec, 2, 9); got != fmt.Sprintf("%09d", n) {
			return nil, fmt.Errorf("cpa005: record %d: logical record count %q", n, got)
		}
		c := field(rec, 11, 14)
		switch {
		case i == 0 && kind != Header:
			return nil, fmt.Errorf("cpa005: record 1 is %q, want the header A", kind)
		case i == len(recs)-1 && kind != Trailer:
			return nil, fmt.Errorf("cpa005: last record is %q, want the trailer Z", kind)
		case i == 0:
			control = c
		case c != control:
			return nil, fmt.Errorf("cpa005: record %d: origination control data %q, the header's is %q", n, c, control)
		}
		switch kind {
		case Header:
			if i != 0 {
				return nil, fmt.Errorf("cpa005: record %d: a second header", n)
			}
			f.OriginatorID = strings.TrimSpace(c[:10])
			if f.FileNumber, err = strconv.Atoi(c[10:]); err != nil {
				return nil, fmt.Errorf("cpa005: header: file creation number %q", c[10:])
			}
			if f.Created, err = parseJulian(field(rec, 25, 6)); err != nil {
				return nil, fmt.Errorf("cpa005: header: creation date: %w", err)
			}
			f.DataCentre = field(rec, 31, 5)
			f.Currency = field(rec, 56, 3)
		case Credit, Debit, ReturnedCredit, ReturnedDebit:
			items, err := segments(rec)
			if err != nil {
				return nil, fmt.Errorf("cpa005: record %d: %w", n, err)
			}
			switch kind {
			case Credit:
				f.Credits = append(f.Credits, items...)
			case Debit:
				f.Debits = append(f.Debits, items...)
			case ReturnedCredit:
				f.ReturnedCredits = append(f.ReturnedCredits, items...)
			case ReturnedDebit:
				f.ReturnedDebits = append(f.ReturnedDebits, items...)
			}
		case Trailer:
			if i != len(recs)-1 {
				return nil, fmt.Errorf("cpa005: record %d: a trailer before the end", n)
			}
			var nums [4]int64
			for j, at := range []struct{ pos, n int }{{25, 14}, {39, 8}, {47, 14}, {61, 8}} {
				if nums[j], err = number(field(rec, at.pos, at.n)); err != nil {
					return nil, fmt.Errorf("cpa005: trailer: %w", err)
				}
			}
			f.DebitTotal, f.DebitCount, f.CreditTotal, f.CreditCount = nums[0], int(nums[1]), nums[2], int(nums[3])
		default:
			return nil, fmt.Errorf("cpa005: record %d: logical record type %q", n, kind)
		}
	}
	sum := func(lists ...[]Item) (total int64, count int) {
		for _, l := range lists {
			for _, it := range l {
				total += it.Amount
				count++
			}
		}
		return total, count
	}
	if t, c := sum(f.Debits, f.ReturnedDebits); t != f.DebitTotal || c != f.DebitCount {
		return nil, fmt.Errorf("cpa005: trailer says %d debits for %d cents, the records hold %d for %d", f.DebitCount, f.DebitTotal, c, t)
	}
	if t, c := sum(f.Credits, f.ReturnedCredits); t != f.CreditTotal || c != f.CreditCount {
		return nil, fmt.Errorf("cpa005: trailer says %d credits for %d cents, the records hold %d for %d", f.CreditCount, f.CreditTotal, c, t)
	}
	return f, nil
}

func split(data []byte) ([][]byte, error) {
	var recs [][]byte
	if !bytes.ContainsAny(data, "\r\n") {
		if len(data)%RecordLength != 0 {
			return nil, fmt.Errorf("cpa005: %d bytes is not a whole number of %d-byte records", len(data), RecordLength)
		}
		for i := 0; i < len(data); i += RecordLength {
			recs = append(recs, data[i:i+RecordLength])
		}
		return recs, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 2*RecordLength), 4*RecordLength)
	for sc.Scan() {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if len(line) != RecordLength {
			return nil, fmt.Errorf("cpa005: record %d is %d bytes, want %d", len(recs)+1, len(line), RecordLength)
		}
		recs = append(recs, bytes.Clone(line))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cpa005: %w", err)
	}
	return recs, nil
}

// segments reads a detail record's used segments: a blank segment ends
// them (the writer fills a record's segments in order).
func segments(rec []byte) ([]Item, error) {
	var items []Item
	for j := range segmentsPerRec {
		at := 25 + j*segmentLength
		seg := rec[at-1 : at-1+segmentLength]
		if len(bytes.TrimSpace(seg)) == 0 {
			break
		}
		get := func(off, n int) string { return strings.TrimRight(string(seg[off:off+n]), " ") }
		amount, err := number(get(offAmount, 10))
		if err != nil {
			return nil, fmt.Errorf("segment %d: amount: %w", j+1, err)
		}
		due, err := parseJulian(get(offDue, 6))
		if err != nil {
			return nil, fmt.Errorf("segment %d: due date: %w", j+1, err)
		}
		acct, err := institution(get(offInstitute, 9))
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", j+1, err)
		}
		acct.Account = get(offAccount, 12)
		ret, err := institution(get(offReturnInst, 9))
		if err != nil {
			return nil, fmt.Errorf("segment %d: return %w", j+1, err)
		}
		ret.Account = get(offReturnAcct, 12)
		items = append(items, Item{
			TransactionCode: get(offCode, 3), Amount: amount, DueDate: due, Account: acct,
			TraceNumber: get(offTrace, 22), StoredType: get(offStored, 3),
			ShortName: get(offShortName, 15), Name: get(offName, 30), LongName: get(offLongName, 30),
			OriginatorID: get(offOriginator, 10), CrossReference: get(offCrossRef, 19),
			Returns: ret, Sundry: get(offSundry, 15), SettlementCode: get(offSettlement, 2),
			InvalidDataElement: get(offInvalid, 11),
		})
	}
	return items, nil
}

func institution(s string) (openflex.BankAccount, error) {
	if !digits(s, 9, 9) {
		return openflex.BankAccount{}, fmt.Errorf("institution and transit %q, want 9 digits", s)
	}
	return openflex.BankAccount{Institution: s[1:4], Transit: s[4:9]}, nil
}

func field(rec []byte, pos, n int) string { return string(rec[pos-1 : pos-1+n]) }

func number(s string) (int64, error) {
	if !digits(s, 1, 18) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return strconv.ParseInt(s, 10, 64)
}

// parseJulian reads 0YYDDD (years 2000–2099).
func parseJulian(s string) (time.Time, error) {
	if !digits(s, 6, 6) || s[0] != '0' {
		return time.Time{}, fmt.Errorf("%q is not a date 0YYDDD", s)
	}
	yy, _ := strconv.Atoi(s[1:3])
	ddd, _ := strconv.Atoi(s[3:])
	t := time.Date(2000+yy, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, ddd-1)
	if ddd < 1 || t.Year() != 2000+yy {
		return time.Time{}, fmt.Errorf("%q: day %d is not in 20%02d", s, ddd, yy)
	}
	return t, nil
}
