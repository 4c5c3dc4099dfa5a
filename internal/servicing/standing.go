package servicing

import (
	"github.com/openflex/openflex"
)

// DaysPastDue is how many days the oldest unpaid minimum is overdue on
// day d: 1 on the day after its due date, 0 when nothing is overdue.
func (a *Account) DaysPastDue(d Date) int {
	for _, due := range a.Dues {
		if due.Remaining > 0 {
			return max(0, due.DueDate.DaysUntil(d))
		}
	}
	return 0
}

// PastDue is what of the minimums is unpaid after their due dates, on day
// d.
func (a *Account) PastDue(d Date) int64 {
	var p int64
	for _, due := range a.Dues {
		if due.DueDate.Before(d) {
			p += due.Remaining
		}
	}
	return p
}

// capDues keeps the unpaid minimums within what is owed: a return or a
// credit can leave less owed than was asked.
func (a *Account) capDues() {
	owed := max(0, a.Balance()-a.ChargedOff)
	var sum int64
	for _, d := range a.Dues {
		sum += d.Remaining
	}
	for i := len(a.Dues) - 1; i >= 0 && sum > owed; i-- {
		x := min(sum-owed, a.Dues[i].Remaining)
		a.Dues[i].Remaining -= x
		sum -= x
	}
}

// restand moves the system's part of the standing on day d (the open
// day, for payments): auth_prohibited while a minimum is past due beyond
// the grace days, normal again once it is paid. Staff's frozen and closed,
// and charged_off, are left alone.
func (a *Account) restand(d Date) []Change {
	if a.Status != openflex.AccountNormal && a.Status != openflex.AccountAuthProhibited {
		return nil
	}
	to := openflex.AccountNormal
	if dpd := a.DaysPastDue(d); dpd > a.Config.AuthGraceDays {
		to = openflex.AccountAuthProhibited
	}
	return a.setStatus(to, "")
}

func (a *Account) setStatus(to openflex.AccountStatus, reason string) []Change {
	if to == a.Status {
		return nil
	}
	if reason == "" {
		switch to {
		case openflex.AccountAuthProhibited:
			reason = "minimum payment past due"
		case openflex.AccountNormal:
			reason = "past-due amount paid"
		case openflex.AccountChargedOff:
			reason = "past due too long"
		}
	}
	c := Change{Kind: ChangeStatus, From: a.Status, To: to, Reason: reason}
	a.Status = to
	return []Change{c}
}

// SetStatus applies a staff action with its reason on day d, the open
// day: freeze (a normal or auth_prohibited account), unfreeze (a frozen
// one, back to what its payments say), close (any account but a closed
// one; it cannot be reopened, and the customer still owes its balance).
//
// Errors: parameter_missing without a reason; parameter_invalid for an
// unknown action or a date other than the open day; account_status_invalid
// for a transition the rules do not allow.
func (a *Account) SetStatus(action StaffAction, reason string, d Date) (Result, error) {
	if reason == "" {
		return Result{}, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "reason", Message: "a reason is required for every change of an account's standing"}
	}
	if err := a.checkDay("date", d); err != nil {
		return Result{}, err
	}
	refuse := func(what string) (Result, error) {
		return Result{}, &openflex.Error{Code: openflex.CodeAccountStatusInvalid, Param: "status",
			Message: "a " + string(a.Status) + " account cannot be " + what}
	}
	var res Result
	switch action {
	case ActionFreeze:
		if a.Status != openflex.AccountNormal && a.Status != openflex.AccountAuthProhibited {
			return refuse("frozen")
		}
		a.StaffFrozen = true
		res.Changes = a.setStatus(openflex.AccountFrozen, reason)
	case ActionUnfreeze:
		if a.Status != openflex.AccountFrozen {
			return refuse("unfrozen")
		}
		a.StaffFrozen = false
		to := openflex.AccountNormal
		if a.DaysPastDue(d) > a.Config.AuthGraceDays {
			to = openflex.AccountAuthProhibited
		}
		res.Changes = a.setStatus(to, reason)
	case ActionClose:
		if a.Status == openflex.AccountClosed {
			return refuse("closed again")
		}
		a.StaffClosed = true
		res.Changes = a.setStatus(openflex.AccountClosed, reason)
	default:
		return Result{}, invalid("action", "action must be %q, %q or %q", ActionFreeze, ActionUnfreeze, ActionClose)
	}
	return res, nil
}

// chargeOff moves every segment's balance to the charged-off balance and
// stops accrual: what is accrued and not charged is dropped.
func (a *Account) chargeOff() Result {
	var res Result
	var total int64
	for _, s := range a.Segments {
		if s.Closed {
			continue
		}
		for _, b := range []Bucket{BucketPrincipal, BucketInterest, BucketFee} {
			if x := *s.bucket(b); x > 0 {
				*s.bucket(b) = 0
				total += x
				res.Postings = append(res.Postings, Posting{Segment: s.ID, Bucket: b, Amount: -x, Reason: ReasonChargeOff})
			}
		}
		s.Accrued, s.Due, s.Unbilled = 0, 0, 0
		s.close(chargedOffID)
	}
	if total > 0 {
		a.ChargedOff += total
		res.Postings = append(res.Postings, Posting{Bucket: BucketChargedOff, Amount: total, Reason: ReasonChargeOff})
	}
	a.Cycle.Pending, a.Cycle.Chargeable, a.Cycle.GraceLost = 0, 0, false
	for i := range a.Dues {
		a.Dues[i].Remaining = 0
	}
	a.Dues = nil
	res.Changes = a.setStatus(openflex.AccountChargedOff, "")
	return res
}
