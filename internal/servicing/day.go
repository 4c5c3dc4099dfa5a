package servicing

import (
	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// EndDay closes day d, which must be the open day, after that day's
// purchases, returns and payments. In order, it:
//
//  1. applies a credit balance to what became owed, as a payment would be;
//  2. expires deferred plans whose expiry day d is (waiving the accrual
//     when the plan is paid, else charging it by the plan's rule and
//     moving the balance to the revolving segment);
//  3. accrues the day's interest on each accruing segment's balance at
//     the end of the day;
//  4. on the last statement's due date, keeps or loses the grace period
//     and counts missed instalments, cancelling promotions missed too
//     often;
//  5. moves the standing: auth_prohibited past the grace days, normal once
//     paid, charged_off after ChargeOffDays;
//  6. on the statement day, charges the interest, bills the instalments,
//     sets the minimum and due date, produces the statement (unless the
//     balance is zero and nothing happened) and opens the next cycle.
func (a *Account) EndDay(d Date) (Result, error) {
	if err := a.checkDay("date", d); err != nil {
		return Result{}, err
	}
	var res Result
	add := func(r Result) {
		res.Postings = append(res.Postings, r.Postings...)
		res.Changes = append(res.Changes, r.Changes...)
		if r.Statement != nil {
			res.Statement = r.Statement
		}
	}
	add(a.applyCredit())
	add(a.expire(d))
	for _, s := range a.Segments {
		if a.accrues(s, d) {
			s.Accrued += s.Balance() * int64(s.Rate)
			for len(s.Daily) < a.Cycle.Start.DaysUntil(d) {
				s.Daily = append(s.Daily, 0)
			}
			s.Daily = append(s.Daily, s.Balance())
		}
	}
	if a.Last != nil && d == a.Last.DueDate && !a.Last.Decided {
		add(a.dueDate(d))
	}
	a.Day = d
	if a.Status != openflex.AccountChargedOff && a.DaysPastDue(a.OpenDay()) >= a.Config.ChargeOffDays {
		add(a.chargeOff())
	} else {
		res.Changes = append(res.Changes, a.restand(a.OpenDay())...)
	}
	if d == a.Cycle.End {
		add(a.closeCycle(d))
	}
	return res, nil
}

// applyCredit pays what is owed from the credit balance.
func (a *Account) applyCredit() Result {
	if a.Credit == 0 {
		return Result{}
	}
	al := &allocator{a: a, left: a.Credit, reason: ReasonCreditApplied, ref: "credit"}
	if x := min(al.left, a.ChargedOff); x > 0 {
		a.ChargedOff -= x
		al.left -= x
		al.out = append(al.out, Posting{Bucket: BucketChargedOff, Amount: -x, Reason: ReasonRecovery, Ref: "credit"})
	}
	al.run()
	used := a.Credit - al.left
	if used == 0 {
		return Result{}
	}
	a.Credit = al.left
	al.out = append(al.out, Posting{Bucket: BucketCredit, Amount: used, Reason: ReasonCreditApplied, Ref: "credit"})
	left := used
	for i := range a.Dues {
		x := min(left, a.Dues[i].Remaining)
		a.Dues[i].Remaining -= x
		left -= x
	}
	return Result{Postings: al.out}
}

// move transfers every bucket of s to the revolving segment.
func (a *Account) move(s *Segment, r Reason) []Posting {
	rev := a.revolving()
	var out []Posting
	for _, b := range []Bucket{BucketPrincipal, BucketInterest, BucketFee} {
		if x := *s.bucket(b); x > 0 {
			*s.bucket(b) = 0
			*rev.bucket(b) += x
			out = append(out, Posting{Segment: s.ID, Bucket: b, Amount: -x, Reason: r, Ref: s.ID},
				Posting{Segment: rev.ID, Bucket: b, Amount: x, Reason: r, Ref: s.ID})
		}
	}
	rev.Due += s.Due
	s.Due, s.Unbilled, s.Accrued, s.Daily = 0, 0, 0, nil
	s.close(rev.ID)
	// A balance that moves in bears interest from the day it moves: the
	// cycle it moves in has no grace period.
	a.Cycle.GraceLost = true
	return out
}

// expire ends the deferred plans whose expiry day is d.
func (a *Account) expire(d Date) Result {
	var res Result
	for _, s := range a.Segments {
		if s.Kind != SegmentDeferred || s.Closed || s.Expiry != d {
			continue
		}
		accrued := interestCents(s.Accrued)
		if s.Balance() == 0 {
			s.Accrued = 0
			s.close("")
			res.Changes = append(res.Changes, Change{Kind: ChangeDeferredWaived, Segment: s.ID, Amount: accrued, Reason: "paid in full by the expiry date"})
			continue
		}
		var interest int64
		if s.DeferredRule != DeferredForward && accrued > 0 {
			interest = accrued
			res.Postings = append(res.Postings, a.chargeInterest(s, interest, s.ID, d))
		}
		bal := s.Balance()
		res.Postings = append(res.Postings, a.move(s, ReasonDeferredExpired)...)
		res.Changes = append(res.Changes, Change{Kind: ChangeDeferredExpired, Segment: s.ID, Amount: bal,
			Reason: "not paid in full by the expiry date; interest charged " + finance.FormatCAD(interest, "en")})
	}
	return res
}

// dueDate applies the last statement's due date, d.
func (a *Account) dueDate(d Date) Result {
	var res Result
	l := a.Last
	l.Decided = true
	l.GraceKept = l.GraceOwed <= 0
	if l.GraceKept {
		l.Waived = a.Cycle.Pending
	} else {
		a.Cycle.Chargeable += a.Cycle.Pending
		a.Cycle.GraceLost = true
		if a.Cycle.Pending > 0 || a.revolving().Balance() > 0 {
			res.Changes = append(res.Changes, Change{Kind: ChangeGraceLost, Segment: RevolvingID, Reason: "the statement's balance was not paid in full by its due date"})
		}
	}
	a.Cycle.Pending = 0
	for _, s := range a.Segments {
		if s.Kind != SegmentEqualPayments || s.Closed || s.Due == 0 {
			continue
		}
		s.Missed++
		if s.Missed >= a.Config.MissedInstalmentsToCancel {
			bal := s.Balance()
			res.Postings = append(res.Postings, a.move(s, ReasonPromotionCancelled)...)
			res.Changes = append(res.Changes, Change{Kind: ChangePromotionCancelled, Segment: s.ID, Amount: bal, Reason: "instalment not paid by its due date"})
		}
	}
	return res
}

// revolvingMinimum is the minimum payment on a revolving balance: the
// greater of percent of it (rounded up, so never below that share), the
// interest and fees charged to it in the cycle, and floor; the whole
// balance under floor.
func revolvingMinimum(balance, charged int64, percent finance.Percent, floor int64) int64 {
	if balance <= 0 {
		return 0
	}
	if balance <= floor {
		return balance
	}
	share := ceilDiv(balance*int64(percent), 100_000)
	return min(balance, max(share, charged, floor))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// minimumPercent is the revolving minimum's share for this account: the
// lender's, never below the Quebec rule for a Quebec account.
func (a *Account) minimumPercent() finance.Percent {
	p := a.Config.MinimumPercent
	if a.Opening.Province == "QC" {
		p = max(p, QuebecMinimumPercent)
	}
	return p
}

// closeCycle ends the cycle on its statement day d.
func (a *Account) closeCycle(d Date) Result {
	var res Result
	rev := a.revolving()
	charged := a.Status != openflex.AccountChargedOff
	// Revolving interest: what earlier cycles lost their grace on, and this
	// cycle's own accrual when it has no grace; otherwise this cycle's
	// accrual waits for the due date.
	numer := a.Cycle.Chargeable
	pending := int64(0)
	if a.Cycle.GraceLost {
		numer += rev.Accrued
	} else {
		pending = rev.Accrued
	}
	rev.Accrued = 0
	for _, s := range a.Segments {
		s.Daily = nil // a payment is dated back within the open cycle only
	}
	if i := interestCents(numer); i > 0 && charged && !rev.Closed {
		res.Postings = append(res.Postings, a.chargeInterest(rev, i, "", d))
	}
	// Instalments.
	plans := map[string]int64{}
	for _, s := range a.Segments {
		if s.Kind != SegmentEqualPayments || s.Closed || s.Billed >= len(s.Schedule) {
			continue
		}
		p := s.Schedule[s.Billed]
		if p.Interest > 0 {
			res.Postings = append(res.Postings, a.chargeInterest(s, p.Interest, s.ID, d))
		}
		if s.Terms.FeeKind == finance.FeeMonthly && p.Fee > 0 {
			res.Postings = append(res.Postings, a.chargeFee(s, p.Fee, ReasonAdminFee, s.ID, d, feeAdmin))
		}
		s.Billed++
		s.Unbilled = max(0, s.Unbilled-p.Principal)
		// The instalment asks for its interest, its principal and its fee;
		// a one-time fee posted with the purchase and paid already is not
		// asked for again.
		fee := p.Fee
		if s.Terms.FeeKind != finance.FeeMonthly {
			fee = min(p.Fee, s.Fees)
		}
		inst := min(p.Interest+p.Principal+fee, s.Balance()-s.Due)
		s.Due += max(0, inst)
		plans[s.ID] = max(0, inst)
	}
	for _, s := range a.Segments {
		// A plan billed in full and paid is done: statements stop listing it.
		if s.Kind == SegmentEqualPayments && !s.Closed && s.Billed >= len(s.Schedule) && s.Balance() == 0 {
			if _, billedNow := plans[s.ID]; !billedNow {
				s.close("")
			}
		}
	}
	pastDue := int64(0)
	for _, due := range a.Dues {
		pastDue += due.Remaining
	}
	var newMin int64
	if charged {
		revNew := revolvingMinimum(rev.Balance(), a.Cycle.RevolvingCharged, a.minimumPercent(), a.Config.MinimumFloor)
		revNew = min(revNew, max(0, rev.Balance()-rev.Due))
		rev.Due += revNew
		newMin = revNew
		for _, x := range plans {
			newMin += x
		}
	}
	due := DueDate(a.Opening.Province, d, a.Config.DueDays)
	grace := rev.Balance()
	for _, s := range a.Segments {
		if s.Kind != SegmentRevolving && !s.Closed {
			grace += s.Due
		}
	}
	grace = max(0, grace-a.Credit)

	idle := a.Cycle.Opening == 0 && a.Balance() == 0 && len(a.Cycle.Lines) == 0
	if !idle {
		a.Statements++
		st := a.statement(d, due, newMin+pastDue, pastDue, grace, plans)
		res.Statement = st
		if newMin > 0 {
			a.Dues = append(a.Dues, Due{Statement: d, DueDate: due, Amount: newMin, Remaining: newMin})
		}
		a.Last = &LastStatement{Date: d, DueDate: due, Minimum: newMin + pastDue, GraceOwed: grace}
	} else {
		a.Last = nil
	}
	a.pruneDues(d)
	keep := a.Config.ReversalDays
	if keep == 0 {
		keep = DefaultReversalDays
	}
	for id, rec := range a.Payments {
		if rec.AppliedOn.AddDays(keep).Before(d) {
			delete(a.Payments, id)
		}
	}
	a.Cycle = Cycle{Start: d.AddDays(1), End: a.statementDate(d.AddDays(1)), Opening: a.Balance(), Pending: pending}
	return res
}

// pruneDues forgets minimums paid long ago: a reversal that late restores
// the oldest due instead.
func (a *Account) pruneDues(d Date) {
	keep := a.Dues[:0]
	for _, due := range a.Dues {
		if due.Remaining > 0 || due.DueDate.AddDays(120).After(d) {
			keep = append(keep, due)
		}
	}
	a.Dues = keep
}
