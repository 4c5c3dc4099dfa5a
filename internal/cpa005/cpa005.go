// Package cpa005 writes and reads files in CPA Standard 005 ("Standards
// for the exchange of financial data on AFT files"), the format Canadian
// banks take automated funds transfers in: the lender's payouts to
// merchants (credits, logical record type C) and its pre-authorized debits
// of customers (type D), and the bank's returned items (I for credits, J
// for debits).
//
// A file is fixed-width 1464-byte logical records, each followed by CR LF:
// a header A, detail records C, D, I or J carrying up to six 240-byte
// segments after a 24-byte common part, and a trailer Z with the file's
// debit and credit totals and counts. Numeric fields are right-justified
// and zero-filled, alphanumeric ones left-justified and space-filled;
// unused segments are blank. One writer serves payouts and debits, so
// the two can never drift apart in layout.
package cpa005

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/openflex/openflex"
)

const (
	// RecordLength is the length of every logical record, without its CR LF.
	RecordLength    = 1464
	segmentLength   = 240
	segmentsPerRec  = 6
	recordSeparator = "\r\n"
	// CreditCode is CPA transaction code 460, accounts payable: the
	// default for payouts.
	CreditCode = "460"
	// DebitCode is CPA transaction code 430, bill payment: the default for
	// a customer's pre-authorized debit towards their account. Standard 007
	// lists the codes; the sponsoring bank confirms which one a lender uses.
	DebitCode = "430"
	// MaxAmount is the largest amount one segment carries, in cents.
	MaxAmount = 9_999_999_999
)

// Kind is a logical record type.
type Kind byte

// Logical record types.
const (
	Header         Kind = 'A'
	Credit         Kind = 'C'
	Debit          Kind = 'D'
	ReturnedCredit Kind = 'I'
	ReturnedDebit  Kind = 'J'
	Trailer        Kind = 'Z'
)

// Originator is the lender as its bank knows it in AFT files.
type Originator struct {
	ID         string // originator (client) number assigned by the bank, 10
	ShortName  string // shown on the other party's statement, 15
	LongName   string // 30
	DataCentre string // destination data centre, 5 digits
	// Returns is the lender's account where rejected items come back.
	Returns openflex.BankAccount
	// TransactionCode is the 3-digit CPA code of the file's credits
	// (CreditCode when empty); DebitTransactionCode that of its debits
	// (DebitCode when empty).
	TransactionCode      string
	DebitTransactionCode string
}

// Validate reports what would make the bank refuse the originator's file.
func (o Originator) Validate() error {
	var p openflex.Problems
	if !digits(o.ID, 1, 10) {
		p.Invalid("originator_id", "the originator ID is up to 10 digits")
	}
	if len(ascii(o.ShortName)) == 0 {
		p.Missing("originator_short_name")
	}
	if len(ascii(o.LongName)) == 0 {
		p.Missing("originator_long_name")
	}
	if !digits(o.DataCentre, 5, 5) {
		p.Invalid("data_centre", "the destination data centre is 5 digits")
	}
	if o.TransactionCode != "" && !digits(o.TransactionCode, 3, 3) {
		p.Invalid("transaction_code", "the CPA transaction code is 3 digits")
	}
	if o.DebitTransactionCode != "" && !digits(o.DebitTransactionCode, 3, 3) {
		p.Invalid("debit_transaction_code", "the CPA transaction code is 3 digits")
	}
	o.Returns.HolderName = "returns"
	if err := o.Returns.Validate(); err != nil {
		p.Invalid("return_account", "the return account must be institution (3), transit (5) and account (5-12) digits")
	}
	return p.Err()
}

// Transfer is one item to write: a credit (a payment to the other party)
// or a debit (money taken from their account).
type Transfer struct {
	Amount  int64 // cents, 1 to MaxAmount
	DueDate time.Time
	Account openflex.BankAccount
	// Name is the payee's (credit) or payor's (debit) name, folded to the
	// file's character set by the writer.
	Name string
	// CrossReference identifies the item to the lender (19): a return
	// carries it back.
	CrossReference string
	Sundry         string // 15
}

// Problem says why t cannot be written ("" when it can).
func (t Transfer) Problem() string {
	if t.Amount <= 0 || t.Amount > MaxAmount {
		return fmt.Sprintf("amount %d cents is outside 1 to 9,999,999,999", t.Amount)
	}
	if openflex.FoldHolderName(t.Name) == "" {
		return "the name has no character a CPA-005 record carries (" + openflex.HolderNameChars + ")"
	}
	acct := t.Account
	acct.HolderName = "holder" // the file carries Name
	if err := acct.Validate(); err != nil {
		return "the bank account is not valid: " + err.Error()
	}
	return ""
}

// Write writes a file numbered fileNumber (1–9999) created at created:
// the credits in C records, then the debits in D records, and a trailer
// totalling each. Every transfer must be writable (see Transfer.Problem):
// a caller that pays or debits many parties leaves out the ones the bank
// could not take before calling Write, so one party's bad data never
// fails the file for the others.
func Write(w io.Writer, o Originator, fileNumber int, created time.Time, credits, debits []Transfer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if fileNumber < 1 || fileNumber > 9999 {
		return errors.New("cpa005: the file creation number is 1 to 9999")
	}
	for _, list := range [][]Transfer{credits, debits} {
		for i, t := range list {
			if p := t.Problem(); p != "" {
				return fmt.Errorf("cpa005: item %d: %s", i, p)
			}
		}
	}
	creditCode, debitCode := o.TransactionCode, o.DebitTransactionCode
	if creditCode == "" {
		creditCode = CreditCode
	}
	if debitCode == "" {
		debitCode = DebitCode
	}
	item := func(code string, t Transfer) Item {
		return Item{
			TransactionCode: code, Amount: t.Amount, DueDate: t.DueDate, Account: t.Account,
			TraceNumber: strings.Repeat("0", 22), StoredType: "000", // assigned by the bank
			ShortName: o.ShortName, Name: openflex.FoldHolderName(t.Name), LongName: o.LongName,
			OriginatorID: o.ID, CrossReference: t.CrossReference, Returns: o.Returns, Sundry: t.Sundry,
			InvalidDataElement: strings.Repeat("0", 11),
		}
	}
	var cs, ds []Item
	for _, t := range credits {
		cs = append(cs, item(creditCode, t))
	}
	for _, t := range debits {
		ds = append(ds, item(debitCode, t))
	}
	return writeFile(w, o, fileNumber, created, []group{{Credit, cs}, {Debit, ds}})
}

// WriteReturns writes a file of returned items as a bank sends one back:
// returned credits (I records) and returned debits (J records), each the
// original item with the bank's trace number and, in InvalidDataElement,
// what it refused. OpenFlex only reads such files in production; TRAINING
// and the tests use this to return debits as a bank would.
func WriteReturns(w io.Writer, o Originator, fileNumber int, created time.Time, credits, debits []Item) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if fileNumber < 1 || fileNumber > 9999 {
		return errors.New("cpa005: the file creation number is 1 to 9999")
	}
	for _, list := range [][]Item{credits, debits} {
		for i, it := range list {
			if it.Amount <= 0 || it.Amount > MaxAmount || !digits(it.TransactionCode, 3, 3) {
				return fmt.Errorf("cpa005: returned item %d: amount or transaction code out of range", i)
			}
			for _, b := range []openflex.BankAccount{it.Account, it.Returns} {
				if !digits(b.Institution, 3, 3) || !digits(b.Transit, 5, 5) {
					return fmt.Errorf("cpa005: returned item %d: institution and transit must be 3 and 5 digits", i)
				}
			}
		}
	}
	return writeFile(w, o, fileNumber, created, []group{{ReturnedCredit, credits}, {ReturnedDebit, debits}})
}

type group struct {
	kind  Kind
	items []Item
}

func writeFile(w io.Writer, o Originator, fileNumber int, created time.Time, groups []group) error {
	control := num(o.ID, 10) + num(fmt.Sprint(fileNumber), 4)
	count := 0
	write := func(r *record) error {
		if len(r.b) != RecordLength {
			return fmt.Errorf("cpa005: record of %d bytes", len(r.b))
		}
		_, err := io.WriteString(w, string(r.b)+recordSeparator)
		return err
	}
	next := func(kind Kind) *record {
		count++
		r := newRecord()
		r.put(1, string(kind))
		r.put(2, num(fmt.Sprint(count), 9))
		r.put(11, control)
		return r
	}
	a := next(Header)
	a.put(25, julian(created))
	a.put(31, num(o.DataCentre, 5))
	a.put(56, "CAD")
	if err := write(a); err != nil {
		return err
	}
	var debited, credited int64
	var debits, credits int
	for _, g := range groups {
		for i := 0; i < len(g.items); i += segmentsPerRec {
			r := next(g.kind)
			for j, it := range g.items[i:min(i+segmentsPerRec, len(g.items))] {
				r.putSegment(j, it)
				if g.kind == Debit || g.kind == ReturnedDebit {
					debited += it.Amount
					debits++
				} else {
					credited += it.Amount
					credits++
				}
			}
			if err := write(r); err != nil {
				return err
			}
		}
	}
	z := next(Trailer)
	z.put(25, num(fmt.Sprint(debited), 14))
	z.put(39, num(fmt.Sprint(debits), 8))
	z.put(47, num(fmt.Sprint(credited), 14))
	z.put(61, num(fmt.Sprint(credits), 8))
	z.put(69, num("0", 14)+num("0", 8)) // error corrections "E"
	z.put(91, num("0", 14)+num("0", 8)) // error corrections "F"
	return write(z)
}

// Item is one segment of a detail record, as written or as read back.
type Item struct {
	TransactionCode string
	Amount          int64
	DueDate         time.Time // date funds are available (UTC midnight)
	Account         openflex.BankAccount
	TraceNumber     string // 22, assigned by the bank
	StoredType      string // 3
	ShortName       string // originator short name, 15
	Name            string // payee or payor, 30
	LongName        string // originator long name, 30
	OriginatorID    string // originating direct clearer's user ID, 10
	CrossReference  string // 19
	Returns         openflex.BankAccount
	Sundry          string // 15
	SettlementCode  string // 2
	// InvalidDataElement is the 11-digit invalid data element identifier;
	// on a returned item the bank says there which field it refused.
	InvalidDataElement string
}

// Segment layout, offsets within a 240-byte segment (0-based).
const (
	offCode       = 0   // 3
	offAmount     = 3   // 10
	offDue        = 13  // 6
	offInstitute  = 19  // 9: 0 + institution 3 + transit 5
	offAccount    = 28  // 12
	offTrace      = 40  // 22
	offStored     = 62  // 3
	offShortName  = 65  // 15
	offName       = 80  // 30
	offLongName   = 110 // 30
	offOriginator = 140 // 10
	offCrossRef   = 150 // 19
	offReturnInst = 169 // 9
	offReturnAcct = 178 // 12
	offSundry     = 190 // 15
	offSettlement = 227 // 2, after 22 bytes of filler at 205
	offInvalid    = 229 // 11
)

func (r *record) putSegment(j int, it Item) {
	at := 25 + j*segmentLength
	put := func(off int, s string) { r.put(at+off, s) }
	put(offCode, it.TransactionCode)
	put(offAmount, num(fmt.Sprint(it.Amount), 10))
	put(offDue, julian(it.DueDate))
	put(offInstitute, "0"+it.Account.Institution+it.Account.Transit)
	put(offAccount, alpha(it.Account.Account, 12))
	put(offTrace, alpha(it.TraceNumber, 22))
	put(offStored, alpha(it.StoredType, 3))
	put(offShortName, alpha(it.ShortName, 15))
	put(offName, alpha(it.Name, 30))
	put(offLongName, alpha(it.LongName, 30))
	put(offOriginator, alpha(it.OriginatorID, 10))
	put(offCrossRef, alpha(it.CrossReference, 19))
	put(offReturnInst, "0"+it.Returns.Institution+it.Returns.Transit)
	put(offReturnAcct, alpha(it.Returns.Account, 12))
	put(offSundry, alpha(it.Sundry, 15))
	put(offSettlement, alpha(it.SettlementCode, 2))
	put(offInvalid, alpha(it.InvalidDataElement, 11))
}

type record struct{ b []byte }

func newRecord() *record {
	return &record{b: []byte(strings.Repeat(" ", RecordLength))}
}

// put writes s at 1-based position pos.
func (r *record) put(pos int, s string) { copy(r.b[pos-1:], s) }

func num(s string, n int) string {
	if len(s) > n {
		panic("cpa005: " + s + " does not fit in " + fmt.Sprint(n) + " digits")
	}
	return strings.Repeat("0", n-len(s)) + s
}

// alpha upper-cases s, drops accents and anything outside printable ASCII,
// and pads or cuts it to n bytes.
func alpha(s string, n int) string {
	s = strings.ToUpper(ascii(s))
	if len(s) > n {
		s = s[:n]
	}
	return s + strings.Repeat(" ", n-len(s))
}

func ascii(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

func digits(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// julian is CPA-005's date: 0YYDDD (century digit 0, year, day of year).
func julian(t time.Time) string { return fmt.Sprintf("0%02d%03d", t.Year()%100, t.YearDay()) }
