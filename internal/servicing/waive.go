package servicing

import "github.com/openflex/openflex"

// The statement lines and posting reasons of a waiver: a credit, shown
// as such to the customer.
const (
	LineFeeWaived      LineKind = "fee_waived"
	LineInterestWaived LineKind = "interest_waived"

	ReasonFeeWaived      Reason = "fee_waived"
	ReasonInterestWaived Reason = "interest_waived"
)

// Waiver forgives all or part of one fee or interest charge (lender staff
// at the account desk).
type Waiver struct {
	ID string
	// Charge identifies the charge (its ledger transaction), Kind whether
	// it was a fee or interest (BucketFee or BucketInterest), and Charged
	// how much it was: the engine reads them from the ledger.
	Charge  string
	Kind    Bucket
	Charged int64
	// Segment is where the charge was billed when known ("": the
	// revolving segment).
	Segment string
	Date    Date
	Amount  int64
	Reason  string
}

// Waive takes w.Amount off what the account owes for a charge: off the
// same kind of charge (fees for a fee, interest for interest) on the
// charge's segment first, then on the other segments in allocation order,
// then off a charged-off balance; what the customer had already paid of
// it comes back as a credit balance. The charge's total waived is
// remembered, so no charge is ever waived beyond what it was, however
// often staff try. Like a return, a waiver lowers the amount that keeps
// the grace period; it is not a payment, so the minimums still ask for
// what is left of them, never more than is owed.
//
// Errors: parameter_invalid for a bad amount, a date other than the open
// day, a kind other than fee or interest, or more than is left of the
// charge to waive; parameter_missing without an id, a charge or a reason.
func (a *Account) Waive(w Waiver) (Result, error) {
	if err := checkAmount("amount", w.Amount); err != nil {
		return Result{}, err
	}
	if err := a.checkDay("date", w.Date); err != nil {
		return Result{}, err
	}
	switch {
	case w.ID == "":
		return Result{}, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "id", Message: "the waiver id is required"}
	case w.Charge == "":
		return Result{}, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "charge", Message: "the charge to waive is required"}
	case w.Reason == "":
		return Result{}, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "reason", Message: "a waiver needs its reason"}
	case w.Kind != BucketFee && w.Kind != BucketInterest:
		return Result{}, invalid("charge", "only a fee or an interest charge can be waived")
	}
	left := w.Charged - a.Waived[w.Charge]
	if w.Amount > left {
		if left <= 0 {
			return Result{}, invalid("amount", "charge %s is already waived in full", w.Charge)
		}
		return Result{}, invalid("amount", "at most %s is left of charge %s to waive", openflex.FormatCAD(left, "en"), w.Charge)
	}
	reason, kind := ReasonFeeWaived, LineFeeWaived
	if w.Kind == BucketInterest {
		reason, kind = ReasonInterestWaived, LineInterestWaived
	}
	var res Result
	rest := w.Amount
	take := func(s *Segment) {
		x := min(rest, *s.bucket(w.Kind))
		if x <= 0 {
			return
		}
		*s.bucket(w.Kind) -= x
		s.Due = min(s.Due, s.Balance())
		rest -= x
		res.Postings = append(res.Postings, Posting{Segment: s.ID, Bucket: w.Kind, Amount: -x, Reason: reason, Ref: w.ID})
	}
	seg := w.Segment
	if seg == "" {
		seg = RevolvingID
	}
	if s := a.resolve(seg); s != nil {
		take(s)
	}
	for _, s := range a.order() {
		take(s)
	}
	if x := min(rest, a.ChargedOff); x > 0 {
		a.ChargedOff -= x
		rest -= x
		res.Postings = append(res.Postings, Posting{Bucket: BucketChargedOff, Amount: -x, Reason: reason, Ref: w.ID})
	}
	if rest > 0 { // paid already: the customer gets it back as a credit
		a.Credit += rest
		res.Postings = append(res.Postings, Posting{Bucket: BucketCredit, Amount: -rest, Reason: reason, Ref: w.ID})
	}
	if a.Waived == nil {
		a.Waived = map[string]int64{}
	}
	a.Waived[w.Charge] += w.Amount
	if a.Last != nil && !a.Last.Decided {
		a.Last.GraceOwed -= w.Amount
	}
	a.Cycle.Lines = append(a.Cycle.Lines, Line{Date: w.Date, Kind: kind, Amount: -w.Amount, Description: w.Reason, Ref: w.ID, Segment: seg})
	a.capDues()
	res.Changes = a.restand(w.Date)
	return res, nil
}

// WaivedOf is how much of charge has been waived.
func (a *Account) WaivedOf(charge string) int64 { return a.Waived[charge] }
