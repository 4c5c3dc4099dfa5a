package settlement

import (
	"io"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
)

// RecordLength is the length of a CPA Standard 005 logical record.
const RecordLength = cpa005.RecordLength

// DefaultTransactionCode is CPA transaction code 460, accounts payable.
const DefaultTransactionCode = cpa005.CreditCode

// Originator is the lender as its bank knows it in AFT files.
type Originator = cpa005.Originator

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

// Skipped is a credit WriteCPA005 left out of the file, and why.
type Skipped struct {
	Index  int // in the credits given
	Reason string
}

// WriteCPA005 writes a credit file numbered fileNumber (1–9999) created at
// created, through the one CPA-005 writer that debits share (package
// cpa005).
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
	var good []cpa005.Transfer
	for i, c := range credits {
		t := cpa005.Transfer{Amount: c.Amount, DueDate: c.DueDate, Account: c.Account, Name: c.PayeeName,
			CrossReference: c.CrossReference, Sundry: c.Sundry}
		reason := t.Problem()
		if openflex.FoldHolderName(c.PayeeName) == "" {
			reason = "the payee name has no character a CPA-005 record carries (" + openflex.HolderNameChars + ")"
		}
		if reason != "" {
			skipped = append(skipped, Skipped{Index: i, Reason: reason})
			continue
		}
		good = append(good, t)
	}
	return skipped, cpa005.Write(w, o, fileNumber, created, good, nil)
}
