package servicing

import "fmt"

// EventKind is what an [Event] of an account's history records.
type EventKind string

// The kinds of history event.
const (
	EventPurchase EventKind = "purchase"
	EventReturn   EventKind = "return"
	EventPayment  EventKind = "payment"
	EventReversal EventKind = "reversal"
	EventStaff    EventKind = "staff"
	EventLimit    EventKind = "limit" // the credit limit changed
	EventWaiver   EventKind = "waiver"
)

// Event is one thing that happened to an account, as the ledger and the
// account's records tell it; [Replay] rebuilds the account from them.
type Event struct {
	Kind EventKind
	// Date is the open day the event was applied on. A payment's own
	// Payment.Date may be earlier (dated back within the cycle).
	Date     Date
	Purchase *Purchase
	Return   *Return
	Payment  *Payment
	Reversal *Reversal
	Waiver   *Waiver
	// Action and Reason are a staff action's.
	Action StaffAction
	Reason string
	// Limit is the new credit limit of an EventLimit.
	Limit int64
}

// Replay rebuilds an account from its opening and its history, ending
// every day through the given day, and returns it with every statement
// produced on the way. The events must be in the order they were applied;
// an event dated on a day already ended is an error. `openflex verify`
// compares what it returns with what the engine stored.
func Replay(cfg Config, o Opening, history []Event, through Date) (*Account, []*Statement, error) {
	a, err := Open(cfg, o)
	if err != nil {
		return nil, nil, err
	}
	var stmts []*Statement
	endThrough := func(last Date) error {
		for a.Day.Before(last) {
			r, err := a.EndDay(a.OpenDay())
			if err != nil {
				return err
			}
			if r.Statement != nil {
				stmts = append(stmts, r.Statement)
			}
		}
		return nil
	}
	for i, ev := range history {
		if ev.Date.Before(a.OpenDay()) {
			return nil, nil, fmt.Errorf("servicing: replay: event %d (%s) is dated %s, after that day ended", i, ev.Kind, ev.Date)
		}
		if err := endThrough(ev.Date.AddDays(-1)); err != nil {
			return nil, nil, err
		}
		if err := a.apply(ev); err != nil {
			return nil, nil, fmt.Errorf("servicing: replay: event %d (%s on %s): %w", i, ev.Kind, ev.Date, err)
		}
	}
	if err := endThrough(through); err != nil {
		return nil, nil, err
	}
	return a, stmts, nil
}

// apply runs one history event.
func (a *Account) apply(ev Event) error {
	var err error
	switch ev.Kind {
	case EventPurchase:
		_, err = a.Purchase(deref(ev.Purchase))
	case EventReturn:
		_, err = a.Return(deref(ev.Return))
	case EventPayment:
		_, err = a.Pay(deref(ev.Payment))
	case EventReversal:
		_, err = a.Reverse(deref(ev.Reversal))
	case EventWaiver:
		_, err = a.Waive(deref(ev.Waiver))
	case EventStaff:
		_, err = a.SetStatus(ev.Action, ev.Reason, ev.Date)
	case EventLimit:
		if ev.Limit < 0 {
			return fmt.Errorf("credit limit %d is negative", ev.Limit)
		}
		a.CreditLimit = ev.Limit
	default:
		return fmt.Errorf("unknown event kind %q", ev.Kind)
	}
	return err
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
