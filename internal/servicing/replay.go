package servicing

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
)

// Event is one thing that happened to an account, as the ledger and the
// account's records tell it; [Replay] rebuilds the account from them.
type Event struct {
	Kind     EventKind
	Date     Date
	Purchase *Purchase
	Return   *Return
	Payment  *Payment
	Reversal *Reversal
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
	return nil, nil, errNotImplemented
}
