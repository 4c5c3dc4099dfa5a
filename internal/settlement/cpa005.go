package settlement

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

// CPA Standard 005 ("Standards for the exchange of financial data on AFT
// files"): fixed-width 1464-byte logical records, each followed by CR LF.
// A header "A" record, credit detail "C" records carrying up to six
// 240-byte payment segments after a 24-byte common part, and a trailer "Z"
// record with the file's totals and counts. Numeric fields are
// right-justified and zero-filled, alphanumeric ones left-justified and
// space-filled; unused segments are blank.
const (
	RecordLength    = 1464
	segmentLength   = 240
	segmentsPerC    = 6
	recordSeparator = "\r\n"
	// DefaultTransactionCode is CPA transaction code 460, accounts payable.
	DefaultTransactionCode = "460"
)

// Originator is the lender as its bank knows it in AFT files.
type Originator struct {
	ID         string // originator (client) number assigned by the bank, 10
	ShortName  string // shown on the merchant's statement, 15
	LongName   string // 30
	DataCentre string // destination data centre, 5 digits
	// Returns is the lender's account where rejected payments come back.
	Returns         openflex.BankAccount
	TransactionCode string // 3 digits; DefaultTransactionCode when empty
}

// Credit is one payment to a merchant.
type Credit struct {
	Amount    int64 // cents, 1 to 9,999,999,999
	DueDate   time.Time
	Account   openflex.BankAccount
	PayeeName string
	// CrossReference identifies the payment to the lender (19).
	CrossReference string
	Sundry         string // 15
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
	o.Returns.HolderName = "returns"
	if err := o.Returns.Validate(); err != nil {
		p.Invalid("return_account", "the return account must be institution (3), transit (5) and account (5-12) digits")
	}
	return p.Err()
}

// Skipped is a credit WriteCPA005 left out of the file, and why.
type Skipped struct {
	Index  int // in the credits given
	Reason string
}

// WriteCPA005 writes a credit file numbered fileNumber (1–9999) created at
// created. Amounts total in the trailer; the records count themselves from
// 1 (the header) to the trailer.
//
// One payee's bad data never fails the file for every other payee: a
// credit whose amount is out of range, whose bank account is not digits of
// the right lengths, or whose payee name has nothing a CPA-005 field can
// carry is left out and reported in skipped (its settlement stays unpaid);
// a payee name is written folded to the file's character set
// (openflex.FoldHolderName). Only what concerns the whole file (the
// originator, the file number, the writer) is an error.
func WriteCPA005(w io.Writer, o Originator, fileNumber int, created time.Time, credits []Credit) (skipped []Skipped, err error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if fileNumber < 1 || fileNumber > 9999 {
		return nil, errors.New("cpa005: the file creation number is 1 to 9999")
	}
	code := o.TransactionCode
	if code == "" {
		code = DefaultTransactionCode
	}
	var good []Credit
	for i, c := range credits {
		if reason := c.problem(); reason != "" {
			skipped = append(skipped, Skipped{Index: i, Reason: reason})
			continue
		}
		c.PayeeName = openflex.FoldHolderName(c.PayeeName)
		good = append(good, c)
	}
	return skipped, write005(w, o, fileNumber, created, code, good)
}

// problem says why c cannot be paid by this file ("" when it can).
func (c Credit) problem() string {
	if c.Amount <= 0 || c.Amount > 9_999_999_999 {
		return fmt.Sprintf("amount %d cents is outside 1 to 9,999,999,999", c.Amount)
	}
	if openflex.FoldHolderName(c.PayeeName) == "" {
		return "the payee name has no character a CPA-005 record carries (" + openflex.HolderNameChars + ")"
	}
	acct := c.Account
	acct.HolderName = "payee" // the file carries PayeeName
	if err := acct.Validate(); err != nil {
		return "the bank account is not valid: " + err.Error()
	}
	return ""
}

func write005(w io.Writer, o Originator, fileNumber int, created time.Time, code string, credits []Credit) error {
	control := num(mustDigits(o.ID), 10) + num(fmt.Sprint(fileNumber), 4)
	count := 0
	write := func(r *record) error {
		if len(r.b) != RecordLength {
			return fmt.Errorf("cpa005: record of %d bytes", len(r.b))
		}
		_, err := io.WriteString(w, string(r.b)+recordSeparator)
		return err
	}
	next := func(kind byte) *record {
		count++
		r := newRecord()
		r.put(1, string(kind))
		r.put(2, num(fmt.Sprint(count), 9))
		r.put(11, control)
		return r
	}
	a := next('A')
	a.put(25, julian(created))
	a.put(31, num(o.DataCentre, 5))
	a.put(56, "CAD")
	if err := write(a); err != nil {
		return err
	}
	var total int64
	for i := 0; i < len(credits); i += segmentsPerC {
		r := next('C')
		for j, c := range credits[i:min(i+segmentsPerC, len(credits))] {
			at := 25 + j*segmentLength
			r.put(at, code)
			r.put(at+3, num(fmt.Sprint(c.Amount), 10))
			r.put(at+13, julian(c.DueDate))
			r.put(at+19, "0"+c.Account.Institution+c.Account.Transit)
			r.put(at+28, alpha(c.Account.Account, 12))
			r.put(at+40, strings.Repeat("0", 22)) // item trace number: assigned by the bank
			r.put(at+62, "000")                   // stored transaction type
			r.put(at+65, alpha(o.ShortName, 15))
			r.put(at+80, alpha(c.PayeeName, 30))
			r.put(at+110, alpha(o.LongName, 30))
			r.put(at+140, alpha(o.ID, 10))
			r.put(at+150, alpha(c.CrossReference, 19))
			r.put(at+169, "0"+o.Returns.Institution+o.Returns.Transit)
			r.put(at+178, alpha(o.Returns.Account, 12))
			r.put(at+190, alpha(c.Sundry, 15))
			// 22 bytes of filler and the 2-byte settlement code stay blank.
			r.put(at+229, strings.Repeat("0", 11)) // invalid data element identifier
			total += c.Amount
		}
		if err := write(r); err != nil {
			return err
		}
	}
	z := next('Z')
	z.put(25, num("0", 14))               // total value of debits
	z.put(39, num("0", 8))                // number of debits
	z.put(47, num(fmt.Sprint(total), 14)) // total value of credits
	z.put(61, num(fmt.Sprint(len(credits)), 8))
	z.put(69, num("0", 14)+num("0", 8)) // error corrections "E"
	z.put(91, num("0", 14)+num("0", 8)) // error corrections "F"
	return write(z)
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

func mustDigits(s string) string {
	if !digits(s, 1, len(s)) {
		panic("cpa005: not digits: " + s)
	}
	return s
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
