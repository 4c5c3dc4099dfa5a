package servicing

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// accrualDenominator turns a sum of balance-days × rate (cents ×
// thousandths of a percent) into cents: 1000 thousandths × 100 % × 365
// days.
const accrualDenominator = 1000 * 100 * 365

// chargedOffID is where a charged-off segment's balance moved.
const chargedOffID = "charged_off"

// interestCents turns an exact accrual into cents, half up.
func interestCents(accrued int64) int64 {
	q, r := accrued/accrualDenominator, accrued%accrualDenominator
	if 2*r >= accrualDenominator {
		q++
	}
	return q
}

func invalid(param, format string, args ...any) error {
	return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: param, Message: fmt.Sprintf(format, args...)}
}

// Open starts servicing an account on o.Opened, with status normal.
//
// It returns an error when cfg or o is not valid.
func Open(cfg Config, o Opening) (*Account, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case !o.Province.Valid():
		return nil, fmt.Errorf("servicing: open: %q is not a province or territory", o.Province)
	case o.Opened.IsZero():
		return nil, errors.New("servicing: open: the opening date is required")
	case o.StatementDay < 0 || o.StatementDay > 28:
		return nil, fmt.Errorf("servicing: open: statement day %d: must be 1 to 28, or 0 for the month's last day", o.StatementDay)
	case o.CreditLimit < 0:
		return nil, fmt.Errorf("servicing: open: credit limit %d: must not be negative", o.CreditLimit)
	case o.Rate < 0 || o.Rate > CriminalRate:
		return nil, fmt.Errorf("servicing: open: rate %s: must be from 0 to %s", o.Rate, CriminalRate)
	}
	if o.Rate == 0 {
		o.Rate = cfg.RevolvingRate
	}
	a := &Account{
		Config: cfg, Opening: o, Status: openflex.AccountNormal, Day: o.Opened.AddDays(-1),
		CreditLimit: o.CreditLimit,
		Segments:    []*Segment{{ID: RevolvingID, Kind: SegmentRevolving, Rate: o.Rate, Opened: o.Opened}},
		Payments:    map[string]*PaymentRecord{}, Purchases: map[string]string{},
	}
	a.Cycle = Cycle{Start: o.Opened, End: a.statementDate(o.Opened)}
	return a, nil
}

// statementDate is the first statement day on or after d.
func (a *Account) statementDate(d Date) Date {
	day := func(y int, m int) Date {
		n := daysIn(y, time.Month(m))
		if a.Opening.StatementDay > 0 {
			n = min(n, a.Opening.StatementDay)
		}
		return D(y, time.Month(m), n)
	}
	c := day(d.Year, int(d.Month))
	if c.Before(d) {
		c = day(d.Year, int(d.Month)+1)
	}
	return c
}

// OpenDay is the day operations are dated on: the day after Day.
func (a *Account) OpenDay() Date { return a.Day.AddDays(1) }

// Balance is what the customer owes: every segment's balance and the
// charged-off balance, less the credit balance.
func (a *Account) Balance() int64 {
	b := a.ChargedOff - a.Credit
	for _, s := range a.Segments {
		b += s.Balance()
	}
	return b
}

// Available is the credit the account can still draw, never below zero.
func (a *Account) Available() int64 {
	return max(0, a.CreditLimit-a.Balance()-a.Held)
}

// Segment returns the segment with id, or nil.
func (a *Account) Segment(id string) *Segment {
	for _, s := range a.Segments {
		if s.ID == id {
			return s
		}
	}
	return nil
}

func (a *Account) revolving() *Segment { return a.Segments[0] }

// resolve follows a closed segment to where its balance went: the
// revolving segment, or nil once charged off.
func (a *Account) resolve(id string) *Segment {
	s := a.Segment(id)
	for s != nil && s.Closed {
		if s.MovedTo == chargedOffID {
			return nil
		}
		if s.MovedTo == "" {
			return a.revolving()
		}
		s = a.Segment(s.MovedTo)
	}
	return s
}

// order is the open segments, highest rate first: the order fees,
// interest, dues and excess are paid in. On a tie the revolving segment
// comes first, then the older plan.
func (a *Account) order() []*Segment {
	var out []*Segment
	for _, s := range a.Segments {
		if !s.Closed {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(x, y *Segment) int {
		if c := cmp.Compare(y.Rate, x.Rate); c != 0 {
			return c
		}
		if (x.Kind == SegmentRevolving) != (y.Kind == SegmentRevolving) {
			if x.Kind == SegmentRevolving {
				return -1
			}
			return 1
		}
		if x.Opened != y.Opened {
			if x.Opened.Before(y.Opened) {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out
}

// accrues reports whether s accrues daily interest on day d.
func (a *Account) accrues(s *Segment, d Date) bool {
	if s.Closed || a.Status == openflex.AccountChargedOff {
		return false
	}
	switch s.Kind {
	case SegmentRevolving:
		return true
	case SegmentDeferred:
		return d.Before(s.Expiry)
	}
	return false
}

func (a *Account) checkDay(param string, d Date) error {
	if d != a.OpenDay() {
		return invalid(param, "the date must be the account's open day %s, got %s", a.OpenDay(), d)
	}
	return nil
}

func checkAmount(param string, amount int64) error {
	if fe := openflex.CheckAmount(param, amount, false); fe != nil {
		return &openflex.Error{Code: fe.Code, Param: fe.Param, Message: fe.Message}
	}
	return nil
}

// Purchase posts a captured purchase to its segment: the revolving one for
// a Regular plan, a new one otherwise, with a FeeTotal admin fee posted
// with it. The first instalment of an equal-payment plan is billed by the
// first statement on or after the purchase date.
//
// Errors (*openflex.Error, parameter_invalid): a bad amount, terms the
// finance rules cannot quote, a date other than the open day, or an id
// already used.
func (a *Account) Purchase(p Purchase) (Result, error) {
	if err := checkAmount("amount", p.Amount); err != nil {
		return Result{}, err
	}
	if err := a.checkDay("date", p.Date); err != nil {
		return Result{}, err
	}
	if p.ID == "" {
		return Result{}, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "id", Message: "the purchase id is required"}
	}
	if _, dup := a.Purchases[p.ID]; dup || a.Segment(p.ID) != nil {
		return Result{}, invalid("id", "purchase %s is already on the account", p.ID)
	}
	q, err := finance.NewQuote(p.Amount, p.Terms, "en")
	if err != nil {
		var ie *finance.InputError
		if errors.As(err, &ie) {
			return Result{}, invalid("terms."+ie.Param, "%s", ie.Message)
		}
		return Result{}, err
	}
	var res Result
	line := Line{Date: p.Date, Kind: LinePurchase, Amount: p.Amount, Description: p.Description, Merchant: p.Merchant, Store: p.Store,
		MerchantName: p.MerchantName, StoreName: p.StoreName, Ref: p.ID}
	fee := int64(0)
	if q.Terms.FeeKind == finance.FeeTotal {
		fee = q.Terms.AdminFee
	}
	var s *Segment
	if q.Terms.Category == finance.Regular {
		s = a.revolving()
		if s.Closed { // charged off: the capture of an older authorization still lands
			s.Closed, s.MovedTo = false, ""
		}
	} else {
		rule := p.DeferredRule
		switch rule {
		case "":
			rule = DeferredRetroactive
		case DeferredRetroactive, DeferredForward:
		default:
			return Result{}, invalid("deferred_rule", "deferred_rule must be %q or %q", DeferredRetroactive, DeferredForward)
		}
		s = &Segment{ID: p.ID, Kind: SegmentKind(q.Terms.Category), Rate: q.Terms.AnnualRate, Opened: p.Date,
			Merchant: p.Merchant, MerchantName: p.MerchantName, Description: p.Description, Terms: q.Terms, Amount: p.Amount}
		if s.Kind == SegmentDeferred {
			s.DeferredRule = rule
			s.Expiry = p.Date.AddMonths(q.Terms.Months)
		} else {
			s.Schedule = q.Payments
			s.Unbilled = p.Amount
			end := a.statementDate(p.Date)
			for range q.Terms.Months - 1 {
				end = a.statementDate(end.AddDays(1))
			}
			s.Expiry = end
		}
		a.Segments = append(a.Segments, s)
	}
	a.Purchases[p.ID] = s.ID
	s.Principal += p.Amount
	res.Postings = append(res.Postings, Posting{Segment: s.ID, Bucket: BucketPrincipal, Amount: p.Amount, Reason: ReasonPurchase, Ref: p.ID})
	a.Cycle.Lines = append(a.Cycle.Lines, withSegment(line, s.ID))
	if fee > 0 {
		res.Postings = append(res.Postings, a.chargeFee(s, fee, ReasonAdminFee, p.ID, p.Date, feeAdmin))
	}
	return res, nil
}

func withSegment(l Line, seg string) Line { l.Segment = seg; return l }

// chargeFee bills fee to s.
func (a *Account) chargeFee(s *Segment, fee int64, r Reason, ref string, d Date, what string) Posting {
	s.Fees += fee
	if s.Kind == SegmentRevolving {
		a.Cycle.RevolvingCharged += fee
	}
	a.Cycle.Lines = append(a.Cycle.Lines, Line{Date: d, Kind: LineFee, Amount: fee, Description: what, Ref: ref, Segment: s.ID})
	return Posting{Segment: s.ID, Bucket: BucketFee, Amount: fee, Reason: r, Ref: ref}
}

// chargeInterest bills interest to s.
func (a *Account) chargeInterest(s *Segment, interest int64, ref string, d Date) Posting {
	s.Interest += interest
	if s.Kind == SegmentRevolving {
		a.Cycle.RevolvingCharged += interest
	}
	a.Cycle.Lines = append(a.Cycle.Lines, Line{Date: d, Kind: LineInterest, Amount: interest, Description: interestText, Ref: ref, Segment: s.ID})
	return Posting{Segment: s.ID, Bucket: BucketInterest, Amount: interest, Reason: ReasonInterest, Ref: ref}
}

// Return reduces the purchase's own segment by r.Amount (principal first,
// then its interest and fees); what exceeds that segment's balance
// becomes a credit balance. A return on a plan re-amortises what is left
// of its schedule.
//
// Errors: parameter_invalid for a bad amount or date; resource_missing for
// an unknown purchase.
func (a *Account) Return(r Return) (Result, error) {
	if err := checkAmount("amount", r.Amount); err != nil {
		return Result{}, err
	}
	if err := a.checkDay("date", r.Date); err != nil {
		return Result{}, err
	}
	segID, ok := a.Purchases[r.PurchaseID]
	if !ok {
		return Result{}, openflex.NotFound("purchase", r.PurchaseID)
	}
	var res Result
	left := r.Amount
	if s := a.resolve(segID); s != nil {
		for _, b := range []Bucket{BucketPrincipal, BucketInterest, BucketFee} {
			x := min(left, *s.bucket(b))
			if x > 0 {
				if b == BucketPrincipal {
					s.reducePrincipal(x, true)
				} else {
					*s.bucket(b) -= x
				}
				left -= x
				res.Postings = append(res.Postings, Posting{Segment: s.ID, Bucket: b, Amount: -x, Reason: ReasonReturn, Ref: r.ID})
			}
		}
		s.Due = min(s.Due, s.Balance())
		a.reamortise(s)
	} else if x := min(left, a.ChargedOff); x > 0 {
		a.ChargedOff -= x
		left -= x
		res.Postings = append(res.Postings, Posting{Bucket: BucketChargedOff, Amount: -x, Reason: ReasonReturn, Ref: r.ID})
	}
	if left > 0 {
		a.Credit += left
		res.Postings = append(res.Postings, Posting{Bucket: BucketCredit, Amount: -left, Reason: ReasonReturn, Ref: r.ID})
	}
	if a.Last != nil && !a.Last.Decided {
		a.Last.GraceOwed -= r.Amount
	}
	a.Cycle.Lines = append(a.Cycle.Lines, Line{Date: r.Date, Kind: LineReturn, Amount: -r.Amount, Description: r.Description,
		Merchant: r.Merchant, Store: r.Store, MerchantName: r.MerchantName, StoreName: r.StoreName, Ref: r.ID, Segment: segID})
	a.capDues()
	res.Changes = a.restand(r.Date)
	return res, nil
}

func (s *Segment) bucket(b Bucket) *int64 {
	switch b {
	case BucketInterest:
		return &s.Interest
	case BucketFee:
		return &s.Fees
	}
	return &s.Principal
}

// reamortise rebuilds what is left of an equal-payment schedule when the
// principal still to bill no longer matches it (a return, a prepayment, a
// reversal of one): the same rate over the instalments left, so they
// still sum to the principal and the plan still ends when disclosed.
func (a *Account) reamortise(s *Segment) {
	if s.Kind != SegmentEqualPayments || s.Closed {
		return
	}
	var expected int64
	for _, p := range s.Schedule[s.Billed:] {
		expected += p.Principal
	}
	if s.Unbilled == expected {
		return
	}
	left := len(s.Schedule) - s.Billed
	if left == 0 || s.Unbilled == 0 {
		// Nothing left to bill, or nothing left to bill it for: what
		// remains (a reversal after the last instalment) is due with the
		// next statement.
		s.Schedule = s.Schedule[:s.Billed:s.Billed]
		if s.Unbilled > 0 {
			s.Schedule = append(s.Schedule, finance.Payment{Number: s.Billed + 1, Amount: s.Unbilled, Principal: s.Unbilled})
		}
		return
	}
	t := s.Terms
	t.Months, t.AdminFee = left, 0
	if s.Terms.FeeKind == finance.FeeMonthly {
		t.AdminFee = s.Terms.AdminFee
	}
	q, err := finance.NewQuote(s.Unbilled, t, "en")
	if err != nil {
		return // Unbilled is within 1..MaxAmount and t was quotable before: cannot happen
	}
	sched := s.Schedule[:s.Billed:s.Billed]
	for i, p := range q.Payments {
		p.Number = s.Billed + i + 1
		sched = append(sched, p)
	}
	s.Schedule = sched
}

// reducePrincipal takes x off s's principal: off the principal still to
// bill first when unbilled is set (a prepayment, a return), else off what
// was billed; it returns how much came off the unbilled part.
func (s *Segment) reducePrincipal(x int64, unbilledFirst bool) int64 {
	s.Principal -= x
	var u int64
	if unbilledFirst {
		u = min(x, s.Unbilled)
	}
	// Billed principal is Principal − Unbilled and never negative.
	u = max(u, s.Unbilled-s.Principal)
	s.Unbilled -= u
	return u
}
