package servicing

import (
	"encoding/json"
	"fmt"

	"github.com/openflex/openflex"
)

// PayoffMaxDays is how far ahead of the account's day a payoff is quoted:
// far enough to schedule a payment, near enough that nothing unforeseen
// (a statement, an expiry) is more than two cycles away.
const PayoffMaxDays = 60

// CheckPayoffDate reports a payoff date before today or more than
// PayoffMaxDays after it (parameter_invalid, param "date").
func CheckPayoffDate(today, on Date) error {
	if on.Before(today) || today.AddDays(PayoffMaxDays).Before(on) {
		return invalid("date", "a payoff is quoted from %s (today) to %s, got %s", today, today.AddDays(PayoffMaxDays), on)
	}
	return nil
}

// Payoff is what a payment made on On must be to leave nothing owed on a
// plan, or on the whole account, when nothing else happens before it (no
// purchase, return or other payment). Paying early costs nothing: an
// equal-payment plan owes its remaining principal (its instalments not
// yet billed carry no interest and no fee once paid), and a deferred plan
// paid in full by its expiry owes none of the interest it accrued.
type Payoff struct {
	On Date
	// Segment is the plan's segment id; "" quotes the whole account.
	Segment     string
	Kind        SegmentKind
	Description string
	Merchant    string

	Principal int64
	// Interest is the interest billed and unpaid; Accrued the interest
	// accrued to On (the day itself not counted) that statements will
	// charge however soon the balance is paid (revolving interest whose
	// grace period is lost).
	Interest int64
	Accrued  int64
	Fees     int64
	// Waived is deferred interest accrued to On that is never charged when
	// the plan is paid in full by Expiry: it is not in Amount.
	Waived int64
	Expiry Date // a deferred plan's expiry, or an equal-payment plan's end
	// ChargedOff is the written-off balance (whole account).
	ChargedOff int64
	// Ahead is, for a plan, what a payment directed at it pays first by
	// the allocation order: fees, interest and what is due on the
	// account's other balances.
	Ahead int64
	// Credit is the credit balance the lender owes, taken off.
	Credit int64
	// Amount is what to pay on On.
	Amount int64
	// Plans are, for the whole account, each open plan's own payoff.
	Plans []Payoff
}

// Payoff quotes the payment that pays off plan segment (or, with segment
// "", the whole account) on day on, at or after the open day: a copy of
// the account lives its days up to on (statements, expiries and the grace
// period's decisions included), and the quote is read from it; a not
// changes.
//
// Errors: parameter_invalid (param "date") for a day before the open day
// or more than a year after it; resource_missing (param "plan") for an
// unknown plan; parameter_invalid (param "plan") for the revolving
// balance, or a plan already paid or moved into the revolving balance by
// then.
func (a *Account) Payoff(segment string, on Date) (*Payoff, error) {
	if on.Before(a.OpenDay()) || a.OpenDay().AddDays(366).Before(on) {
		return nil, invalid("date", "a payoff is quoted from %s (the account's day) on, got %s", a.OpenDay(), on)
	}
	if segment == RevolvingID {
		return nil, invalid("plan", "the regular balance is paid off with the whole account")
	}
	b, err := a.copy()
	if err != nil {
		return nil, err
	}
	for b.OpenDay().Before(on) {
		if _, err := b.EndDay(b.OpenDay()); err != nil {
			return nil, fmt.Errorf("payoff: end day %s: %w", b.OpenDay(), err)
		}
	}
	credit := b.Credit
	if segment != "" {
		s := b.Segment(segment)
		if s == nil || s.Kind == SegmentRevolving {
			return nil, &openflex.Error{Code: openflex.CodeResourceMissing, Param: "plan", Message: fmt.Sprintf("no plan %q on this account", segment)}
		}
		if s.Closed {
			return nil, invalid("plan", "by %s plan %s is paid or its balance moved into the regular balance: quote the whole account", on, segment)
		}
		p := b.planPayoff(s, on)
		b.payAhead(&p, s, credit)
		return &p, nil
	}
	total := Payoff{On: on, Kind: SegmentRevolving, ChargedOff: b.ChargedOff}
	for _, s := range b.Segments {
		if s.Closed {
			continue
		}
		p := b.planPayoff(s, on)
		total.Principal += p.Principal
		total.Interest += p.Interest
		total.Accrued += p.Accrued
		total.Fees += p.Fees
		total.Waived += p.Waived
		if s.Kind != SegmentRevolving {
			b.payAhead(&p, s, credit)
			total.Plans = append(total.Plans, p)
		}
	}
	owed := total.Principal + total.Interest + total.Accrued + total.Fees + total.ChargedOff
	total.Credit = min(credit, owed)
	total.Amount = owed - total.Credit
	return &total, nil
}

// planPayoff is segment s's own part of a payoff on the open day on.
func (a *Account) planPayoff(s *Segment, on Date) Payoff {
	p := Payoff{On: on, Segment: s.ID, Kind: s.Kind, Description: s.Description, Merchant: s.Merchant,
		Principal: s.Principal, Interest: s.Interest, Fees: s.Fees, Expiry: s.Expiry}
	if s.Kind == SegmentRevolving {
		p.Segment = ""
	}
	if a.Status == openflex.AccountChargedOff {
		return p
	}
	switch s.Kind {
	case SegmentRevolving:
		// What earlier cycles lost their grace on is charged at the next
		// statement whatever is paid; this cycle's own accrual too when it
		// has no grace. Accrual still in grace (Pending, or this cycle's
		// with the grace kept) is waived by a payment in full now: the
		// last statement's balance is then paid by its due date, and the
		// next statement's balance is zero.
		numer := a.Cycle.Chargeable
		if a.Cycle.GraceLost {
			numer += s.Accrued
		}
		p.Accrued = interestCents(numer)
	case SegmentDeferred:
		p.Waived = interestCents(s.Accrued)
	}
	return p
}

// payAhead completes p, plan segment s's own part of a payoff, into the
// plan's payoff: what a payment pays before it (the charged-off balance,
// the other segments' fees, interest and what they have due) is added,
// and the credit balance (credit) taken off.
func (a *Account) payAhead(p *Payoff, s *Segment, credit int64) {
	p.Ahead = a.ChargedOff
	for _, o := range a.order() {
		if o != s {
			p.Ahead += o.Fees + o.Interest + min(o.Due, o.Principal)
		}
	}
	p.Credit = min(credit, p.Principal+p.Interest+p.Accrued+p.Fees+p.Ahead)
	p.Amount = p.Principal + p.Interest + p.Accrued + p.Fees + p.Ahead - p.Credit
}

// copy is a deep copy of a, through the JSON the engine keeps it as.
func (a *Account) copy() (*Account, error) {
	j, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("payoff: copy the account: %w", err)
	}
	var b Account
	if err := json.Unmarshal(j, &b); err != nil {
		return nil, fmt.Errorf("payoff: copy the account: %w", err)
	}
	return &b, nil
}
