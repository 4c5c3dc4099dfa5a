package servicing

import (
	"fmt"
	"slices"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// principalFrom is the principal a schedule bills from instalment k on.
func principalFrom(sched []finance.Payment, k int) int64 {
	var p int64
	for _, x := range sched[k:] {
		p += x.Principal
	}
	return p
}

// allocator spreads money over what is owed, in the order of the rules,
// recording each part.
type allocator struct {
	a      *Account
	left   int64
	reason Reason
	ref    string
	rec    *PaymentRecord
	out    []Posting
	// target is the segment a directed payment's excess goes to first.
	target string
}

func (al *allocator) take(s *Segment, b Bucket, max int64) {
	x := min(al.left, max)
	if x <= 0 {
		return
	}
	al.left -= x
	if b == BucketPrincipal {
		if u := s.reducePrincipal(x, s.Due == 0); u > 0 && al.rec != nil {
			al.rec.Prepaid[s.ID] += u
		}
	} else {
		*s.bucket(b) -= x
	}
	if d := min(x, s.Due); d > 0 {
		s.Due -= d
		if al.rec != nil {
			al.rec.DueParts[s.ID] += d
		}
	}
	al.out = append(al.out, Posting{Segment: s.ID, Bucket: b, Amount: -x, Reason: al.reason, Ref: al.ref})
}

// run allocates: fees, then interest (each highest rate first), then what
// is due on each segment, then the excess to the target segment when the
// payment is directed, then to the highest-rate balance.
func (al *allocator) run() {
	order := al.a.order()
	for _, s := range order {
		al.take(s, BucketFee, s.Fees)
	}
	for _, s := range order {
		al.take(s, BucketInterest, s.Interest)
	}
	for _, s := range order {
		al.take(s, BucketPrincipal, min(s.Due, s.Principal))
	}
	if t := al.a.resolve(al.target); al.target != "" && t != nil {
		al.take(t, BucketPrincipal, t.Principal)
	}
	for _, s := range order {
		al.take(s, BucketPrincipal, s.Principal)
	}
	for _, s := range order {
		al.a.reamortise(s)
	}
}

// Pay allocates a payment: fees, then interest (each highest rate first),
// then what is due on each segment, then the segment the payment is
// directed at (p.Segment; a plan since closed directs it where its
// balance went), then the highest-rate balance; what is left becomes a
// credit balance. On a charged-off account it recovers the
// charged-off balance first. A payment dated before the open day (but in
// the open cycle) redoes the accrual since its date.
//
// Errors: parameter_invalid for a bad amount, a date after the open day or
// before the open cycle, an id already used, or a segment not on the
// account; parameter_missing without an id.
func (a *Account) Pay(p Payment) (Result, error) {
	if err := checkAmount("amount", p.Amount); err != nil {
		return Result{}, err
	}
	if p.ID == "" {
		return Result{}, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "id", Message: "the payment id is required"}
	}
	if _, dup := a.Payments[p.ID]; dup {
		return Result{}, invalid("id", "payment %s is already on the account", p.ID)
	}
	if p.Segment != "" && a.Segment(p.Segment) == nil {
		return Result{}, invalid("segment", "no plan %q on this account", p.Segment)
	}
	if p.Date.After(a.OpenDay()) || p.Date.Before(a.Cycle.Start) {
		return Result{}, invalid("date", "a payment is dated from %s (the cycle's start) to %s (the open day), got %s", a.Cycle.Start, a.OpenDay(), p.Date)
	}
	rec := &PaymentRecord{Payment: p, AppliedOn: a.OpenDay(), DueParts: map[string]int64{}, MinimumParts: map[Date]int64{},
		Prepaid: map[string]int64{}, Backdated: map[string][]DayBalance{}, Accrual: map[string]int64{}}
	al := &allocator{a: a, left: p.Amount, reason: ReasonPayment, ref: p.ID, rec: rec, target: p.Segment}
	if x := min(al.left, a.ChargedOff); x > 0 {
		a.ChargedOff -= x
		al.left -= x
		al.out = append(al.out, Posting{Bucket: BucketChargedOff, Amount: -x, Reason: ReasonRecovery, Ref: p.ID})
	}
	before := map[string][]finance.Payment{}
	for _, g := range a.Segments {
		if g.Kind == SegmentEqualPayments && !g.Closed {
			before[g.ID] = slices.Clone(g.Schedule)
		}
	}
	al.run()
	for id, sched := range before {
		if !slices.Equal(sched, a.Segment(id).Schedule) {
			if rec.Schedules == nil {
				rec.Schedules = map[string][]finance.Payment{}
			}
			rec.Schedules[id] = sched
		}
	}
	if al.left > 0 {
		a.Credit += al.left
		al.out = append(al.out, Posting{Bucket: BucketCredit, Amount: -al.left, Reason: ReasonPayment, Ref: p.ID})
	}
	rec.Postings = al.out
	// Interest already accrued on the days the payment covers is taken
	// back, day by day, never more than each day's balance.
	if p.Date.Before(a.OpenDay()) {
		for _, q := range al.out {
			g := a.Segment(q.Segment)
			if g == nil {
				continue
			}
			x := -q.Amount
			for i := max(0, a.Cycle.Start.DaysUntil(p.Date)); i < len(g.Daily); i++ {
				r := min(x, g.Daily[i])
				if r == 0 {
					continue
				}
				g.Daily[i] -= r
				credit := r * int64(g.Rate)
				g.Accrued -= credit
				rec.Accrual[g.ID] += credit
				rec.Backdated[g.ID] = append(rec.Backdated[g.ID], DayBalance{Day: a.Cycle.Start.AddDays(i), Balance: r})
			}
		}
	}
	// What the payment paid counts toward the minimums, oldest first (what
	// it left as a credit counts when the credit pays), and all of it toward
	// the amount that keeps the grace period.
	left := p.Amount - al.left
	for i := range a.Dues {
		x := min(left, a.Dues[i].Remaining)
		a.Dues[i].Remaining -= x
		left -= x
		if x > 0 {
			rec.MinimumParts[a.Dues[i].Statement] += x
		}
	}
	if a.Last != nil && p.Date.After(a.Last.Date) {
		a.Last.GraceOwed -= p.Amount
		rec.GraceCounted, rec.GraceStatement = p.Amount, a.Last.Date
	}
	a.Payments[p.ID] = rec
	a.Cycle.Lines = append(a.Cycle.Lines, Line{Date: p.Date, Kind: LinePayment, Amount: -p.Amount, Description: p.Channel, Ref: p.ID})
	return Result{Postings: al.out, Changes: a.restand(a.OpenDay())}, nil
}

// Reverse undoes a payment's allocation exactly (restoring what it paid,
// what was due and the grace it counted toward), re-accrues the interest
// the payment had avoided since its date, charges the NSF fee when the
// payment was returned and the lender has one, and moves the standing back.
// What the payment paid to a segment since moved (a promotion cancelled, a
// deferred plan expired) is owed again where the balance went; what it left
// as a credit balance that has since been used is owed again on the
// revolving segment.
//
// Errors: resource_missing for an unknown payment, or one applied more
// than Config.ReversalDays ago (its allocation is no longer kept);
// parameter_invalid when it was already reversed or the date is not the
// open day.
func (a *Account) Reverse(r Reversal) (Result, error) {
	rec, ok := a.Payments[r.PaymentID]
	if !ok {
		return Result{}, &openflex.Error{Code: openflex.CodeResourceMissing, Param: "payment",
			Message: fmt.Sprintf("no payment %q applied to this account recently enough to be reversed", r.PaymentID)}
	}
	if rec.Reversed {
		return Result{}, invalid("payment", "payment %s is already reversed", r.PaymentID)
	}
	if err := a.checkDay("date", r.Date); err != nil {
		return Result{}, err
	}
	var out []Posting
	// Days ended since the payment was applied accrued on the lower balance.
	days := int64(rec.AppliedOn.DaysUntil(a.OpenDay()))
	owe := func(seg string, b Bucket, x int64) {
		if b == BucketChargedOff {
			a.ChargedOff += x
			out = append(out, Posting{Bucket: BucketChargedOff, Amount: x, Reason: ReasonPaymentReversed, Ref: r.PaymentID})
			return
		}
		s := a.resolve(seg)
		if s == nil { // charged off since
			a.ChargedOff += x
			out = append(out, Posting{Bucket: BucketChargedOff, Amount: x, Reason: ReasonPaymentReversed, Ref: r.PaymentID})
			return
		}
		*s.bucket(b) += x
		if b == BucketPrincipal && s.Kind == SegmentEqualPayments {
			// Principal the schedule billed is owed again as billed; principal
			// paid ahead goes back to the schedule.
			u := min(x, rec.Prepaid[seg])
			rec.Prepaid[seg] -= u
			s.Unbilled += u
		}
		if a.accrues(s, a.Day) && days > 0 {
			s.Accrued += x * int64(s.Rate) * days
		}
		out = append(out, Posting{Segment: s.ID, Bucket: b, Amount: x, Reason: ReasonPaymentReversed, Ref: r.PaymentID})
	}
	for i := len(rec.Postings) - 1; i >= 0; i-- {
		q := rec.Postings[i]
		x := -q.Amount
		if q.Bucket == BucketCredit {
			c := min(x, a.Credit)
			if c > 0 {
				a.Credit -= c
				out = append(out, Posting{Bucket: BucketCredit, Amount: c, Reason: ReasonPaymentReversed, Ref: r.PaymentID})
			}
			if x > c {
				owe(RevolvingID, BucketPrincipal, x-c)
			}
			continue
		}
		owe(q.Segment, q.Bucket, x)
	}
	// The accrual the payment took off the days before it was applied is
	// owed again, and those days' balances are as they were.
	for seg, credit := range rec.Accrual {
		if s := a.resolve(seg); s != nil && !s.Closed {
			s.Accrued += credit
		}
		if s := a.Segment(seg); s != nil {
			for _, b := range rec.Backdated[seg] {
				if i := a.Cycle.Start.DaysUntil(b.Day); i >= 0 && i < len(s.Daily) {
					s.Daily[i] += b.Balance
				}
			}
		}
	}
	for seg, x := range rec.DueParts {
		if s := a.resolve(seg); s != nil {
			s.Due = min(s.Due+x, s.Balance())
		}
	}
	for id, sched := range rec.Schedules {
		if s := a.Segment(id); s != nil && !s.Closed && s.Billed < len(sched) && principalFrom(sched, s.Billed) == s.Unbilled {
			s.Schedule = sched
		}
	}
	for _, s := range a.Segments {
		a.reamortise(s)
	}
	// In date order: restoring one statement's minimum must not depend on
	// the map's order (the pruned ones' share lands on the oldest due).
	dates := make([]Date, 0, len(rec.MinimumParts))
	for st := range rec.MinimumParts {
		dates = append(dates, st)
	}
	slices.SortFunc(dates, func(x, y Date) int { return x.DaysUntil(y) * -1 })
	for _, st := range dates {
		x := rec.MinimumParts[st]
		restored := false
		for i := range a.Dues {
			if a.Dues[i].Statement == st {
				a.Dues[i].Remaining = min(a.Dues[i].Amount, a.Dues[i].Remaining+x)
				restored = true
			}
		}
		if !restored && len(a.Dues) > 0 { // pruned since: the oldest due owes it
			a.Dues[0].Remaining += x
		}
	}
	var res Result
	if a.Last != nil && rec.GraceCounted > 0 {
		if a.Last.Date == rec.GraceStatement || !a.Last.Decided {
			a.Last.GraceOwed += rec.GraceCounted
		}
		if a.Last.Date == rec.GraceStatement && a.Last.Decided && a.Last.GraceKept && a.Last.GraceOwed > 0 {
			// The payment that kept the grace period did not pay after all.
			a.Last.GraceKept = false
			a.Cycle.Chargeable += a.Last.Waived
			a.Cycle.GraceLost = true
			res.Changes = append(res.Changes, Change{Kind: ChangeGraceLost, Segment: RevolvingID, Reason: "payment " + r.PaymentID + " reversed"})
		}
	}
	rec.Reversed = true
	a.Cycle.Lines = append(a.Cycle.Lines, Line{Date: r.Date, Kind: LinePaymentReversed, Amount: rec.Payment.Amount, Description: r.Reason, Ref: r.PaymentID})
	if fee := a.Config.NSFFee; r.Returned && fee > 0 {
		if rev := a.resolve(RevolvingID); rev != nil {
			out = append(out, a.chargeFee(rev, fee, ReasonNSFFee, r.PaymentID, r.Date, feeNSF))
		} else { // charged off: the fee joins the written-off balance
			a.ChargedOff += fee
			a.Cycle.Lines = append(a.Cycle.Lines, Line{Date: r.Date, Kind: LineFee, Amount: fee, Description: feeNSF, Ref: r.PaymentID})
			out = append(out, Posting{Bucket: BucketChargedOff, Amount: fee, Reason: ReasonNSFFee, Ref: r.PaymentID})
		}
	}
	res.Postings = out
	res.Changes = append(res.Changes, a.restand(a.OpenDay())...)
	return res, nil
}
